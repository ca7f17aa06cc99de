/**
 * `tsx bench/load/hop-probe.ts --brokers <list> --prefix <run prefix> --name <run name>`: tails the
 * three topics a change crosses during a load run (the changelog, the `matches` repartition topic,
 * the rest-hook notification topic) and records when each record became readable, so that the
 * end-to-end latency of a run can be split per hop. Runs until SIGINT/SIGTERM, then prints the
 * percentiles and writes `<results>/<name>-hops.{json,md}`.
 *
 * Every point is measured from the change's changelog record time (set when the generator produced
 * it), so the points are cumulative:
 *
 * - changelog readable: produce → readable by a consumer (the broker and the probe's own fetch);
 * - matches readable: the matches record carries the changelog record's time, so this is
 *   everything up to the processor's produce of the match (consume, decode, versions, match, send);
 * - notify emitted: the notification record's time (the notify stage's clock when it built it)
 *   minus the notification's `occurredAt` (the generator's send time);
 * - notification readable: when the probe read the notification, minus its `occurredAt`.
 *
 * The rest (notification readable → arrival at the receiver) is the HTTP sink's, from the run's
 * own latency. The probe's consumer reads with a long poll, so a point is at most one fetch round
 * trip later than the record became readable.
 */
// Before kafkajs: the harness's producers use the same codec replacements as the service (docs/kafka-codec.md).
import '../../connectors/kafka/native-crc.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

interface Args {
  brokers: string[];
  prefix: string;
  name: string;
  results: string;
}

function parseArgs(argv: readonly string[]): Args {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const prefix = value('--prefix');
  const name = value('--name');
  if (prefix === undefined || name === undefined)
    throw new Error(
      'usage: hop-probe --prefix <run prefix> --name <run name> [--brokers <list>] [--results <dir>]',
    );
  return {
    brokers: (value('--brokers') ?? '127.0.0.1:9092').split(','),
    prefix,
    name,
    results: value('--results') ?? 'bench/results',
  };
}

type Point = 'changelog readable' | 'matches readable' | 'notify emitted' | 'notification readable';
const POINTS: readonly Point[] = [
  'changelog readable',
  'matches readable',
  'notify emitted',
  'notification readable',
];

/** Exact percentile of sorted values (nearest rank). */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface Summary {
  point: Point;
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function summarise(samples: Map<Point, number[]>): Summary[] {
  return POINTS.map((point) => {
    const sorted = [...(samples.get(point) ?? [])].sort((a, b) => a - b);
    return {
      point,
      count: sorted.length,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? Number.NaN,
    };
  });
}

interface SecondRow {
  second: number;
  p50: Record<string, number>;
}

function markdown(name: string, rows: readonly Summary[], seconds: readonly SecondRow[]): string {
  const ms = (n: number) => (Number.isNaN(n) ? '–' : Math.round(n).toLocaleString('en-US'));
  return [
    `# Per-hop latency of ${name}`,
    '',
    "Cumulative from the change's changelog record time (bench/load/hop-probe.ts); the rest up to the",
    "receiver is the HTTP sink's (compare with the run's end-to-end latency).",
    '',
    '| point | records | p50 ms | p90 ms | p99 ms | max ms |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) => `| ${r.point} | ${r.count} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r.max)} |`,
    ),
    '',
    'p50 ms by the second of the run the change was made in:',
    '',
    `| second | ${POINTS.join(' | ')} |`,
    `|---:|${POINTS.map(() => '---:').join('|')}|`,
    ...seconds.map((s) => `| ${s.second} | ${POINTS.map((p) => ms(s.p50[p] ?? Number.NaN)).join(' | ')} |`),
    '',
  ].join('\n');
}

/** The `occurredAt` of a notification's JSON value, without parsing the whole bundle. */
function occurredAt(value: Buffer | null): number | undefined {
  if (value === null) return undefined;
  const text = value.toString('utf8');
  const at = text.indexOf('"occurredAt":"');
  if (at < 0) return undefined;
  const start = at + '"occurredAt":"'.length;
  const time = Date.parse(text.slice(start, text.indexOf('"', start)));
  return Number.isNaN(time) ? undefined : time;
}

const args = parseArgs(process.argv.slice(2));
const topics = {
  changelog: `${args.prefix}.changelog`,
  matches: `${args.prefix}-matches-repartition`,
  notifications: `${args.prefix}.notifications.rest-hook`,
};
const samples = new Map<Point, number[]>(POINTS.map((p) => [p, []]));
/** The same samples by the second of the run the change was made in (the warm-up shows here). */
const bySecond = new Map<number, Map<Point, number[]>>();
let firstChange: number | undefined;
const add = (point: Point, ms: number, changedAt: number) => {
  samples.get(point)!.push(ms);
  firstChange ??= changedAt;
  const second = Math.floor((changedAt - firstChange) / 1000);
  if (second < 0) return;
  let points = bySecond.get(second);
  if (!points) bySecond.set(second, (points = new Map()));
  let list = points.get(point);
  if (!list) points.set(point, (list = []));
  list.push(ms);
};

const kafka = new Kafka({
  clientId: 'substream-hop-probe',
  brokers: args.brokers,
  logLevel: logLevel.NOTHING,
});
const consumer = kafka.consumer({ groupId: `${args.prefix}-hop-probe`, maxWaitTimeInMs: 500 });
await consumer.connect();
await consumer.subscribe({ topics: Object.values(topics), fromBeginning: false });
await consumer.run({
  autoCommit: true,
  partitionsConsumedConcurrently: 1,
  eachBatch: async ({ batch }) => {
    const now = Date.now();
    for (const m of batch.messages) {
      const timestamp = Number(m.timestamp);
      if (batch.topic === topics.changelog) add('changelog readable', now - timestamp, timestamp);
      else if (batch.topic === topics.matches) add('matches readable', now - timestamp, timestamp);
      else {
        const occurred = occurredAt(m.value);
        if (occurred === undefined) continue; // handshakes and heartbeats
        add('notify emitted', timestamp - occurred, occurred);
        add('notification readable', now - occurred, occurred);
      }
    }
  },
});
console.error(`hop probe reading ${Object.values(topics).join(', ')}`);

let finishing = false;
const finish = async () => {
  if (finishing) return;
  finishing = true;
  await consumer.disconnect();
  const rows = summarise(samples);
  const seconds = [...bySecond.keys()]
    .sort((a, b) => a - b)
    .map((second) => ({
      second,
      p50: Object.fromEntries(
        POINTS.map((point) => [
          point,
          percentile(
            [...(bySecond.get(second)!.get(point) ?? [])].sort((a, b) => a - b),
            50,
          ),
        ]),
      ),
    }));
  await writeFile(
    join(args.results, `${args.name}-hops.json`),
    `${JSON.stringify({ name: args.name, rows, perSecond: seconds }, null, 2)}\n`,
  );
  const text = markdown(args.name, rows, seconds);
  await writeFile(join(args.results, `${args.name}-hops.md`), text);
  console.log(text);
  process.exit(0);
};
process.on('SIGINT', () => void finish());
process.on('SIGTERM', () => void finish());
