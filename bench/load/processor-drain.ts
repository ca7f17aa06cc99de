/**
 * How fast one `run processor` drains a pre-filled changelog, without the load generator or a sink
 * competing for the CPU:
 *   1. start a processor on topics unique to the run (it creates them) and register the generated
 *      subscriptions through the admin API; stop it;
 *   2. produce `--changes` generated changes (seed 1) to the changelog while nothing consumes it;
 *   3. start the processor again (same data directory) and sample its group's committed offsets
 *      until the lag is 0: drain rate = changes / (lag 0 − ready).
 * The notifications go to the run's notification topics, which nobody consumes; at the end they
 * are read once through and counted: records, distinct notification ids, distinct (subscription,
 * event number) pairs. The same drain must give the same counts every time (a change notified
 * twice under new numbers, as after a rebalance, shows as more pairs).
 *
 * With `--deliver` it runs end to end: an HTTP sink process (`run http-sink`) delivers the
 * notifications to the harness's receiver, and the drain ends when the receiver has every event
 * notification the topics hold; the rate is then changes / (last arrival − first arrival), and
 * the CPU budget covers the processor, the sink, the broker, this process (the receiver) and the
 * machine. Producers are elsewhere in production: this is what the service and its subscribers
 * carry on this machine once the load generator is not competing for its cores.
 *
 *   npx tsx bench/load/processor-drain.ts --changes 100000 --subscriptions 1000 [--name N] [--cpu-prof]
 *     [--deliver]                deliver over HTTP to a receiver too (end to end)
 *     [--service-root DIR]   a built checkout to run instead of this one (to compare two versions)
 *   PROCESSOR_NODE_FLAGS="--max-semi-space-size=64 --trace-gc" passes Node flags to the processor.
 */
// Before kafkajs: the harness's producers use the same codec replacements as the service (docs/kafka-codec.md).
import '../../connectors/kafka/native-crc.js';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import {
  changeGenerator,
  computeLag,
  cpuBudgetLines,
  generateSubscriptions,
  openCpuBudget,
  parseRssBytes,
  startHttpReceiver,
  type CpuBudget,
  type HttpReceiver,
  type NamedProcess,
} from '../harness/index.js';
import { uniqueTopics } from '../../test/support/service.js';
import { serviceClient } from './service-client.js';

interface Options {
  changes: number;
  subscriptions: number;
  brokers: string;
  name: string;
  cpuProf: boolean;
  port: number;
  timeoutSeconds: number;
  notes: string;
  serviceRoot?: string;
  deliver: boolean;
}

