/**
 * One end-to-end load run against the service through its public surfaces: register the generated
 * subscriptions over HTTP, start the receiver (and AMQP recorder), drive changes into the changelog
 * topic or the HTTP ingest at the set rate, sample processes and consumer lag, wait for deliveries
 * to drain, then account for every expected notification and write the results.
 */
import { Kafka, logLevel } from 'kafkajs';
import {
  account,
  buildTimeline,
  changeGenerator,
  driveLoad,
  every,
  expectedLedger,
  expectedMatchOracle,
  generateSubscriptions,
  httpEmitter,
  kafkaEmitter,
  lagSampler,
  processSampler,
  rateCounter,
  startAmqpRecorder,
  startHttpReceiver,
  summarize,
  writeResult,
  type AccountingReport,
  type Arrival,
  type ArrivalLog,
  type ChangeEmitter,
  type GeneratedSubscription,
  type HttpReceiver,
  type RunResult,
  type WrittenResult,
} from '../harness/index.js';
import type { ChangeEvent } from '../../processors/index.js';
import { serviceClient } from './service-client.js';

export interface LoadRunOptions {
  name: string;
  /** Changes per second. */
  rate: number;
  durationSeconds: number;
  subscriptions: number;
  /** Where changes go: the changelog topic on Kafka, or the service's POST /changes. */
  transport: 'kafka' | 'http';
  brokers: string[];
  changelogTopic: string;
  serviceUrl: string;
  token?: string;
  /** Port of the receiver on 127.0.0.1 (0 picks one); `receiverHost` is how the service reaches it. */
  receiverPort: number;
  receiverHost: string;
  /**
   * Message-channel subscriptions (a share of them), when given: the endpoint they name and the
   * RabbitMQ URL and queue the recorder consumes.
   */
  amqp?: { url: string; queue: string; endpoint: string; share: number };
  /** Consumer group whose lag on the changelog topic is sampled, when given. */
  consumerGroup?: string;
  /** Processes whose CPU and RSS are sampled (the service's instances and sinks). */
  pids: number[];
  seed: number;
  batchSize: number;
  /** Sending lanes (each one batch at a time, a resource always on the same lane). */
  lanes?: number;
  /** How long to wait after the last change for deliveries to settle, at most. */
  drainSeconds: number;
  /** Quiet seconds after which the drain gives up early (10); longer when retries back off. */
  quietSeconds?: number;
  waitReadySeconds: number;
  /** Remove the generated subscriptions after the run. */
  cleanup: boolean;
  resultsDir: string;
  notes: string[];
  log?: (line: string) => void;
  /** Faults injected during the load, each at its time from the start of the load. */
  faults?: ScheduledFault[];
  /** Sees every batch of changes once it is on the changelog, with the time it got there. */
  onChanges?: (changes: readonly ChangeEvent[], sentAt: number) => void;
}

/** What a fault can act on: the receiver (to take an endpoint down) and the generated subscriptions. */
export interface FaultContext {
  receiver: HttpReceiver;
  subscriptions: readonly GeneratedSubscription[];
  log: (line: string) => void;
}

export interface ScheduledFault {
  name: string;
  atSeconds: number;
  run(context: FaultContext): Promise<void>;
}

export interface LoadRunOutcome {
  result: RunResult;
  report: AccountingReport;
  written: WrittenResult;
  /** Every arrival, for analyses a fault run adds (per-subscription latency, order). */
  arrivals: Arrival[];
  subscriptions: GeneratedSubscription[];
}

function emitterFor(options: LoadRunOptions): ChangeEmitter {
  return options.transport === 'kafka'
    ? kafkaEmitter({ brokers: options.brokers, topic: options.changelogTopic })
    : httpEmitter({
        baseUrl: options.serviceUrl,
        ...(options.token !== undefined ? { token: options.token } : {}),
      });
}

/**
 * Waits for deliveries to settle: once as many arrivals as expected notifications came (duplicates
 * count too, so it then waits one quiet second for stragglers), or after `quietSeconds`, or at
 * the limit.
 */
async function drain(
  expected: number,
  logs: ArrivalLog[],
  limitMs: number,
  quietLimitMs: number,
): Promise<void> {
  const count = (): number => logs.reduce((n, l) => n + l.arrivals().length, 0);
  const deadline = Date.now() + limitMs;
  let last = count();
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = count();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    }
    const quietMs = Date.now() - quietSince;
    if ((now >= expected && quietMs >= 1_000) || quietMs >= quietLimitMs) return;
  }
}

