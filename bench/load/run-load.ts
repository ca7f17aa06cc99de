/**
 * One end-to-end load run against the service through its public surfaces: register the generated
 * subscriptions over HTTP, start the receiver (and AMQP recorder), drive changes into the changelog
 * topic or the HTTP ingest at the set rate, sample processes and consumer lag, wait for deliveries
 * to drain, then account for every expected notification and write the results.
 */
// Before kafkajs: the harness's producers use the same codec replacements as the service (docs/kafka-codec.md).
import '../../connectors/kafka/native-crc.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  account,
  buildTimeline,
  changeGenerator,
  driveEncodedLoad,
  driveLoad,
  every,
  focusKey,
  expectedLedger,
  expectedMatchOracle,
  generateSubscriptions,
  httpEmitter,
  kafkaEmitter,
  lagSampler,
  pregenerate,
  collectGarbageNow,
  counterSampler,
  openCpuBudget,
  processSampler,
  rateCounter,
  startAmqpRecorder,
  startThreadedHttpReceiver,
  summarize,
  writeResult,
  type AccountingReport,
  type Arrival,
  type ArrivalLog,
  type ChangeEmitter,
  type EncodedPart,
  type ExpectedLedger,
  type GeneratedSubscription,
  type HttpReceiver,
  type NamedProcess,
  type Oracle,
  type RunResult,
  type WrittenResult,
} from '../harness/index.js';
import type { ChangeEvent } from '../../processors/index.js';
import { serviceClient } from './service-client.js';

/** What a processor's memory is made of, read from its `/metrics` each second (over-time.ts shows them). */
export const PROCESSOR_GAUGES = [
  'substream_process_nodejs_heap_size_used_bytes',
  'substream_process_nodejs_external_memory_bytes',
  'substream_store_cache_bytes',
] as const;

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
  /**
   * Processes whose CPU time is added up over the load and its drain, beside this process (the
   * generator and the receiver) and the whole machine: the run's CPU budget per change.
   */
  accounted?: NamedProcess[];
  /** Base URLs of the processor instances whose metrics give the changes they take in each second. */
  processorUrls?: string[];
  seed: number;
  batchSize: number;
  /** Sending lanes (each one batch at a time, a resource always on the same lane), per sender. */
  lanes?: number;
  /**
   * Sender threads (Kafka transport only): with 1 or more, the changes are generated and serialised
   * before the load and produced by that many threads, each with its own producer and its share of
   * the resources; 0 (the default) generates and sends in this thread, as the HTTP transport does.
   */
  senders?: number;
  /** How long to wait after the last change for deliveries to settle, at most. */
  drainSeconds: number;
  /** Quiet seconds after which the drain gives up early (10); longer when retries back off. */
  quietSeconds?: number;
  waitReadySeconds: number;
  /**
   * Seconds at most to wait after registering, before the load, until the handshakes of the new
   * subscriptions stopped arriving (two quiet seconds): the load then meets a service that is done
   * setting up its subscriptions (0: start at once).
   */
  settleSeconds?: number;
  /** Seconds at the start of the load left out of the steady-state latency (the whole-run figures keep them). */
  warmupSeconds?: number;
  /**
   * A CSV file to write every event notification's arrival to (arrival time, latency, subscription,
   * event number), for looking at the latency over time at a finer grain than the report's seconds.
   */
  arrivalsFile?: string;
  /** Remove the generated subscriptions after the run. */
  cleanup: boolean;
  resultsDir: string;
  notes: string[];
  log?: (line: string) => void;
  /** Faults injected during the load, each at its time from the start of the load. */
  faults?: ScheduledFault[];
  /** Sees every batch of changes once it is on the changelog, with the time it got there (not with `senders`). */
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
  /** What the oracle expected each subscription to receive, for checks a fault run adds. */
  expected: ExpectedLedger;
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
 * Waits for deliveries to settle: once as many distinct event notifications as expected came (then
 * one quiet second for stragglers), or after `quietSeconds`, or at the limit. Only event
 * notifications count, each subscription+focus once: handshakes, heartbeats and redeliveries
 * would otherwise make up for missing ones and end the drain while a recovering service still
 * owes them (a broker-restart run stopped waiting 1 s after the broker was back).
 */
