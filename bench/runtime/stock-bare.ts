// The bare consume→produce loop with stock kafkajs: run by bench.ts in a child process of its own,
// because the main process loads kafkajs with the codec replacements of connectors/kafka. Nothing
// of ours that loads kafkajs is imported here (measure.ts and bare-loop.ts take only its types),
// and the child checks that kafkajs's own codec modules are the ones in use before and after.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Kafkajs from 'kafkajs';
import { bareLoop } from './bare-loop.js';
import type { PipelineResult } from './measure.js';
import { measure } from './measure.js';

/** What the child sends to bench.ts. */
export interface StockBareMessage {
  result: PipelineResult;
  /** kafkajs modules the replacements would take the place of, each checked to be kafkajs's own. */
  stockModules: string[];
}

const require = createRequire(import.meta.url);
const KAFKAJS_SRC = join(dirname(require.resolve('kafkajs/package.json')), 'src');
/** The modules connectors/kafka/native-crc.ts, record-batch-install.ts and connection-install.ts replace. */
const REPLACED = [
  'protocol/request.js',
  'network/connection.js',
  'protocol/recordBatch/crc32C/index.js',
  'protocol/recordBatch/record/v0/index.js',
  'protocol/recordBatch/v0/index.js',
  'protocol/requests/produce/v3/request.js',
  'protocol/recordBatch/record/v0/decoder.js',
  'producer/groupMessagesPerPartition.js',
];

class PatchedKafkajsError extends Error {
  constructor(modules: string[], when: string) {
    super(`kafkajs modules not stock ${when}: ${modules.join(', ')}`);
    this.name = 'PatchedKafkajsError';
  }
}

/** A module is stock when it was loaded from its file and its export is defined in that file's source. */
function isStock(module: string): boolean {
  const path = join(KAFKAJS_SRC, module);
  const entry = require.cache[path];
  if (entry === undefined) return false;
  const exported = entry.exports as unknown;
  // The connection is kafkajs's own class either way: it is its response reading that is replaced.
  const fn =
    module === 'network/connection.js'
      ? (exported as { prototype?: { processData?: unknown } } | null)?.prototype?.processData
      : typeof exported === 'function'
        ? exported
        : (exported as { RecordBatch?: unknown } | null)?.RecordBatch;
  return typeof fn === 'function' && readFileSync(path, 'utf8').includes(fn.toString());
}

const seeded = REPLACED.filter((m) => require.cache[join(KAFKAJS_SRC, m)] !== undefined);
if (seeded.length > 0) throw new PatchedKafkajsError(seeded, 'before kafkajs loaded');
const { Kafka, logLevel } = require('kafkajs') as typeof Kafkajs;

const run = process.env['BENCH_STOCK_RUN'];
const name = process.env['BENCH_STOCK_NAME'];
if (run === undefined || name === undefined || process.send === undefined) {
  throw new Error('stock-bare.ts is started by bench.ts (BENCH_STOCK_RUN, BENCH_STOCK_NAME, an IPC channel)');
}
const brokers = [process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092'];
const kafka = new Kafka({ clientId: `${run}-stock`, brokers, logLevel: logLevel.ERROR });
const admin = kafka.admin();
await admin.connect();
try {
  const result = await measure(
    {
      kafka,
      admin,
      run,
      records: Number(process.env['BENCH_RECORDS'] ?? 100_000),
      profileDir: process.env['BENCH_PROFILE'],
    },
    name,
    (input, output) => bareLoop(kafka, `${run}-${name}`, input, output),
  );
  const patched = REPLACED.filter((m) => !isStock(m));
  if (patched.length > 0) throw new PatchedKafkajsError(patched, 'after the run');
  const message: StockBareMessage = { result, stockModules: REPLACED };
  await new Promise<void>((resolve, reject) =>
    process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())),
  );
} finally {
  await admin.disconnect();
}