function parse(argv: string[]): Options {
  const o: Options = {
    changes: 100_000,
    subscriptions: 1000,
    brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    name: 'processor-drain',
    cpuProf: false,
    port: 18290,
    timeoutSeconds: 600,
    notes: '',
    deliver: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = (): string => argv[++i] ?? '';
    if (a === '--changes') o.changes = Number(v());
    else if (a === '--subscriptions') o.subscriptions = Number(v());
    else if (a === '--brokers') o.brokers = v();
    else if (a === '--name') o.name = v();
    else if (a === '--cpu-prof') o.cpuProf = true;
    else if (a === '--port') o.port = Number(v());
    else if (a === '--timeout') o.timeoutSeconds = Number(v());
    else if (a === '--note') o.notes = v();
    else if (a === '--service-root') o.serviceRoot = v();
    else if (a === '--deliver') o.deliver = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const o = parse(process.argv.slice(2));
const root = new URL('../..', import.meta.url).pathname;
const prefix = `drain-${Date.now()}-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'substream-drain-'));
const env = {
  ...process.env,
  APPLICATION_ID: prefix,
  ...uniqueTopics(prefix),
  KAFKA_BROKERS: o.brokers,
  HOST: '127.0.0.1',
  PORT: String(o.port),
  DATA_DIR: join(work, 'data'),
  ENDPOINT_ALLOWLIST: '127.0.0.1',
  LOG_LEVEL: 'warn',
};
const log = (line: string): void => console.log(`[drain] ${line}`);
const kafka = new Kafka({
  clientId: 'substream-drain',
  brokers: o.brokers.split(','),
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
await admin.connect();

/** The HTTP sink, in a process of its own with its own data directory and port (o.port + 1). */
function startSink(): ChildProcess {
  const bin = join(o.serviceRoot ?? root, 'bin/substream.js');
  return spawn(process.execPath, [bin, 'run', 'http-sink'], {
    env: { ...env, PORT: String(o.port + 1), DATA_DIR: join(work, 'sink') },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** Resolves once no notification arrived for `quietMs`, or at `deadline`; the last arrival's time. */
async function lastArrival(receiver: HttpReceiver, quietMs: number, deadline: number): Promise<number> {
  let count = -1;
  let changedAt = Date.now();
  while (Date.now() < deadline) {
    const now = receiver.arrivals().length;
    if (now !== count) {
      count = now;
      changedAt = Date.now();
    } else if (Date.now() - changedAt >= quietMs) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return receiver.arrivals().reduce((last, a) => Math.max(last, a.arrivedAt), 0);
}

/** Event notifications the receiver has, counted once per (subscription, event number). */
function distinctEvents(receiver: HttpReceiver): number {
  const seen = new Set<string>();
  for (const a of receiver.arrivals())
    if (a.type === 'event-notification') seen.add(`${a.subscriptionId}#${a.eventNumber ?? a.notificationId}`);
  return seen.size;
}

function startProcessor(profile: boolean): ChildProcess {
  const flags = profile ? ['--cpu-prof', `--cpu-prof-dir=${join(root, 'bench/results/raw/profiles')}`] : [];
  // Node flags of the processor for experiments (V8 heap sizes, GC tracing), space-separated.
  flags.push(...(process.env['PROCESSOR_NODE_FLAGS'] ?? '').split(' ').filter((f) => f !== ''));
  if (profile) mkdirSync(join(root, 'bench/results/raw/profiles'), { recursive: true });
  const bin = join(o.serviceRoot ?? root, 'bin/substream.js');
  const child = spawn(process.execPath, [...flags, bin, 'run', 'processor'], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** Resident memory of a process, MiB. */
const rssMiB = (pid: number): number =>
  parseRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8')) / 1_048_576;

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 10 ms
}

const client = serviceClient({ baseUrl: `http://127.0.0.1:${o.port}` });
let child: ChildProcess | undefined;
let sink: ChildProcess | undefined;
let receiver: HttpReceiver | undefined;
try {
  // 1. Topics and subscriptions.
  child = startProcessor(false);
  await client.waitReady(120_000);
  if (o.deliver) {
    receiver = await startHttpReceiver();
    sink = startSink();
    const sinkClient = serviceClient({ baseUrl: `http://127.0.0.1:${o.port + 1}` });
    await sinkClient.waitReady(120_000).finally(() => sinkClient.close());
  }
  const { subscriptions, topics } = generateSubscriptions({
    count: o.subscriptions,
    channels: { restHookUrl: receiver?.url ?? 'http://127.0.0.1:9/hook' },
    seed: 1,
  });
  await client.putAll(topics);
  await client.putAll(subscriptions.map((s) => s.resource));
  log(`registered ${topics.length} topics and ${subscriptions.length} subscriptions`);
  await new Promise((resolve) => setTimeout(resolve, 2000)); // handshakes out, offsets committed
  await stop(child);

  // 2. The backlog.
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const generator = changeGenerator({ seed: 1 });
  const now = new Date().toISOString();
  let batch: { key: string; value: string }[] = [];
  const began = Date.now();
  for (let i = 0; i < o.changes; i++) {
    const c = generator.next();
    c.value.occurredAt = now;
    c.value.resource.meta = { ...c.value.resource.meta, lastUpdated: now };
    batch.push({ key: c.key, value: JSON.stringify(c.value) });
    if (batch.length === 2000 || i === o.changes - 1) {
      await producer.send({
        topic: env.TOPIC_CHANGELOG,
        messages: batch,
        compression: CompressionTypes.None,
      });
      batch = [];
    }
  }
  await producer.disconnect();
  log(`produced ${o.changes} changes in ${((Date.now() - began) / 1000).toFixed(1)} s`);

  // 3. The drain.
  const load = loadavg()[0]!;
  const started = Date.now();
  // Handshakes came before; with stream threads, notifications may come before /readyz says ready.
  const arrivedBefore = receiver?.arrivals().length ?? 0;
  child = startProcessor(o.cpuProf);
  await client.waitReady(120_000);
  const ready = Date.now();
  const cpuAtReady = cpuSeconds(child.pid!);
  const named: NamedProcess[] = [{ name: 'processor', pid: child.pid! }];
  if (sink) named.push({ name: 'http-sink', pid: sink.pid! });
  const broker = brokerPid();
  if (broker !== undefined) named.push({ name: 'kafka broker', pid: broker });
  if (receiver) named.push({ name: 'receiver (this process)', pid: process.pid });
  const budgetWindow = await openCpuBudget(named);
  // Done when the group has consumed the changelog and both repartition topics (the notify
  // stage reads the matches repartition topic, so the changelog alone ends too early).
  const inputs = [env.TOPIC_CHANGELOG, `${prefix}-by-resource-repartition`, `${prefix}-matches-repartition`];
  const samples: { t: number; lag: number; byTopic: Record<string, number> }[] = [];
  const deadline = ready + o.timeoutSeconds * 1000;
  let done = 0;
  let changelogDone = 0;
  let maxRss = 0;
  while (Date.now() < deadline) {
    const groupOffsets = await admin.fetchOffsets({ groupId: prefix, topics: inputs });
    const byTopic: Record<string, number> = {};
    for (const topic of inputs) {
      const high = await admin.fetchTopicOffsets(topic);
      const committed = groupOffsets.find((g) => g.topic === topic)?.partitions ?? [];
      byTopic[topic.slice(prefix.length + 1)] = computeLag(high, committed).lag;
    }
    const lag = Object.values(byTopic).reduce((a, b) => a + b, 0);
    samples.push({ t: (Date.now() - ready) / 1000, lag, byTopic });
    maxRss = Math.max(maxRss, rssMiB(child.pid!));
    if (changelogDone === 0 && byTopic['changelog'] === 0) changelogDone = Date.now();
    if (lag === 0) {
      done = Date.now();
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const cpu = cpuSeconds(child.pid!) - cpuAtReady;
  const seconds = ((done || Date.now()) - ready) / 1000;
  // End to end: until the receiver has had nothing new for 3 s after the processor was through.
  // Sustained: from the first notification of the drain to the last, the process start left out.
  let delivered: { seconds: number; fromStartSeconds: number; arrivals: number; events: number } | undefined;
  if (receiver) {
    const last = await lastArrival(receiver, 3000, deadline);
    const drained = receiver.arrivals().slice(arrivedBefore);
    const first = drained.reduce((min, a) => Math.min(min, a.arrivedAt), last);
    delivered = {
      seconds: (last - first) / 1000,
      fromStartSeconds: (last - started) / 1000,
      arrivals: drained.length,
      events: distinctEvents(receiver),
    };
  }
  const budget: CpuBudget = await budgetWindow.close(o.changes);
  const notificationTopics = [
    env.TOPIC_NOTIFICATIONS_REST_HOOK,
    env.TOPIC_NOTIFICATIONS_MESSAGE,
    env.TOPIC_NOTIFICATIONS_KAFKA,
  ];
  let notifications = 0;
  for (const t of notificationTopics)
    for (const p of await admin.fetchTopicOffsets(t)) notifications += Number(p.high);
  await stop(child);
  child = undefined;
  const repeats = await repeatedNotifications(kafka, `${prefix}-repeats`, notificationTopics, notifications);
  if (delivered) {
    log(
      `delivered end to end in ${delivered.seconds.toFixed(1)} s from the first notification to the last: ` +
        `${Math.round(o.changes / delivered.seconds)} changes/s ` +
        `(${Math.round(o.changes / delivered.fromStartSeconds)}/s from the processor's start), ` +
        `${delivered.arrivals} arrivals, ${delivered.events} distinct event notifications of ${repeats.events} written`,
    );
  }
  for (const line of cpuBudgetLines(budget, receiver ? 'the drain and its deliveries' : 'the drain'))
    log(line);
  log(
    `notification records: ${repeats.records}, distinct ids ${repeats.ids}, distinct (subscription, event number) ${repeats.events}, ` +
      `event numbers under more than one id ${repeats.numbersWithManyIds}`,
  );
  const result = {
    name: o.name,
    changes: o.changes,
    subscriptions: o.subscriptions,
    drained: done > 0,
    startToReadySeconds: (ready - started) / 1000,
    drainSeconds: seconds,
    changelogDrainedSeconds: changelogDone > 0 ? (changelogDone - ready) / 1000 : null,
    changesPerSecond: Math.round(o.changes / seconds),
    processorCpuSeconds: cpu,
    processorCpuShare: cpu / seconds,
    processorMaxRssMiB: Math.round(maxRss),
    notificationsWritten: notifications,
    repeats,
    delivered:
      delivered === undefined
        ? null
        : { ...delivered, changesPerSecond: Math.round(o.changes / delivered.seconds) },
    cpuBudget: budget,
    loadAverageAtStart: load,
    loadAverageAtEnd: loadavg()[0],
    lag: samples,
    notes: o.notes,
    command: `npx tsx bench/load/processor-drain.ts ${process.argv.slice(2).join(' ')}`,
  };
  log(
    `${done ? 'drained' : 'NOT drained'} ${o.changes} changes in ${seconds.toFixed(1)} s: ` +
      `${result.changesPerSecond}/s, processor CPU ${cpu.toFixed(1)} s (${(100 * result.processorCpuShare).toFixed(0)}%), ` +
      `processor RSS at most ${Math.round(maxRss)} MiB, ${notifications} notifications, load ${load.toFixed(1)} → ${result.loadAverageAtEnd!.toFixed(1)}`,
  );
  mkdirSync(join(root, 'bench/results/raw'), { recursive: true });
  writeFileSync(join(root, 'bench/results/raw', `${o.name}.json`), JSON.stringify(result, null, 2));
} finally {
  if (child) await stop(child);
  if (sink) await stop(sink);
  await receiver?.close();
  await client.close();
  const names = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  if (names.length > 0) await admin.deleteTopics({ topics: names }).catch(() => undefined);
  await admin.deleteGroups([prefix, `${prefix}-repeats`]).catch(() => undefined);
  await admin.disconnect();
  rmSync(work, { recursive: true, force: true });
}

/**
 * Reads the notification topics once through: how many records, distinct notification ids and
 * distinct (subscription, event number) pairs they hold. At-least-once may write a notification
 * twice, but always under the same id and number; a number under two ids would be a defect.
 * `end`: how many records the topics hold (their partitions start at offset 0); `groupId`: the group reading them.
 */
async function repeatedNotifications(
  kafka: Kafka,
  groupId: string,
  topics: string[],
  end: number,
): Promise<{ records: number; ids: number; events: number; numbersWithManyIds: number }> {
  const ids = new Set<string>();
  const idOf = new Map<string, string>();
  let numbersWithManyIds = 0;
  let records = 0;
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    if (end === 0) return resolve();
    void consumer.run({
      eachMessage: async ({ message }) => {
        records++;
        const n = JSON.parse(message.value!.toString('utf8')) as {
          subscriptionId: string;
          eventNumber: number;
          notificationId: string;
          type: string;
        };
        ids.add(n.notificationId);
        if (n.type === 'event-notification') {
          const k = `${n.subscriptionId}#${n.eventNumber}`;
          const seen = idOf.get(k);
          if (seen === undefined) idOf.set(k, n.notificationId);
          else if (seen !== n.notificationId) numbersWithManyIds++;
        }
        if (records >= end) resolve();
      },
    });
  });
  await consumer.disconnect();
  return { records, ids: ids.size, events: idOf.size, numbersWithManyIds };
}

/** The Kafka broker's pid on this machine, when it runs here. */
function brokerPid(): number | undefined {
  try {
    const out = execFileSync('pgrep', ['-f', 'kafka\\.Kafka'], { encoding: 'utf8' });
    const pid = Number(out.split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined; // pgrep finds nothing: the broker runs elsewhere
  }
}
