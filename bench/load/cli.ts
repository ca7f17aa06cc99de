/**
 * `npm run bench:load -- [options]`: one end-to-end load run against a running substream service.
 * Prints the markdown table and writes JSON, markdown and SVG into bench/results/.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { SubstreamError } from '../../state/index.js';
import { formatCounts, type NamedProcess } from '../harness/index.js';
import { runLoad, type LoadRunOptions } from './run-load.js';
import { readFile } from 'node:fs/promises';

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function nonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number, 1 or more');
  return n;
}

function share(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('must be between 0 and 1');
  return n;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

async function pidsOf(values: string[]): Promise<number[]> {
  // A value is a pid or a pid file (as `substream run` or a supervisor writes).
  return Promise.all(
    values.map(async (v) => (/^\d+$/.test(v) ? Number(v) : Number((await readFile(v, 'utf8')).trim()))),
  );
}

/** `name=pid` (or `name=pidfile`) entries: processes whose CPU goes into the run's CPU budget. */
async function namedProcessesOf(values: string[]): Promise<NamedProcess[]> {
  return Promise.all(
    values.map(async (entry) => {
      const at = entry.lastIndexOf('=');
      if (at <= 0) throw new InvalidArgumentError(`--account takes name=pid entries, got "${entry}"`);
      const [pid] = await pidsOf([entry.slice(at + 1)]);
      if (pid === undefined || !Number.isInteger(pid) || pid <= 0)
        throw new InvalidArgumentError(`--account: no pid in "${entry}"`);
      return { name: entry.slice(0, at), pid };
    }),
  );
}

