import { describe, expect, it } from 'vitest';
import {
  primeVersion,
  pruneVersions,
  versionsStep,
  type ChangeEvent,
  type StoredVersion,
} from '../../processors/index.js';
import { FakeDateClock as FakeClock } from '../fakes/date-clock.js';
import { MemoryStore } from '../fakes/memory-store.js';

const body = (v: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Patient',
  id: 'p1',
  meta: { versionId: v },
  ...extra,
});
const change = (interaction: ChangeEvent['interaction'], v?: string, withBody = true): ChangeEvent => ({
  interaction,
  resourceType: 'Patient',
  id: 'p1',
  ...(v ? { versionId: v } : {}),
  ...(withBody && v ? { resource: body(v) } : {}),
});

describe('versionsStep: deletes, bodyless changes and retention', () => {
  it('turns a delete into a tombstone that keeps the deleted version as previous', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore<StoredVersion>();
    await versionsStep('Patient/p1', change('create', '1'), store, { now: clock.now });
    const del = await versionsStep('Patient/p1', change('delete', '2', false), store, { now: clock.now });
    expect(del).toMatchObject({ kind: 'versioned', value: { previous: body('1'), current: body('1') } });
    expect(await store.get('Patient/p1')).toMatchObject({
      deleted: true,
      versionId: '2',
      resource: body('1'),
    });
    expect(
      await versionsStep('Patient/p1', change('delete', '2', false), store, { now: clock.now }),
    ).toMatchObject({ reason: 'duplicate' });
    // Re-created after the delete: there is no previous version any more.
    const again = await versionsStep('Patient/p1', change('update', '3'), store, { now: clock.now });
    expect(again.kind === 'versioned' && again.value.previous).toBeFalsy();
  });

  it('passes a bodyless change without a body, and enriches it when the version was primed', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore<StoredVersion>();
    const light = await versionsStep('Patient/p1', change('create', '1', false), store, { now: clock.now });
    expect(light.kind === 'versioned' && light.value.current).toBeUndefined();
    expect(await primeVersion('Patient/p1', body('2', { active: true }), store, { now: clock.now })).toBe(
      true,
    );
    const enriched = await versionsStep('Patient/p1', change('update', '2', false), store, {
      now: clock.now,
    });
    expect(enriched).toMatchObject({ kind: 'versioned', value: { current: { active: true } } });
    expect(
      await versionsStep('Patient/p1', change('update', '2', false), store, { now: clock.now }),
    ).toMatchObject({ reason: 'duplicate' });
    expect(await primeVersion('Patient/p1', body('1'), store, { now: clock.now })).toBe(false);
  });

  it('prunes entries older than the retention, tombstones on their own setting', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore<StoredVersion>();
    await versionsStep('Patient/p1', change('create', '1'), store, { now: clock.now });
    await versionsStep('Patient/p1', change('delete', '2', false), store, { now: clock.now });
    await versionsStep(
      'Patient/p2',
      { ...change('create', '1'), id: 'p2', resource: { resourceType: 'Patient', id: 'p2' } },
      store,
      {
        now: clock.now,
      },
    );
    clock.advance(2 * 3600_000);
    expect(
      await pruneVersions(store, {
        now: clock.now(),
        retentionMs: 24 * 3600_000,
        tombstoneRetentionMs: 3600_000,
      }),
    ).toBe(1);
    expect(await store.get('Patient/p1')).toBeUndefined();
    clock.advance(24 * 3600_000);
    expect(await pruneVersions(store, { now: clock.now(), retentionMs: 24 * 3600_000 })).toBe(1);
    expect(await store.approximateCount()).toBe(0);
  });
});