export async function runLoad(options: LoadRunOptions): Promise<LoadRunOutcome> {
  const log = options.log ?? ((line: string) => console.log(line));
  const receiver = await startHttpReceiver({ port: options.receiverPort });
  const receiverUrl = `http://${options.receiverHost}:${receiver.port}/`;
  const logs: ArrivalLog[] = [receiver];
  const recorder = options.amqp
    ? await startAmqpRecorder({ url: options.amqp.url, queues: [options.amqp.queue], declare: true })
    : undefined;
  if (recorder) logs.push(recorder);

  const { subscriptions, topics } = generateSubscriptions({
    count: options.subscriptions,
    seed: options.seed,
    channels: {
      restHookUrl: receiverUrl,
      ...(options.amqp ? { message: { endpoint: options.amqp.endpoint, share: options.amqp.share } } : {}),
    },
  });
  const client = serviceClient({
    baseUrl: options.serviceUrl,
    ...(options.token !== undefined ? { token: options.token } : {}),
  });
  const kafka = new Kafka({
    clientId: 'substream-bench',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = options.consumerGroup !== undefined ? kafka.admin() : undefined;
  const emitter = emitterFor(options);

  try {
    if (options.waitReadySeconds > 0) await client.waitReady(options.waitReadySeconds * 1000);
    log(
      `registering ${topics.length} topics and ${subscriptions.length} subscriptions at ${options.serviceUrl}`,
    );
    await client.putAll(topics);
    await client.putAll(subscriptions.map((s) => s.resource));

    const oracle = expectedMatchOracle(subscriptions);
    const ledger = expectedLedger(oracle);
    const startMs = Date.now();
    const sent = rateCounter(startMs);
    const processes = processSampler(options.pids);
    await admin?.connect();
    const lag =
      admin && options.consumerGroup
        ? lagSampler({ admin, groupId: options.consumerGroup, topics: [options.changelogTopic] })
        : undefined;
    const sampling = every(1_000, async () => {
      await processes.sample();
      await lag?.sample();
    });

    await emitter.connect();
    const faults = (options.faults ?? []).map(
      (fault) =>
        new Promise<void>((resolve, reject) => {
          setTimeout(() => {
            log(`fault ${fault.name} at ${fault.atSeconds} s`);
            fault.run({ receiver, subscriptions, log }).then(resolve, reject);
          }, fault.atSeconds * 1000);
        }),
    );
    log(`driving ${options.rate} changes/s for ${options.durationSeconds} s over ${options.transport}`);
    const load = await driveLoad({
      generator: changeGenerator({ seed: options.seed }),
      emitter,
      ratePerSecond: options.rate,
      durationMs: options.durationSeconds * 1000,
      batchSize: options.batchSize,
      ...(options.lanes !== undefined ? { lanes: options.lanes } : {}),
      onSent: (batch) => {
        sent.add(batch.length);
        for (const change of batch) ledger.addChange(change.value);
        options.onChanges?.(
          batch.map((c) => c.value),
          Date.now(),
        );
      },
    });
    await Promise.all(faults);
    const expectedTotal = [...ledger.bySubscription().values()].reduce((n, s) => n + s.size, 0);
    log(
      `sent ${load.sent} changes (${load.ratePerSecond.toFixed(0)}/s); waiting for ${expectedTotal} notifications`,
    );
    await drain(expectedTotal, logs, options.drainSeconds * 1000, (options.quietSeconds ?? 10) * 1000);
    await sampling.stop();

    const arrivals: Arrival[] = logs.flatMap((l) => [...l.arrivals()]);
    const report = account({ expected: ledger, arrivals });
    const events = arrivals.filter((a) => a.type === 'event-notification');
    const latencies = events.flatMap((a) => (a.latencyMs !== undefined ? [a.latencyMs] : []));
    const lastArrival = events.reduce((m, a) => Math.max(m, a.arrivedAt), startMs);
    const result: RunResult = {
      name: options.name,
      startedAt: new Date(startMs).toISOString(),
      settings: {
        rate: options.rate,
        durationSeconds: options.durationSeconds,
        subscriptions: options.subscriptions,
        transport: options.transport,
        changelogTopic: options.changelogTopic,
        seed: options.seed,
      },
      notes: [
        ...options.notes,
        ...(load.failedBatches > 0
          ? [`${load.failedBatches} batches failed: ${load.errors.slice(0, 3).join('; ')}`]
          : []),
        ...(sampling.errors().length > 0
          ? [`sampling errors: ${sampling.errors().slice(0, 3).join('; ')}`]
          : []),
        ...(receiver.unidentified() > 0
          ? [`${receiver.unidentified()} notifications named no subscription`]
          : []),
      ],
      sent: load.sent,
      sentRatePerSecond: load.ratePerSecond,
      deliveredRatePerSecond:
        lastArrival > startMs ? (report.totals.delivered / (lastArrival - startMs)) * 1000 : 0,
      latencyMs: summarize(latencies),
      counts: report.totals,
      timeline: buildTimeline({ startMs, sentPerSecond: sent.perSecond(), arrivals: events }),
      processes: [...processes.samples()],
      lag: [...(lag?.samples() ?? [])],
    };
    const written = await writeResult(result, options.resultsDir);
    if (options.cleanup) {
      for (const s of subscriptions) await client.remove('Subscription', s.id);
    }
    return { result, report, written, arrivals, subscriptions };
  } finally {
    // Close everything; a failure to close is reported without hiding the run's own error.
    const closing = await Promise.allSettled([
      emitter.close(),
      admin?.disconnect(),
      client.close(),
      recorder?.close(),
      receiver.close(),
    ]);
    for (const c of closing) if (c.status === 'rejected') log(`closing failed: ${String(c.reason)}`);
  }
}
