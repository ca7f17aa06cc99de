import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { expect } from 'vitest';
import {
  EXT,
  NotifyProcessor,
  normalizeSubscription,
  type FhirResource,
  type Match,
  type NormalizedSubscription,
  type Notification,
  type SubscriptionStatusRecord,
} from '../../processors/index.js';
import { FakeDateClock as FakeClock } from '../fakes/date-clock.js';
import { MemoryStore } from '../fakes/memory-store.js';

export const BASE = 'https://fhir.example.org/r4';
export const TOPIC = 'http://example.org/fhir/SubscriptionTopic/encounter-start';

type Content = 'empty' | 'id-only' | 'full-resource';

export function r5Subscription(
  content: Content,
  extra: Record<string, unknown> = {},
): NormalizedSubscription {
  return normalizeSubscription({
    resourceType: 'Subscription',
    id: 'r5-sub',
    status: 'requested',
    topic: TOPIC,
    channelType: {
      system: 'http://terminology.hl7.org/CodeSystem/subscription-channel-type',
      code: 'rest-hook',
    },
    endpoint: 'https://client.example.org/hook',
    contentType: 'application/fhir+json',
    content,
    heartbeatPeriod: 60,
    timeout: 30,
    ...extra,
  });
}

export function backportSubscription(
  fhirVersion: 'R4' | 'R4B',
  content: Content,
  channelExtensions: unknown[] = [],
): NormalizedSubscription {
  return normalizeSubscription(
    {
      resourceType: 'Subscription',
      id: `${fhirVersion.toLowerCase()}-sub`,
      meta: { profile: [EXT.backportProfile] },
      status: 'requested',
      reason: 'Encounter starts',
      criteria: TOPIC,
      _criteria: {
        extension: [{ url: EXT.backportFilterCriteria, valueString: 'Encounter?patient=Patient/p1' }],
      },
      channel: {
        extension: [{ url: EXT.backportHeartbeatPeriod, valueUnsignedInt: 60 }, ...channelExtensions],
        type: 'rest-hook',
        endpoint: 'https://client.example.org/hook',
        payload: 'application/fhir+json',
        _payload: { extension: [{ url: EXT.backportPayloadContent, valueCode: content }] },
      },
    },
    { fhirVersion },
  );
}

const ENDPOINTS: Record<string, string> = {
  'rest-hook': 'https://client.example.org/fhir',
  message: 'amqp://broker.example.org/encounters',
  kafka: 'encounters',
};

export function classicSubscription(
  payload: string | undefined,
  extensions: unknown[] = [],
  channelType = 'rest-hook',
): NormalizedSubscription {
  return normalizeSubscription({
    resourceType: 'Subscription',
    id: 'classic-sub',
    status: 'requested',
    criteria: 'Encounter?status=in-progress',
    extension: extensions,
    channel: {
      type: channelType,
      endpoint: ENDPOINTS[channelType] ?? 'https://client.example.org/fhir',
      header: ['Authorization: Bearer secret', 'X-Site: north'],
      ...(payload ? { payload } : {}),
    },
  });
}

export function formatSubscription(
  format: string,
  channelType = 'message',
  /** null: no payload, the subscription asks for no body. */
  payload: string | null = 'application/fhir+json',
): NormalizedSubscription {
  return classicSubscription(
    payload ?? undefined,
    [{ url: EXT.substreamPayloadFormat, valueCode: format }],
    channelType,
  );
}

export const patient: FhirResource = {
  resourceType: 'Patient',
  id: 'p1',
  meta: { versionId: '4', lastUpdated: '2026-01-01T09:00:00Z' },
  name: [{ family: 'Graham' }],
};

export const previousEncounter: FhirResource = {
  resourceType: 'Encounter',
  id: 'enc-1',
  meta: {
    versionId: '2',
    lastUpdated: '2026-01-01T09:30:00Z',
    profile: ['http://ehealth.example/StructureDefinition/ehealth-encounter'],
  },
  status: 'planned',
  subject: { reference: 'Patient/p1' },
  participant: [{ individual: { reference: 'Practitioner/dr-a' } }],
};

export const encounter: FhirResource = {
  ...previousEncounter,
  meta: { ...previousEncounter.meta, versionId: '3', lastUpdated: '2026-01-01T10:00:00Z' },
  status: 'in-progress',
  participant: [{ individual: { reference: 'Practitioner/dr-b' } }],
};

export function match(sub: NormalizedSubscription, extra: Partial<Match> = {}): Match {
  return {
    subscriptionId: sub.id,
    ...(sub.topicUrl ? { topicUrl: sub.topicUrl } : {}),
    interaction: 'update',
    focus: { reference: 'Encounter/enc-1', versionId: '3' },
    resource: encounter,
    previous: previousEncounter,
    occurredAt: '2026-01-01T10:00:00Z',
    context: [patient],
    ...extra,
  };
}

export function harness(
  start = '2026-01-01T10:00:05.000Z',
  store = new MemoryStore<SubscriptionStatusRecord>('subscription-status'),
) {
  const clock = new FakeClock(start);
  const processor = new NotifyProcessor({
    store,
    now: clock.now,
    baseUrl: BASE,
    shapeFor: (topic, type) =>
      topic === TOPIC && type === 'Encounter'
        ? { include: ['Encounter:patient'], revInclude: [] }
        : undefined,
  });
  return { clock, store, processor };
}

/** A notification with its body parsed, as golden files hold it. */
export function readable(n: Notification): unknown {
  return { ...n, body: n.body === null ? null : (JSON.parse(n.body) as unknown) };
}

export function body(n: Notification | undefined): Record<string, unknown> {
  expect(n?.body).toBeTypeOf('string');
  return JSON.parse(n!.body!) as Record<string, unknown>;
}

/** Compares with test/fixtures/notify/<name>.json; UPDATE_GOLDEN=1 rewrites it after a deliberate change. */
export function expectGolden(name: string, value: unknown): void {
  const url = new URL(`../fixtures/notify/${name}.json`, import.meta.url);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(url, text);
  expect(existsSync(url), `golden file ${name}.json is missing (UPDATE_GOLDEN=1 writes it)`).toBe(true);
  expect(JSON.parse(readFileSync(url, 'utf8'))).toEqual(JSON.parse(text));
}
