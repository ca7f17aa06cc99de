import { describe, expect, it } from 'vitest';
import { versionsStep, type ChangeEvent, type StoredVersion } from '../../processors/index.js';
import { FakeDateClock as FakeClock } from '../fakes/date-clock.js';
import { MemoryStore } from '../fakes/memory-store.js';

/** The memory store copies values: a kept record comes back as the same bytes. */
const text = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');

const change = (interaction: ChangeEvent['interaction'], v: string, withBody = true): ChangeEvent => ({
  interaction,
  resourceType: 'Patient',
  id: 'p1',
  versionId: v,
  ...(withBody ? { resource: { resourceType: 'Patient', id: 'p1', meta: { versionId: v } } } : {}),
});

describe('versionsStep: the changelog record kept with a stored body', () => {
  it('goes with the change’s own body, and with the deleted body a tombstone keeps', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore<StoredVersion>();
    const record = Buffer.from('{"interaction":"create"}');
    await versionsStep('Patient/p1', change('create', '1'), store, { now: clock.now, record });
    expect(text((await store.get('Patient/p1'))?.record)).toBe(record.toString());
    await versionsStep('Patient/p1', change('delete', '2', false), store, { now: clock.now });
    const tombstone = await store.get('Patient/p1');
    expect(tombstone).toMatchObject({ deleted: true, resource: { meta: { versionId: '1' } } });
    expect(text(tombstone?.record)).toBe(record.toString());
  });

  it('is not kept for a body that did not come in the record', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore<StoredVersion>();
    await versionsStep('Patient/p1', change('create', '1'), store, { now: clock.now });
    const record = Buffer.from('{"interaction":"delete"}');
    await versionsStep('Patient/p1', change('delete', '2', false), store, { now: clock.now, record });
    expect((await store.get('Patient/p1'))?.record).toBeUndefined();
    await versionsStep('Patient/p1', change('update', '3', false), store, { now: clock.now, record });
    expect(await store.get('Patient/p1')).not.toHaveProperty('record');
  });
});
