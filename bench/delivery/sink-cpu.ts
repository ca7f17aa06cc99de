/**
 * CPU time of the HTTP sink process per notification, end to end on Kafka: the built service runs
 * `run http-sink` in a process of its own (reading the rest-hook notification topic, POSTing to a
 * local receiver, producing outcomes), while this process produces notifications at a steady rate
 * (as the processor would) and waits until every outcome is written. The sink's CPU time (from
 * /proc) over that window, divided by the notifications, is the figure; nothing else runs in it.
 *
 *   npx tsx bench/delivery/sink-cpu.ts [--root <checkout with dist/ built>] [--rate 1500]
 *     [--seconds 20] [--subscriptions 1000] [--brokers 127.0.0.1:9092] [--profile <dir>]
 *     [--name N]   appends the run's figures to bench/results/N.jsonl
 *
 * `--root` runs another build of the service (an unchanged checkout, for A/B runs); the topics,
 * the subscriptions and the notifications are made here, the same for both.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompressionTypes, Kafka, logLevel, Partitioners, type Message } from 'kafkajs';
import { loadConfig } from '../../app/config/index.js';
import { topicPlan } from '../../app/kafka/index.js';
import { subscriptionStoreKey, type Notification } from '../../processors/index.js';
import { generateSubscriptions } from '../harness/generate/subscriptions.js';
import { uniqueTopics } from '../../test/support/service.js';
import { processCpuMicros } from './process-cpu.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const here = fileURLToPath(new URL('.', import.meta.url));
const root = args.get('root') ?? join(here, '../..');
const rate = Number(args.get('rate') ?? 1500);
const seconds = Number(args.get('seconds') ?? 20);
const subscriptionCount = Number(args.get('subscriptions') ?? 1000);
const brokers = args.get('brokers') ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const sinkPort = Number(args.get('port') ?? 18_299);
/** A directory for a CPU profile of the sink (node --cpu-prof), when given. */
const profileDir = args.get('profile');

const prefix = `bench-sinkcpu-${Date.now()}-${process.pid}`;
const env: Record<string, string> = {
  APPLICATION_ID: prefix,
  ...uniqueTopics(prefix),
  KAFKA_BROKERS: brokers,
  HOST: '127.0.0.1',
  ENDPOINT_ALLOWLIST: '127.0.0.1',
  LOG_LEVEL: 'warn',
};
const config = loadConfig({ env: { ...env } });

/** A full-resource payload of about the size the load test's Observations have. */
const body = JSON.stringify({
  resourceType: 'Observation',
  id: 'obs-1',
  meta: { versionId: '3', lastUpdated: '2026-01-01T00:00:00.000Z' },
  status: 'final',
  category: [
    {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }],
    },
  ],
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
  subject: { reference: 'Patient/patient-123' },
  effectiveDateTime: '2026-01-01T00:00:00Z',
  valueQuantity: { value: 72, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' },
});

function notification(id: string, eventNumber: number, endpoint: string): Notification {
  const now = new Date().toISOString();
  return {
    subscriptionId: id,
    eventNumber,
    type: 'event-notification',
    channel: { type: 'rest-hook', endpoint, headers: [`X-Subscription-Id: ${id}`] },
    body,
    contentType: 'application/fhir+json',
    notificationId: `${id}-${eventNumber}`,
    method: 'PUT',
    path: 'Observation/obs-1',
    occurredAt: now,
    createdAt: now,
  };
}

async function waitReady(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`the sink exited with ${child.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`)
      .then(async (r) => (await r.text()).includes('"ready"'))
      .catch(() => false);
    if (ready) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the sink did not become ready');
}

const kafka = new Kafka({
  clientId: 'substream-bench',
  brokers: brokers.split(','),
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
const dataDir = mkdtempSync(join(tmpdir(), 'substream-sinkcpu-'));
let sink: ChildProcess | undefined;
let receiver: ChildProcess | undefined;

async function outcomesWritten(): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(env.TOPIC_DELIVERY_OUTCOMES!);
  return offsets.reduce((n, o) => n + Number(o.high), 0);
}

try {
  await admin.connect();
  await producer.connect();
  await admin.createTopics({ topics: topicPlan(config), waitForLeaders: true });

  receiver = fork(join(here, 'receiver.ts'), ['0'], { execArgv: ['--import', 'tsx'] });
  const receiverPort = await new Promise<number>((resolve) =>
    receiver!.once('message', (m) => resolve((m as { port: number }).port)),
  );
  const endpoint = `http://127.0.0.1:${receiverPort}/hook`;
  const { subscriptions } = generateSubscriptions({
    count: subscriptionCount,
    channels: { restHookUrl: endpoint },
    idPrefix: 'bench-sub',
  });
  await producer.send({
    topic: env.TOPIC_SUBSCRIPTIONS!,
    messages: subscriptions.map((s) => ({
      key: subscriptionStoreKey(s.id),
      value: JSON.stringify({ ...s.resource, status: 'active' }),
    })),
  });

  const profile = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  sink = spawn(process.execPath, [...profile, join(root, 'bin/substream.js'), 'run', 'http-sink'], {
    env: { ...process.env, ...env, PORT: String(sinkPort), DATA_DIR: dataDir },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitReady(sinkPort, sink);
  await new Promise((r) => setTimeout(r, 2000)); // group settled

  const total = Math.round(rate * seconds);
  const tickMs = 10;
  const perTick = rate / (1000 / tickMs);
  const cpuBefore = processCpuMicros(sink.pid)!;
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.round(((performance.now() - started) / tickMs) * perTick));
    const messages: Message[] = [];
    for (; sent < due; sent++) {
      const s = subscriptions[sent % subscriptions.length]!;
      const n = notification(s.id, Math.floor(sent / subscriptions.length) + 1, endpoint);
      messages.push({ key: subscriptionStoreKey(s.id), value: JSON.stringify(n) });
    }
    if (messages.length > 0)
      await producer.send({
        topic: env.TOPIC_NOTIFICATIONS_REST_HOOK!,
        messages,
        compression: CompressionTypes.None,
      });
    await new Promise((r) => setTimeout(r, tickMs));
  }
  const produced = performance.now();
  for (;;) {
    const written = await outcomesWritten();
    if (written >= total) break;
    if (performance.now() - produced > 120_000) throw new Error(`only ${written} of ${total} outcomes`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const elapsed = (performance.now() - started) / 1000;
  const cpu = processCpuMicros(sink.pid)! - cpuBefore;
  const result = {
    root,
    rate,
    notifications: total,
    subscriptions: subscriptionCount,
    seconds: Math.round(elapsed * 10) / 10,
    sinkCpuSeconds: Math.round(cpu / 10_000) / 100,
    cpuMicrosPerNotification: Math.round(cpu / total),
  };
  console.log(JSON.stringify(result));
  const name = args.get('name');
  if (name !== undefined) {
    // One line per run, appended: A/B runs of several builds collect in one file.
    mkdirSync(join(here, '../results'), { recursive: true });
    appendFileSync(
      join(here, '../results', `${name}.jsonl`),
      `${JSON.stringify({ ...result, at: new Date().toISOString(), loadavg: loadavg()[0] })}\n`,
    );
  }
} finally {
  sink?.kill('SIGTERM');
  if (sink && sink.exitCode === null) await new Promise((r) => sink!.once('exit', r));
  receiver?.disconnect();
  await producer.disconnect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await admin.deleteGroups([`${prefix}-http-sink`]).catch(() => undefined);
  await admin.disconnect();
  rmSync(dataDir, { recursive: true, force: true });
}
