import { describe, expect, it } from 'vitest';
import {
  ChangeDecodeError,
  deadLetterFor,
  decodeChangeRecord,
  outputTopicFor,
  versionsStep,
  type ChangelogRecord,
  type Match,
  type StoredVersion,
  type SubscriptionStatusRecord,
  type VersionedChange,
} from '../../processors/index.js';
import { MemoryStore } from '../fakes/memory-store.js';
import { harness, r5Subscription } from './support.js';

const encounter = (v: number) => ({
  resourceType: 'Encounter',
  id: 'enc-1',
  meta: { versionId: String(v), lastUpdated: `2026-01-01T10:00:0${v}Z` },
  status: v === 1 ? 'planned' : 'in-progress',
});
const firelyBatch = {
  messageType: ['urn:message:Firely.Server.Contracts.Messages.V1:ResourcesChangedEvent'],
  message: {
    changes: [1, 2].map((v) => ({
      reference: { resourceType: 'Encounter', resourceId: 'enc-1', version: String(v) },
      resource: JSON.stringify(encounter(v)),
      changeType: v === 1 ? 'create' : 'update',
    })),
  },
};
const smileDuplicate = {
  payload: {
    operationType: 'UPDATE',
    payload: JSON.stringify(encounter(2)),
    payloadId: 'Encounter/enc-1/_history/2',
  },
};
const records: ChangelogRecord[] = [
  firelyBatch,
  smileDuplicate,
  { interaction: 'merge', resourceType: 'Encounter', id: 'enc-1' },
].map((v, i) => ({
  topic: 'fhir.changelog',
  partition: 0,
  offset: String(i),
  key: null,
  value: Buffer.from(JSON.stringify(v)),
}));

/** Stands in for the matcher: every Encounter change matches the one subscription. */
function matchAll(v: VersionedChange, subscriptionId: string): Match {
  const { change } = v;
  return {
    subscriptionId,
    topicUrl: 'http://example.org/fhir/SubscriptionTopic/encounter-start',
    interaction: change.interaction,
    focus: {
      reference: `${change.resourceType}/${change.id}`,
      ...(change.versionId ? { versionId: change.versionId } : {}),
    },
    ...(v.current ? { resource: v.current } : {}),
    ...(v.previous ? { previous: v.previous } : {}),
    occurredAt: change.occurredAt ?? '2026-01-01T10:00:00Z',
  };
}

describe('decode → versions → notify, as the runtime wires them', () => {
  it('dead-letters the bad record, drops the duplicate, numbers and routes the rest', async () => {
    const versions = new MemoryStore<StoredVersion>('resource-versions');
    const status = new MemoryStore<SubscriptionStatusRecord>('subscription-status');
    const { processor, clock } = harness(undefined, status);
    const sub = r5Subscription('id-only');
    const deadLetters: string[] = [];
    const dropped: string[] = [];
    const routed: [string | undefined, string, number][] = [];
    for (const record of records) {
      let decoded;
      try {
        decoded = await decodeChangeRecord(record);
      } catch (e) {
        if (!(e instanceof ChangeDecodeError)) throw e;
        deadLetters.push(String(deadLetterFor(record, e).headers['substream.dlq.reason']));
        continue;
      }
      for (const d of decoded) {
        const out = await versionsStep(d.key, d.change, versions, {
          now: clock.now,
          changeOffset: record.offset!,
        });
        if (out.kind === 'dropped') {
          dropped.push(`${out.key}@${out.versionId}:${out.reason}`);
          continue;
        }
        for (const n of await processor.process(matchAll(out.value, sub.id), sub)) {
          routed.push([outputTopicFor(n), n.type, n.eventNumber]);
        }
      }
    }
    expect(deadLetters).toEqual(['unknown-interaction']);
    expect(dropped).toEqual(['Encounter/enc-1@2:duplicate']);
    expect(routed).toEqual([
      ['fhir.notifications.rest-hook', 'handshake', 0],
      ['fhir.notifications.rest-hook', 'event-notification', 1],
      ['fhir.notifications.rest-hook', 'event-notification', 2],
    ]);
  });
});
