/**
 * A Kafka broker of the fault run's own, on its own port pair, started and stopped with
 * scripts/kafka.sh, and restarted with its data kept (the script's start formats fresh storage, so a
 * restart relaunches the same java command line instead). It refuses the shared broker's ports.
 */
import { execFile, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SHARED_PORTS = new Set([9092, 9093]);

export interface PrivateKafkaOptions {
  port: number;
  controllerPort: number;
  /** The repository root, where scripts/kafka.sh lives. */
  root?: string;
}

export interface PrivateKafka {
  readonly brokers: string[];
  start(): Promise<void>;
  /** Graceful stop (SIGTERM, then SIGKILL after 30 s, as the script does). */
  stop(): Promise<void>;
  /** Stops the broker and starts it again on the same data, so topics and offsets survive. */
  restart(options?: { downMs?: number; kill9?: boolean }): Promise<void>;
  pid(): Promise<number | undefined>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: no such process.
    return false;
  }
}

export function privateKafka(options: PrivateKafkaOptions): PrivateKafka {
  if (SHARED_PORTS.has(options.port) || SHARED_PORTS.has(options.controllerPort)) {
    throw new RangeError('a private broker may not use the shared broker ports 9092/9093');
  }
  const root = options.root ?? process.cwd();
  const env = {
    ...process.env,
    KAFKA_PORT: String(options.port),
    KAFKA_CONTROLLER_PORT: String(options.controllerPort),
  };
  const runDir = join(
    process.env.SUBSTREAM_CACHE ?? join(homedir(), '.cache', 'substream'),
    `kafka-run-${options.port}`,
  );
  const pidFile = join(runDir, 'kafka.pid');
  const script = (command: string): Promise<unknown> =>
    run('bash', [join(root, 'scripts/kafka.sh'), command], { env, timeout: 180_000 });
  const pid = async (): Promise<number | undefined> => {
    const text = await readFile(pidFile, 'utf8').catch(() => undefined);
    const value = Number(text?.trim());
    return Number.isInteger(value) && value > 0 && alive(value) ? value : undefined;
  };

  return {
    brokers: [`127.0.0.1:${options.port}`],
    pid,
    start: async () => void (await script('start')),
    stop: async () => void (await script('stop')),
    async restart({ downMs = 0, kill9 = false } = {}) {
      const current = await pid();
      if (current === undefined) throw new Error(`no private broker runs on port ${options.port}`);
      // The same argv, cwd-independent (absolute paths), relaunched once the old process is gone.
      const argv = (await readFile(`/proc/${current}/cmdline`, 'utf8')).split('\0').filter((a) => a !== '');
      process.kill(current, kill9 ? 'SIGKILL' : 'SIGTERM');
      await until(async () => !alive(current), 60_000, 'the broker to exit');
      await new Promise((resolve) => setTimeout(resolve, downMs));
      const log = openSync(join(runDir, 'kafka.log'), 'a');
      const child = spawn(argv[0] as string, argv.slice(1), {
        detached: true,
        stdio: ['ignore', log, log],
        env,
      });
      child.unref();
      await writeFile(pidFile, `${child.pid}\n`);
      await until(() => portOpen(options.port), 90_000, `the broker on port ${options.port}`);
    },
  };
}
