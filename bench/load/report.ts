/**
 * `npm run bench:report [-- files...]`: re-renders the markdown table and SVG plot of load run
 * results (all of bench/results/*.json that are load runs by default) and writes an index of
 * them, one row per run, to load-runs.md beside them.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { markdownTable, runChart, type RunResult } from '../harness/index.js';

function isRunResult(value: unknown): value is RunResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as RunResult).timeline) &&
    typeof (value as RunResult).counts === 'object'
  );
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '–');

async function main(args: string[]): Promise<void> {
  const dir = args.length > 0 ? dirname(args[0] as string) : 'bench/results';
  await mkdir(dir, { recursive: true });
  const files =
    args.length > 0 ? args : (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => join(dir, f));
  const rows: string[] = [];
  for (const file of files.sort()) {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (!isRunResult(parsed)) continue;
    const base = join(dirname(file), basename(file, '.json'));
    await writeFile(`${base}.md`, markdownTable(parsed));
    await writeFile(`${base}.svg`, runChart(parsed));
    const c = parsed.counts;
    rows.push(
      `| [${parsed.name}](${basename(file, '.json')}.md) | ${parsed.startedAt} | ${parsed.sentRatePerSecond.toFixed(0)} | ${parsed.settings.subscriptions ?? ''} | ${fmt(parsed.latencyMs.p50)} | ${fmt(parsed.latencyMs.p99)} | ${fmt(parsed.latencyMs.max)} | ${c.expected} | ${c.delivered} | ${c.missing} | ${c.duplicate} |`,
    );
  }
  const index = [
    '# Load runs',
    '',
    '| run | started | changes/s | subscriptions | p50 ms | p99 ms | max ms | expected | delivered | missing | duplicate |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
  await writeFile(join(dir, 'load-runs.md'), index);
  console.log(`${rows.length} load runs rendered; index in ${join(dir, 'load-runs.md')}`);
}

await main(process.argv.slice(2));
