import { expect } from 'vitest';

type Obj = Record<string, unknown>;

/** FHIR JSON forbids nulls, empty strings, empty arrays and empty objects anywhere. */
export function expectFhirJson(v: unknown, path = '$'): void {
  expect(v, path).not.toBeNull();
  if (typeof v === 'string') expect(v.length, path).toBeGreaterThan(0);
  if (Array.isArray(v)) {
    expect(v.length, path).toBeGreaterThan(0);
    v.forEach((x, i) => expectFhirJson(x, `${path}[${i}]`));
  } else if (v !== null && typeof v === 'object') {
    expect(Object.keys(v).length, path).toBeGreaterThan(0);
    for (const [k, x] of Object.entries(v)) expectFhirJson(x, `${path}.${k}`);
  }
}

function entries(bundle: Obj): Obj[] {
  return bundle.entry as Obj[];
}

function resources(bundle: Obj): Obj[] {
  return entries(bundle)
    .slice(1)
    .map((e) => e.resource as Obj | undefined)
    .filter((r): r is Obj => r !== undefined);
}

/** Content rules shared by R5 and the backport: what empty, id-only and full-resource may carry. */
function expectContent(content: string, bundle: Obj, topic: unknown): void {
  if (content === 'empty') {
    expect(entries(bundle)).toHaveLength(1);
    expect(topic, 'empty SHOULD NOT carry the topic').toBeUndefined();
  } else if (content === 'id-only') {
    expect(resources(bundle), 'id-only carries no resource').toHaveLength(0);
  } else {
    expect(resources(bundle).length).toBeGreaterThan(0);
  }
}

/** R5 notification Bundle: subscription-notification, SubscriptionStatus first, integer64 as strings. */
export function expectR5Notification(bundle: Obj, content: string, type: string): void {
  expectFhirJson(bundle);
  expect(bundle.resourceType).toBe('Bundle');
  expect(bundle.type).toBe('subscription-notification');
  expect(bundle.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(bundle.total).toBeUndefined();
  const status = entries(bundle)[0]!.resource as Obj;
  expect(status.resourceType).toBe('SubscriptionStatus');
  expect(status.type).toBe(type);
  expect(typeof status.eventsSinceSubscriptionStart).toBe('string');
  expect((status.subscription as Obj).reference).toMatch(/\/Subscription\/[^/]+$/);
  const events = (status.notificationEvent as Obj[] | undefined) ?? [];
  for (const e of events) {
    expect(typeof e.eventNumber).toBe('string');
    if (content === 'empty') expect(e.focus).toBeUndefined();
    else expect((e.focus as Obj).reference).toMatch(/^https?:\/\//);
  }
  if (type === 'event-notification') {
    expect(events.length).toBeGreaterThan(0);
    expectContent(content, bundle, status.topic);
  } else {
    expect(entries(bundle)).toHaveLength(1);
  }
}

/** Checks a backport history Bundle and returns its first (status) resource. */
function historyStatus(bundle: Obj, subscriptionId: string): Obj {
  expectFhirJson(bundle);
  expect(bundle.type).toBe('history');
  for (const e of entries(bundle)) {
    // bdl-3 and bdl-4: a history bundle entry has a request and a response.
    expect((e.request as Obj).method).toMatch(/^(GET|POST|PUT|DELETE)$/);
    expect((e.request as Obj).url).toBeTypeOf('string');
    expect((e.response as Obj).status).toMatch(/^\d{3}/);
  }
  expect(String((entries(bundle)[0]!.request as Obj).url)).toMatch(
    new RegExp(`Subscription/${subscriptionId}/\\$status$`),
  );
  return entries(bundle)[0]!.resource as Obj;
}

/** R4B backport: history Bundle, SubscriptionStatus first. */
export function expectR4BNotification(
  bundle: Obj,
  content: string,
  type: string,
  subscriptionId: string,
): void {
  const status = historyStatus(bundle, subscriptionId);
  expect(status.resourceType).toBe('SubscriptionStatus');
  expect(status.type).toBe(type);
  expect(typeof status.eventsSinceSubscriptionStart).toBe('string');
  if (type === 'event-notification') expectContent(content, bundle, status.topic);
  else expect(entries(bundle)).toHaveLength(1);
}

function param(p: Obj[], name: string): Obj[] {
  return p.filter((x) => x.name === name);
}

/** R4 backport: history Bundle, Parameters (backport-subscription-status-r4) first. */
export function expectR4BackportNotification(
  bundle: Obj,
  content: string,
  type: string,
  subscriptionId: string,
): void {
  const status = historyStatus(bundle, subscriptionId);
  expect(status.resourceType).toBe('Parameters');
  expect((status.meta as Obj).profile).toContain(
    'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4',
  );
  const p = status.parameter as Obj[];
  expect(param(p, 'subscription')).toHaveLength(1);
  expect(param(p, 'status')).toHaveLength(1);
  expect(param(p, 'type')[0]!.valueCode).toBe(type);
  expect(typeof param(p, 'events-since-subscription-start')[0]!.valueString).toBe('string');
  const events = param(p, 'notification-event');
  for (const e of events) {
    const parts = e.part as Obj[];
    expect(typeof param(parts, 'event-number')[0]!.valueString).toBe('string');
    if (content === 'empty') expect(param(parts, 'focus')).toHaveLength(0);
    else expect(param(parts, 'focus')).toHaveLength(1);
  }
  const topic = param(p, 'topic')[0]?.valueCanonical;
  if (type === 'event-notification') expectContent(content, bundle, topic);
  else expect(entries(bundle)).toHaveLength(1);
}
