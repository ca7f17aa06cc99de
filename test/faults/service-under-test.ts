/**
 * The substream service as a fault run starts it: `node bin/substream.js run [mode]` with its
 * configuration in the environment (names from the configuration schema), its own data directory,
 * ready when /readyz answers. Loopback endpoints are allowed, since the receiver runs on loopback.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
async function becomesReady(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
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

async function launch(options: ServiceOptions, dataDir: string): Promise<ManagedProcess> {
  const root = options.root ?? process.cwd();
  return startProcess({
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
 * Starts the service and waits until it is ready. On topics it has just created an instance can
 * fail at start (the broker has no partition leaders for them yet), so a start that reports a
 * failed instance is retried once, on the same data directory, once the topics exist.
 */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const dataDir = await mkdtemp(join(tmpdir(), 'substream-fault-'));
  const url = `http://127.0.0.1:${options.port}`;
  for (let attempt = 1; ; attempt++) {
    const child = await launch(options, dataDir);
    if (await becomesReady(url, 120_000)) return Object.assign(child, { url });
    await child.kill9();
    if (attempt >= 2) {
      throw new Error(`the service on port ${options.port} was not ready:\n${child.output().slice(-3000)}`);
    }
    console.log(`service on port ${options.port} reported a failed instance at start; starting it again`);
  }
}

/** True when fault runs against the real service were asked for (they need the built service). */
export const FAULTS_ENABLED = process.env.SUBSTREAM_FAULTS === '1';
