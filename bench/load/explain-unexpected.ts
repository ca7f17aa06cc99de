/**
 * `npx tsx bench/load/explain-unexpected.ts [--service url] [--transport http|kafka] [...]`: a small
 * seeded load run against a running service, then every delivered notification the oracle did not
 * predict (and every expected one that is missing) printed beside the subscription's filters and the
 * focus version as it was sent, so a disagreement between the oracle and the engine can be judged
 * per notification.
 */
import { parseArgs } from 'node:util';
import {
  expectedMatchOracle,
  focusKey,
  subscriptionMatches,
  type Arrival,
  type GeneratedSubscription,
} from '../harness/index.js';
import type { ChangeEvent, FhirResource } from '../../processors/index.js';
import { runLoad } from './run-load.js';

const { values } = parseArgs({
  options: {
    service: { type: 'string', default: 'http://127.0.0.1:8080' },
    transport: { type: 'string', default: 'http' },
    brokers: { type: 'string', default: '127.0.0.1:9092' },
    topic: { type: 'string', default: 'fhir.changelog' },
    rate: { type: 'string', default: '200' },
    duration: { type: 'string', default: '20' },
    subscriptions: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    show: { type: 'string', default: '20' },
  },
});

/** The fields the generated filters read, of one version. */
function digest(resource: FhirResource | undefined): string {
  if (resource === undefined) return '(no resource)';
  const r = resource as Record<string, unknown>;
  const code = (r.code as { coding?: { code?: string }[] } | undefined)?.coding?.[0]?.code;
  const date = r.effectiveDateTime ?? (r.period as { start?: string } | undefined)?.start ?? r.onsetDateTime;
  return JSON.stringify({
    status: r.status,
    subject: (r.subject as { reference?: string } | undefined)?.reference,
    code,
    date,
    identifier: (r.identifier as { value?: string }[] | undefined)?.[0]?.value,
  });
}

const sent = new Map<string, ChangeEvent>();
const order: string[] = [];
const { subscriptions, arrivals } = await runLoad({
  name: `explain-unexpected-seed${values.seed}`,
  rate: Number(values.rate),
  durationSeconds: Number(values.duration),
  subscriptions: Number(values.subscriptions),
  transport: values.transport === 'kafka' ? 'kafka' : 'http',
  brokers: values.brokers.split(','),
  changelogTopic: values.topic,
  serviceUrl: values.service,
  receiverPort: 0,
  receiverHost: '127.0.0.1',
  pids: [],
  seed: Number(values.seed),
  batchSize: 50,
  lanes: 4,
  drainSeconds: 60,
  waitReadySeconds: 30,
  cleanup: false,
  resultsDir: `${process.env.TMPDIR ?? '/tmp'}`,
  notes: ['analysis run'],
  onChanges: (changes) => {
    for (const c of changes) {
      const key = focusKey(c);
      sent.set(key, structuredClone(c));
      order.push(key);
    }
  },
});

const byId = new Map<string, GeneratedSubscription>(subscriptions.map((s) => [s.id, s]));
const oracle = expectedMatchOracle(subscriptions);
const expected = new Set<string>();
for (const key of order) {
  const change = sent.get(key) as ChangeEvent;
  for (const s of oracle.expected(change)) expected.add(`${s.id} ${key}`);
}
const delivered = new Map<string, Arrival>();
for (const a of arrivals) {
  if (a.type === 'event-notification' && a.focus !== undefined)
    delivered.set(`${a.subscriptionId} ${a.focus}`, a);
}

const previousOf = (focus: string): ChangeEvent | undefined => {
  const m = /^(.*)\/_history\/(\d+)$/.exec(focus);
  return m ? sent.get(`${m[1]}/_history/${Number(m[2]) - 1}`) : undefined;
};

const unexpected = [...delivered.keys()].filter((k) => !expected.has(k));
const missing = [...expected].filter((k) => !delivered.has(k));
console.log(
  `\nchanges ${order.length}, expected ${expected.size}, delivered (unique focus) ${delivered.size}, unexpected ${unexpected.length}, missing ${missing.length}`,
);
const byKind = new Map<string, number>();
for (const k of unexpected) {
  const [subId = '', focus = ''] = k.split(' ');
  const s = byId.get(subId);
  const kind = `${s?.flavor ?? 'unknown subscription'} ${s?.filters.map((f) => f.kind + ('param' in f ? `:${f.param}` : '')).join('+') ?? ''}${sent.has(focus) ? '' : ' (focus never sent)'}`;
  byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
}
console.log('unexpected by subscription kind:', Object.fromEntries(byKind));
for (const k of unexpected.slice(0, Number(values.show))) {
  const [subId = '', focus = ''] = k.split(' ');
  const s = byId.get(subId);
  const change = sent.get(focus);
  console.log(`\nUNEXPECTED ${subId} <- ${focus}`);
  console.log(
    `  subscription ${s?.flavor}: ${JSON.stringify(s?.filters)} ${String(s?.resource.criteria ?? '')}`,
  );
  console.log(
    `  sent version: ${digest(change?.resource)} matches=${change && s ? subscriptionMatches(s, change) : '?'}`,
  );
  const previous = previousOf(focus);
  console.log(
    `  previous:     ${digest(previous?.resource)} matches=${previous && s ? subscriptionMatches(s, previous) : '-'}`,
  );
}
for (const k of missing.slice(0, Number(values.show))) console.log(`MISSING ${k}`);
