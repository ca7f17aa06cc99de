/**
 * `tsx bench/load/over-time.ts <run.json> [interval-s]`: a load run's results interval by interval
 * (60 s unless given): throughput, latency, lag, CPU and RSS per process, and each process's RSS
 * slope over the second half of the run. Writes `<run>-over-time.md` beside the run's JSON and
 * prints it. Meant for long runs (`run-target.sh <rate> <subs> 1 1200 <name>`), where a leak or a
 * backlog that grows slowly would be lost in the whole-run summary.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { overTimeMarkdown } from '../harness/report/over-time.js';
import type { RunResult } from '../harness/report/results.js';

const [file, intervalArg = '60'] = process.argv.slice(2);
if (file === undefined || !file.endsWith('.json'))
  throw new Error('usage: over-time <run.json> [interval-s]');
const interval = Number(intervalArg);
if (!(interval > 0)) throw new Error(`interval-s must be a positive number, got ${intervalArg}`);
const result = JSON.parse(await readFile(file, 'utf8')) as RunResult;
const markdown = overTimeMarkdown(result, interval);
const out = file.replace(/\.json$/, '-over-time.md');
await writeFile(out, markdown);
process.stdout.write(`${markdown}\nwritten to ${out}\n`);
