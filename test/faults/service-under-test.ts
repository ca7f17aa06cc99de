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

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const root = options.root ?? process.cwd();
  const dataDir = await mkdtemp(join(tmpdir(), 'substream-fault-'));
  const child = await startProcess({
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
    readyUrl: `http://127.0.0.1:${options.port}/readyz`,
    readyTimeoutMs: 120_000,
  });
  return Object.assign(child, { url: `http://127.0.0.1:${options.port}` });
}

/** True when fault runs against the real service were asked for (they need the built service). */
export const FAULTS_ENABLED = process.env.SUBSTREAM_FAULTS === '1';
