/**
 * The substream service as a fault run starts it: `node bin/substream.js run [mode]` with its
 * configuration in the environment (names from the configuration schema), its own data directory,
 * ready when /readyz answers. Loopback endpoints are allowed, since the receiver runs on loopback.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startProcess, type ManagedProcess } from './child-process.js';

export interface ServiceOptions {
  port: number;
  brokers: string[];
  mode?: 'all' | 'processor' | 'http-sink' | 'amqp-sink' | 'kafka-sink';
  guarantee?: 'at_least_once' | 'exactly_once';
  /** Extra settings, e.g. MAX_RECORD_BYTES for the fuzz run or topic names. */
  env?: Record<string, string>;
  root?: string;
}

export interface RunningService extends ManagedProcess {
  readonly url: string;
}

/** Polls /readyz: true once ready, false when an instance reports it failed or time runs out. */
async function becomesReady(url: string, child: ManagedProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    const answer = await fetch(`${url}/readyz`).then(
      async (r) => ({ ok: r.ok, body: await r.text() }),
      () => ({ ok: false, body: '' }),
    );
    if (answer.ok) return true;
    if (answer.body.includes('failed')) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/**
 * FAULT_LOG_DIR: where each started service's whole output goes (one file per start), for reading
 * a failed run afterwards; the process itself keeps only its last lines.
 */
function logFileFor(options: ServiceOptions, attempt: number): string | undefined {
  const dir = process.env.FAULT_LOG_DIR;
  if (dir === undefined || dir === '') return undefined;
  const name = options.env?.APPLICATION_ID ?? 'substream';
  return join(dir, `${name}-${options.port}-${attempt}.log`);
}

async function launch(options: ServiceOptions, dataDir: string, attempt: number): Promise<ManagedProcess> {
  const root = options.root ?? process.cwd();
  const logFile = logFileFor(options, attempt);
  if (logFile !== undefined) await mkdir(dirname(logFile), { recursive: true });
  return startProcess({
    ...(logFile !== undefined ? { logFile } : {}),
    command: process.execPath,
    args: [join(root, 'bin/substream.js'), 'run', options.mode ?? 'all'],
    cwd: root,
    env: {
      PORT: String(options.port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      KAFKA_BROKERS: options.brokers.join(','),
      PROCESSING_GUARANTEE: options.guarantee ?? 'at_least_once',
      ENDPOINT_ALLOWLIST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
  });
}

/**
 * Makes the service's named topics (TOPIC_* in its settings) before it starts, waiting for their
 * leaders and retrying, so the service finds them in place (see startService).
 */
async function precreateTopics(brokers: string[], env: Record<string, string>): Promise<void> {
  const topics = Object.entries(env)
    .filter(([k]) => k.startsWith('TOPIC_'))
    .map(([k, topic]) => ({
      topic,
      numPartitions: 6,
      ...(k === 'TOPIC_SUBSCRIPTIONS' || k === 'TOPIC_SUBSCRIPTION_TOPICS'
        ? { configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }
        : {}),
    }));
  if (topics.length === 0) return;
  const admin = new Kafka({ clientId: 'substream-faults', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t.topic));
      if (missing.length === 0) return;
      await admin.createTopics({ topics: missing, waitForLeaders: true }).catch((error: unknown) => {
        console.log(`creating topics (attempt ${attempt}): ${String(error)}`);
      });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Starts the service and waits until it is ready. On topics it has just created an instance can
 * fail at start (the broker has no partition leaders for them yet), so the named topics are made
 * first, and a start that reports a failed instance is retried (up to four starts) on the same data
 * directory.
 */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const dataDir = await mkdtemp(join(tmpdir(), 'substream-fault-'));
  const url = `http://127.0.0.1:${options.port}`;
  await precreateTopics(options.brokers, options.env ?? {});
  for (let attempt = 1; ; attempt++) {
    const child = await launch(options, dataDir, attempt);
    if (await becomesReady(url, child, 120_000)) return Object.assign(child, { url });
    await child.kill9();
    if (attempt >= 4) {
      throw new Error(`the service on port ${options.port} was not ready:\n${child.output().slice(-3000)}`);
    }
    console.log(`service on port ${options.port} reported a failed instance at start; starting it again`);
  }
}

/**
 * How the service ended, when it did: a process that exited under the fault did not resume by
 * itself, whatever arrived before (its last lines say why, e.g. an unhandled rejection).
 */
export async function exitOf(service: ManagedProcess): Promise<string | undefined> {
  const info = await Promise.race([
    service.exited,
    new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)),
  ]);
  if (info === undefined) return undefined;
  const last = service
    .output()
    .split('\n')
    .filter((line) => !line.startsWith('{'))
    .slice(-12)
    .join('\n');
  return `exited (code ${info.code}, signal ${info.signal}); its last non-log lines:\n${last}`;
}

/** True when fault runs against the real service were asked for (they need the built service). */
export const FAULTS_ENABLED = process.env.SUBSTREAM_FAULTS === '1';
