/**
 * A preload for a process under load: `node --import ./dist/bench/load/request-counts.js ...` (the
 * built file) counts the Kafka requests the process makes, by API, with the time each took from
 * send to response, and writes them at exit to `$REQUEST_COUNTS_FILE` (default
 * `requests-<pid>.json`). A live run pays for every round of fetch and produce requests; this says
 * how many rounds there were and how long each waited.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface Sent {
  request: { apiName?: string };
}
interface ConnectionClass {
  prototype: { send(this: unknown, args: Sent): Promise<unknown> };
}

const file = process.env['REQUEST_COUNTS_FILE'] ?? `requests-${process.pid}.json`;
const require = createRequire(import.meta.url);
const Connection = require('kafkajs/src/network/connection.js') as ConnectionClass;
const counts = new Map<string, { count: number; totalMs: number; times: number[] }>();
const started = performance.now();
// `REQUEST_COUNTS_TRACE=<api>`: also counts the call stacks that sent that request.
const traced = process.env['REQUEST_COUNTS_TRACE'];
const stacks = new Map<string, number>();

const send = Connection.prototype.send;
Connection.prototype.send = async function (this: unknown, args: Sent): Promise<unknown> {
  const name = args.request.apiName ?? 'unknown';
  if (name === traced) {
    const stack = (new Error().stack ?? '').split('\n').slice(2, 9).join(' < ');
    stacks.set(stack, (stacks.get(stack) ?? 0) + 1);
  }
  const t0 = performance.now();
  try {
    return await send.call(this, args);
  } finally {
    const ms = performance.now() - t0;
    let c = counts.get(name);
    if (c === undefined) counts.set(name, (c = { count: 0, totalMs: 0, times: [] }));
    c.count += 1;
    c.totalMs += ms;
    if (c.times.length < 200_000) c.times.push(ms);
  }
};

process.on('exit', () => {
  const seconds = (performance.now() - started) / 1000;
  const quantile = (sorted: number[], q: number): number =>
    sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const rows = [...counts].map(([api, c]) => {
    const sorted = c.times.sort((a, b) => a - b);
    return {
      api,
      count: c.count,
      perSecond: Math.round((10 * c.count) / seconds) / 10,
      meanMs: Math.round((100 * c.totalMs) / c.count) / 100,
      p50Ms: Math.round(100 * quantile(sorted, 0.5)) / 100,
      p99Ms: Math.round(100 * quantile(sorted, 0.99)) / 100,
    };
  });
  rows.sort((a, b) => b.count - a.count);
  writeFileSync(
    file,
    JSON.stringify(
      { pid: process.pid, seconds, requests: rows, stacks: Object.fromEntries(stacks) },
      null,
      1,
    ),
  );
});
