import { describe, expect, it } from 'vitest';
import { versionsStep, type ChangeEvent, type StoredVersion } from '../../processors/index.js';
import { FakeDateClock as FakeClock } from '../fakes/date-clock.js';
import { MemoryStore } from '../fakes/memory-store.js';

function update(versionId: string, lastUpdated?: string, extra: Partial<ChangeEvent> = {}): ChangeEvent {
  return {
    interaction: 'update',
    resourceType: 'Patient',
    id: 'p1',
    versionId,
    resource: {
      resourceType: 'Patient',
      id: 'p1',
      meta: { versionId, ...(lastUpdated ? { lastUpdated } : {}) },
    },
    ...extra,
  };
}

describe('versionsStep drops duplicate and stale versions', () => {
  const clock = new FakeClock();

  it('attaches the previous version and drops a repeated or older numeric version', async () => {
    const store = new MemoryStore<StoredVersion>();
    const first = await versionsStep('Patient/p1', update('1'), store, { now: clock.now });
    expect(first.kind).toBe('versioned');
    const second = await versionsStep('Patient/p1', update('2'), store, { now: clock.now });
    expect(second).toMatchObject({
      kind: 'versioned',
      value: { previous: { meta: { versionId: '1' } }, current: { meta: { versionId: '2' } } },
    });
    expect(await versionsStep('Patient/p1', update('2'), store, { now: clock.now })).toMatchObject({
      kind: 'dropped',
      reason: 'duplicate',
      versionId: '2',
    });
    expect(await versionsStep('Patient/p1', update('1'), store, { now: clock.now })).toMatchObject({
      kind: 'dropped',
      reason: 'stale',
    });
    // Numeric comparison, not text: 10 is newer than 9.
    await versionsStep('Patient/p1', update('9'), store, { now: clock.now });
    expect((await versionsStep('Patient/p1', update('10'), store, { now: clock.now })).kind).toBe(
      'versioned',
    );
  });

  it('orders non-numeric versions by meta.lastUpdated', async () => {
    const store = new MemoryStore<StoredVersion>();
    await versionsStep('Patient/p1', update('b7e1', '2026-01-01T10:00:00Z'), store, { now: clock.now });
    expect(
      await versionsStep('Patient/p1', update('a001', '2026-01-01T09:00:00Z'), store, { now: clock.now }),
    ).toMatchObject({
      kind: 'dropped',
      reason: 'stale',
    });
    expect(
      await versionsStep('Patient/p1', update('b7e1', '2026-01-01T10:00:00Z'), store, { now: clock.now }),
    ).toMatchObject({
      reason: 'duplicate',
    });
    const newer = await versionsStep('Patient/p1', update('c9d2', '2026-01-01T11:00:00Z'), store, {
      now: clock.now,
    });
    expect(newer).toMatchObject({ kind: 'versioned', value: { previous: { meta: { versionId: 'b7e1' } } } });
  });

  it('lets through a change whose order cannot be told', async () => {
    const store = new MemoryStore<StoredVersion>();
    await versionsStep('Patient/p1', update('x'), store, { now: clock.now });
    expect((await versionsStep('Patient/p1', update('y'), store, { now: clock.now })).kind).toBe('versioned');
  });

  it('carries the change offset for tracing', async () => {
    const store = new MemoryStore<StoredVersion>();
    const out = await versionsStep('Patient/p1', update('1'), store, { now: clock.now, changeOffset: '42' });
    expect(out).toMatchObject({ value: { changeOffset: '42' } });
  });
});
