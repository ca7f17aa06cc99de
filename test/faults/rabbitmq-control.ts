/**
 * A RabbitMQ node of the fault run's own, for "RabbitMQ stopped and restarted under load": its own
 * node name, AMQP and distribution ports, data and log directories in a temporary directory, and a
 * configuration file of its own (the machine's /etc/rabbitmq names the shared listener on 5672).
 * It is stopped with `rabbitmqctl -n <its node> shutdown` and started again on the same data, so
 * durable queues and their messages survive. It refuses the shared node's ports and name: the
 * machine's RabbitMQ on 5672 is never touched.
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/infra.js';

const run = promisify(execFile);
const SHARED_PORTS = new Set([5672, 25672, 15672, 4369]);

export interface PrivateRabbitOptions {
  /** AMQP port (a free one when absent); never 5672. */
  port?: number;
  /** Erlang distribution port (a free one when absent); never 25672. */
  distPort?: number;
  /** Node name, `name@localhost` (unique when absent); never the shared `rabbit@...`. */
  node?: string;
}

export interface PrivateRabbit {
  readonly node: string;
  readonly port: number;
  readonly url: string;
  start(): Promise<void>;
  /** Shuts the node down (the broker process exits, connections drop). */
  stop(): Promise<void>;
  /** Stops the node, waits `downMs`, starts it again on the same data. */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stops the node and removes its directory. */
  remove(): Promise<void>;
}

export function privateRabbit(options: PrivateRabbitOptions = {}): PrivateRabbit {
  const node =
    options.node ?? `substream-fault-${process.pid}-${Math.random().toString(36).slice(2, 8)}@localhost`;
  if (node.startsWith('rabbit@'))
    throw new Error(`${node} is the shared RabbitMQ node: use a node of the run's own`);
  for (const p of [options.port, options.distPort]) {
    if (p !== undefined && SHARED_PORTS.has(p)) throw new Error(`port ${p} belongs to the shared RabbitMQ`);
  }
  let port = options.port ?? 0;
  let distPort = options.distPort ?? 0;
  let dir: string | undefined;
  let running = false;

  const ctl = async (...args: string[]): Promise<void> => {
    await run('rabbitmqctl', ['-n', node, ...args], { timeout: 120_000 });
  };

  const prepare = async (): Promise<string> => {
    if (dir !== undefined) return dir;
    if (port === 0) port = await freePort();
    if (distPort === 0) distPort = await freePort();
    dir = await mkdtemp(join(tmpdir(), 'substream-fault-rabbit-'));
    // rabbitmq-server started as root runs the node as the rabbitmq user, which must write here.
    await chmod(dir, 0o777);
    await writeFile(join(dir, 'rabbitmq.conf'), 'log.file.level = info\n');
    await writeFile(join(dir, 'rabbitmq-env.conf'), 'ERL_EPMD_ADDRESS=127.0.0.1\n');
    await writeFile(join(dir, 'enabled_plugins'), '[].\n');
    return dir;
  };

  const launch = async (): Promise<void> => {
    const base = await prepare();
    const child = spawn('rabbitmq-server', [], {
      cwd: base,
      detached: true,
      stdio: 'ignore',
      env: {
        ...process.env,
        RABBITMQ_NODENAME: node,
        RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
        RABBITMQ_NODE_PORT: String(port),
        RABBITMQ_DIST_PORT: String(distPort),
        RABBITMQ_MNESIA_BASE: join(base, 'mnesia'),
        RABBITMQ_LOG_BASE: join(base, 'log'),
        RABBITMQ_CONFIG_FILE: join(base, 'rabbitmq.conf'),
        RABBITMQ_CONF_ENV_FILE: join(base, 'rabbitmq-env.conf'),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(base, 'enabled_plugins'),
        RABBITMQ_PID_FILE: join(base, 'pid'),
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
        ERL_EPMD_ADDRESS: '127.0.0.1',
      },
    });
    child.unref();
    // await_startup fails at once while the node is not yet registered: ask again until it answers.
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        await ctl('await_startup', '--timeout', '30');
        running = true;
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`private RabbitMQ ${node} did not start (logs in ${base}/log): ${String(error)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  };

  const stop = async (): Promise<void> => {
    if (!running) return;
    await ctl('shutdown');
    running = false;
  };

  return {
    node,
    get port() {
      return port;
    },
    get url() {
      return `amqp://guest:guest@127.0.0.1:${port}`;
    },
    start: launch,
    stop,
    async restart({ downMs = 10_000 } = {}) {
      await stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await launch();
    },
    async remove() {
      await stop();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}