export function buildLoadCli(): Command {
  return new Command('bench:load')
    .description('Drive generated FHIR changes into substream and measure delivery to a loopback receiver')
    .option('--name <name>', 'result file name (default load-<rate>x<subscriptions>-<time>)')
    .addOption(new Option('--rate <n>', 'changes per second').argParser(positive).default(1_000))
    .addOption(new Option('--duration <s>', 'seconds of load').argParser(positive).default(30))
    .addOption(
      new Option('--subscriptions <n>', 'generated subscriptions').argParser(nonNegative).default(1_000),
    )
    .addOption(
      new Option('--transport <kind>', 'where changes go').choices(['kafka', 'http']).default('kafka'),
    )
    .option('--brokers <list>', 'Kafka brokers, comma-separated', list, ['127.0.0.1:9092'])
    .option('--topic <name>', 'changelog topic', 'fhir.changelog')
    .option('--service <url>', 'service base URL (admin API, ingest, /readyz)', 'http://127.0.0.1:8080')
    .addOption(new Option('--token <token>', 'bearer token for the admin API').env('ADMIN_TOKEN'))
    .addOption(
      new Option('--receiver-port <n>', 'receiver port on 127.0.0.1 (0: any)')
        .argParser(nonNegative)
        .default(0),
    )
    .option('--receiver-host <host>', 'host name the service uses to reach the receiver', '127.0.0.1')
    .option('--amqp-url <url>', 'RabbitMQ URL for message-channel subscriptions')
    .option('--amqp-queue <name>', 'queue the recorder consumes', 'substream-bench')
    .option(
      '--amqp-endpoint <endpoint>',
      'endpoint message-channel subscriptions name (default channel:<queue>)',
    )
    .addOption(
      new Option('--amqp-share <x>', 'share of subscriptions on the message channel')
        .argParser(share)
        .default(0.1),
    )
    .option('--group <id>', 'consumer group whose changelog lag is sampled')
    .option('--pids <list>', 'pids or pid files of service processes to sample', list, [])
    .option(
      '--processors <list>',
      'base URLs of processor instances whose metrics give the changes taken in per second',
      list,
      [],
    )
    .option(
      '--account <list>',
      'name=pid entries (pid or pid file) whose CPU is added up over the load: the CPU budget per change',
      list,
      [],
    )
    .addOption(
      new Option('--seed <n>', 'seed of the change and subscription generators')
        .argParser(nonNegative)
        .default(1),
    )
    .addOption(
      new Option('--batch <n>', 'changes per produce/POST batch').argParser(positiveInteger).default(1_000),
    )
    .addOption(
      new Option('--lanes <n>', 'sending lanes per sender (one batch in flight each)')
        .argParser(positiveInteger)
        .default(16),
    )
    .addOption(
      new Option(
        '--senders <n>',
        'sender threads producing pre-generated changes (kafka transport; 0: generate and send in the main thread)',
      )
        .argParser(nonNegative)
        .default(2),
    )
    .addOption(
      new Option('--drain <s>', 'seconds to wait for deliveries after the load')
        .argParser(nonNegative)
        .default(60),
    )
    .addOption(
      new Option('--wait-ready <s>', 'seconds to wait for /readyz (0: do not ask)')
        .argParser(nonNegative)
        .default(30),
    )
    .addOption(
      new Option(
        '--warmup <s>',
        'seconds at the start of the load left out of the steady-state latency (whole-run figures keep them)',
      )
        .argParser(nonNegative)
        .default(0),
    )
    .addOption(
      new Option(
        '--settle <s>',
        'seconds at most to wait, after registering, until the handshakes stopped arriving (0: start at once)',
      )
        .argParser(nonNegative)
        .default(0),
    )
    .option('--arrivals <file>', "write every event notification's arrival and latency to this CSV file")
    .option('--cleanup', 'delete the generated subscriptions afterwards', false)
    .option('--results <dir>', 'results directory', 'bench/results')
    .option('--note <text...>', 'notes written into the results (e.g. "machine shared")', [])
    .action(async (o: Record<string, unknown>) => {
      const rate = o.rate as number;
      const subscriptions = o.subscriptions as number;
      const queue = o.amqpQueue as string;
      const options: LoadRunOptions = {
        name:
          (o.name as string | undefined) ??
          `load-${rate}x${subscriptions}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
        rate,
        durationSeconds: o.duration as number,
        subscriptions,
        transport: o.transport as 'kafka' | 'http',
        brokers: o.brokers as string[],
        changelogTopic: o.topic as string,
        serviceUrl: o.service as string,
        ...(o.token !== undefined ? { token: o.token as string } : {}),
        receiverPort: o.receiverPort as number,
        receiverHost: o.receiverHost as string,
        ...(o.amqpUrl !== undefined
          ? {
              amqp: {
                url: o.amqpUrl as string,
                queue,
                endpoint: (o.amqpEndpoint as string | undefined) ?? `channel:${queue}`,
                share: o.amqpShare as number,
              },
            }
          : {}),
        ...(o.group !== undefined ? { consumerGroup: o.group as string } : {}),
        pids: await pidsOf(o.pids as string[]),
        accounted: await namedProcessesOf(o.account as string[]),
        processorUrls: o.processors as string[],
        seed: o.seed as number,
        batchSize: o.batch as number,
        lanes: o.lanes as number,
        senders: o.senders as number,
        drainSeconds: o.drain as number,
        waitReadySeconds: o.waitReady as number,
        settleSeconds: o.settle as number,
        warmupSeconds: o.warmup as number,
        ...(o.arrivals !== undefined ? { arrivalsFile: o.arrivals as string } : {}),
        cleanup: o.cleanup as boolean,
        resultsDir: o.results as string,
        notes: o.note as string[],
      };
      const { result, written } = await runLoad(options);
      console.log(
        `asked ${rate} changes/s, sent ${result.sentRatePerSecond.toFixed(0)}/s (${result.sent} acknowledged)`,
      );
      console.log(formatCounts(result.name, result.counts));
      console.log(
        `latency ms: p50 ${result.latencyMs.p50.toFixed(1)}, p99 ${result.latencyMs.p99.toFixed(1)}, max ${result.latencyMs.max.toFixed(1)}`,
      );
      console.log(`results: ${written.json}, ${written.markdown}, ${written.svg}`);
    });
}

try {
  await buildLoadCli().parseAsync(process.argv);
} catch (err) {
  process.stderr.write(
    `${err instanceof SubstreamError ? err.message : ((err as Error).stack ?? String(err))}\n`,
  );
  process.exitCode = 1;
}