async function drain(
  expected: number,
  logs: ArrivalLog[],
  limitMs: number,
  quietLimitMs: number,
): Promise<void> {
  const seen = new Set<string>();
  const scanned = logs.map(() => 0);
  const count = (): number => {
    logs.forEach((log, i) => {
      const arrivals = log.arrivals();
      for (let k = scanned[i]!; k < arrivals.length; k++) {
        const a = arrivals[k]!;
        if (a.type !== 'event-notification') continue;
        seen.add(`${a.subscriptionId} ${a.focus ?? a.notificationId ?? `#${a.eventNumber}`}`);
      }
      scanned[i] = arrivals.length;
    });
    return seen.size;
  };
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

/**
 * The changes of a run with sender threads, generated and serialised before the load: the oracle's
 * expectations are noted per record as they are generated, and put in the ledger for the records
 * that were sent once the senders are done.
 */
function encodeLoad(
  options: LoadRunOptions,
  senders: number,
  oracle: Oracle,
  log: (line: string) => void,
): {
  parts: EncodedPart[];
  settle(ledger: ExpectedLedger, perPart: { taken: number; failed: number[] }[]): void;
} {
  const began = Date.now();
  const expectations: Map<number, { focus: string; ids: string[] }>[] = Array.from(
    { length: senders },
    () => new Map(),
  );
  const parts = pregenerate({
    generator: changeGenerator({ seed: options.seed }),
    parts: senders,
    perPart: Math.ceil((options.rate * options.durationSeconds) / senders),
    onChange: (change, part, index) => {
      const ids = oracle.expected(change.value).map((s) => s.id);
      if (ids.length > 0) expectations[part]?.set(index, { focus: focusKey(change.value), ids });
    },
  });
  const count = parts.reduce((n, p) => n + p.keys.length, 0);
  log(`generated ${count} changes for ${senders} senders in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  return {
    parts,
    settle(ledger, perPart) {
      perPart.forEach(({ taken, failed }, p) => {
        const lost = new Set(failed);
        for (const [index, { focus, ids }] of expectations[p] ?? []) {
          if (index >= taken || lost.has(index)) continue;
          for (const id of ids) ledger.add(id, focus);
        }
      });
    },
  };
}

/** Waits until arrivals stopped for two seconds (after at least one) or `limitMs` passed. */
async function settle(
  logs: readonly ArrivalLog[],
  limitMs: number,
): Promise<{ arrivals: number; ms: number }> {
  const start = Date.now();
  const count = () => logs.reduce((n, l) => n + l.arrivals().length, 0);
  let last = count();
  let quietSince = Date.now();
  while (Date.now() - start < limitMs) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = count();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    } else if (now > 0 && Date.now() - quietSince >= 2000) break;
  }
  return { arrivals: last, ms: Date.now() - start };
}

export async function runLoad(options: LoadRunOptions): Promise<LoadRunOutcome> {
  const log = options.log ?? ((line: string) => console.log(line));
  // On a thread of its own: this thread's heap grows with the run, and its pauses would stamp arrivals late.
  const receiver = await startThreadedHttpReceiver({ port: options.receiverPort });
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
    let settledNote: string | undefined;
    if ((options.settleSeconds ?? 0) > 0) {
      const settled = await settle(logs, options.settleSeconds! * 1000);
      settledNote = `the load started once the handshakes had settled: ${settled.arrivals} arrived in ${(settled.ms / 1000).toFixed(1)} s after registering`;
      log(settledNote);
    }

    const oracle = expectedMatchOracle(subscriptions);
    const ledger = expectedLedger(oracle);
    const senders = options.transport === 'kafka' ? (options.senders ?? 0) : 0;
    if (senders > 0 && options.onChanges !== undefined) {
      throw new RangeError('onChanges needs the changes in this thread: use senders 0');
    }
    const encoded = senders > 0 ? encodeLoad(options, senders, oracle, log) : undefined;
    // Generation's garbage goes now, not in a pause of the receiver during the load.
    collectGarbageNow();
    const startMs = Date.now();
    const loadAtStart = loadavg()[0] ?? 0;
    const sent = rateCounter(startMs);
    const processes = processSampler(options.pids);
    const processed =
      options.processorUrls && options.processorUrls.length > 0
        ? counterSampler({
            urls: options.processorUrls,
            metric: 'substream_changes_consumed_total',
            gauges: PROCESSOR_GAUGES,
            startMs,
          })
        : undefined;
    await processed?.sample();
    const budget = await openCpuBudget([
      { name: 'load harness (generator, receiver)', pid: process.pid },
      ...(options.accounted ?? []),
    ]);
    await admin?.connect();
    const lag =
      admin && options.consumerGroup
        ? lagSampler({ admin, groupId: options.consumerGroup, topics: [options.changelogTopic] })
        : undefined;
    const sampling = every(1_000, async () => {
      await Promise.all([processes.sample(), lag?.sample(), processed?.sample()]);
    });

    // Faults are timed from the moment the first change leaves.
    let faults: Promise<void>[] = [];
    const startFaults = (): void => {
      faults = (options.faults ?? []).map(
        (fault) =>
          new Promise<void>((resolve, reject) => {
            setTimeout(() => {
              log(`fault ${fault.name} at ${fault.atSeconds} s`);
              fault.run({ receiver, subscriptions, log }).then(resolve, reject);
            }, fault.atSeconds * 1000);
          }),
      );
    };
    log(
      `driving ${options.rate} changes/s for ${options.durationSeconds} s over ${options.transport}` +
        (senders > 0 ? ` from ${senders} sender threads` : ''),
    );
    let load: { sent: number; ratePerSecond: number; failedBatches: number; errors: string[] };
    if (encoded !== undefined) {
      const acknowledged = new Array<number>(senders).fill(0);
      const result = await driveEncodedLoad({
        brokers: options.brokers,
        topic: options.changelogTopic,
        parts: encoded.parts,
        ratePerSecond: options.rate,
        durationMs: options.durationSeconds * 1000,
        batchSize: options.batchSize,
        lanes: options.lanes ?? 16,
        onStart: startFaults,
        onProgress: (part, soFar) => {
          sent.add(soFar - (acknowledged[part] as number));
          acknowledged[part] = soFar;
        },
      });
      encoded.settle(ledger, result.perPart);
      load = result;
    } else {
      await emitter.connect();
      startFaults();
      load = await driveLoad({
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
    }
    await Promise.all(faults);
    const expectedTotal = [...ledger.bySubscription().values()].reduce((n, s) => n + s.size, 0);
    log(
      `sent ${load.sent} changes (${load.ratePerSecond.toFixed(0)}/s); waiting for ${expectedTotal} notifications`,
    );
    await drain(expectedTotal, logs, options.drainSeconds * 1000, (options.quietSeconds ?? 10) * 1000);
    const cpuBudget = await budget.close(load.sent);
    await sampling.stop();

    const arrivals: Arrival[] = logs.flatMap((l) => [...l.arrivals()]);
    const report = account({ expected: ledger, arrivals });
    const events = arrivals.filter((a) => a.type === 'event-notification');
    const latencies = events.flatMap((a) => (a.latencyMs !== undefined ? [a.latencyMs] : []));
    const warmupSeconds = options.warmupSeconds ?? 0;
    // A change's own time is its arrival minus its latency.
    const steadyFrom = startMs + warmupSeconds * 1000;
    const steadyLatencies = events.flatMap((a) =>
      a.latencyMs !== undefined && a.arrivedAt - a.latencyMs >= steadyFrom ? [a.latencyMs] : [],
    );
    if (options.arrivalsFile !== undefined) await writeArrivals(options.arrivalsFile, events);
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
        senders: options.transport === 'kafka' ? (options.senders ?? 0) : 0,
        batch: options.batchSize,
        lanes: options.lanes ?? (options.senders ? 16 : 4),
      },
      notes: [
        ...options.notes,
        ...(settledNote !== undefined ? [settledNote] : []),
        `load average (1 min, ${cpus().length} cores) ${loadAtStart.toFixed(1)} at the start, ${(loadavg()[0] ?? 0).toFixed(1)} at the end`,
        ...(load.failedBatches > 0
          ? [`${load.failedBatches} batches failed: ${load.errors.slice(0, 3).join('; ')}`]
          : []),
        ...(sampling.errors().length > 0
          ? [`sampling errors: ${sampling.errors().slice(0, 3).join('; ')}`]
          : []),
        ...(recorder !== undefined && recorder.reconnects() > 0
          ? [`the AMQP recorder reconnected ${recorder.reconnects()} times`]
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
      ...(warmupSeconds > 0 ? { steady: { warmupSeconds, latencyMs: summarize(steadyLatencies) } } : {}),
      counts: report.totals,
      timeline: buildTimeline({
        startMs,
        sentPerSecond: sent.perSecond(),
        arrivals: events,
        ...(processed ? { processedPerSecond: processed.perSecond() } : {}),
      }),
      processes: [...processes.samples()],
      lag: [...(lag?.samples() ?? [])],
      ...(processed ? { processorGauges: [...processed.gaugeSamples()] } : {}),
      cpuBudget,
    };
    const written = await writeResult(result, options.resultsDir);
    if (options.cleanup) {
      for (const s of subscriptions) await client.remove('Subscription', s.id);
    }
    return { result, report, written, arrivals, subscriptions, expected: ledger };
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

async function writeArrivals(file: string, events: readonly Arrival[]): Promise<void> {
  const rows = [...events]
    .sort((a, b) => a.arrivedAt - b.arrivedAt)
    .map((a) => `${a.arrivedAt},${a.latencyMs ?? ''},${a.subscriptionId},${a.eventNumber ?? ''}`);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `arrivedAt,latencyMs,subscriptionId,eventNumber\n${rows.join('\n')}\n`);
}
