import { describe, expect, it } from 'vitest';
import type { FhirResource } from '../../processors/index.js';
import { holds } from './helpers.js';

const at = (effective: Record<string, unknown>): FhirResource => ({
  resourceType: 'Observation',
  id: 'o',
  status: 'final',
  code: { text: 'x' },
  ...effective,
});

const day = at({ effectiveDateTime: '2024-03-05' });
const instant = at({ effectiveDateTime: '2024-03-05T10:30:00+02:00' });
const period = at({ effectivePeriod: { start: '2024-03-01', end: '2024-03-10' } });
const openPeriod = at({ effectivePeriod: { start: '2024-03-01' } });

describe('date search (FHIR search: date, prefixes and precision)', () => {
  it.each([
    ['eq: a year contains a day of it', 'date=2024', day, true],
    ['eq: a month contains a day of it', 'date=2024-03', day, true],
    ['eq: the same day', 'date=2024-03-05', day, true],
    ['eq: a target range larger than the search range is not contained', 'date=2024-03-05T12:00', day, false],
    ['ne: the day is not contained by another day', 'date=ne2024-03-06', day, true],
    ['time zones: 10:30+02:00 is 08:30Z', 'date=2024-03-05T08:30Z', instant, true],
    ['time zones: 10:30+02:00 is not 10:30Z', 'date=2024-03-05T10:30Z', instant, false],
    ['search without a zone is read as UTC', 'date=2024-03-05T08:30', instant, true],
    ['gt: target extends after the search range', 'date=gt2024-03-04', day, true],
    ['gt: not when the target ends with the search range', 'date=gt2024-03-05', day, false],
    ['lt: target starts before the search range', 'date=lt2024-03-06', day, true],
    ['lt: not for the same day', 'date=lt2024-03-05', day, false],
    ['ge: the same day', 'date=ge2024-03-05', day, true],
    ['le: the same day', 'date=le2024-03-05', day, true],
    ['le: not before', 'date=le2024-03-04', day, false],
    ['sa: starts after the end of the search range', 'date=sa2024-03-04', day, true],
    ['sa: not when it overlaps', 'date=sa2024-03-05', day, false],
    ['eb: ends before the start of the search range', 'date=eb2024-03-06', day, true],
    ['eb: not when it overlaps', 'date=eb2024-03-05', day, false],
    ['ap: within 10% of the distance to now', 'date=ap2024-03-08', day, true],
    ['ap: not far away', 'date=ap2020-01-01', day, false],
    ['periods: eq needs the whole period inside', 'date=2024-03', period, true],
    ['periods: eq fails when the period sticks out', 'date=2024-03-05', period, false],
    ['periods: gt when the period ends later', 'date=gt2024-03-05', period, true],
    ['periods: an open end extends forever (gt)', 'date=gt2030', openPeriod, true],
    ['periods: an open end is never inside a range (eq)', 'date=2024', openPeriod, false],
    ['periods: sa when it starts after', 'date=sa2024-02', period, true],
  ])('%s', (_rule, param, resource, expected) => {
    expect(holds(`Observation?${param}`, resource)).toBe(expected);
  });

  it('_lastUpdated reads meta.lastUpdated (FHIR search: common parameters)', () => {
    const r = { ...day, meta: { lastUpdated: '2024-03-05T10:00:00.123Z' } };
    expect(holds('Observation?_lastUpdated=gt2024-03-05T09:00:00Z', r)).toBe(true);
    expect(holds('Observation?_lastUpdated=lt2024-03-05T09:00:00Z', r)).toBe(false);
  });

  it('Timing: only the outer limits of the events count', () => {
    const request: FhirResource = {
      resourceType: 'MedicationRequest',
      id: 'm',
      status: 'active',
      intent: 'order',
      subject: { reference: 'Patient/p' },
      dosageInstruction: [{ timing: { event: ['2024-03-01T08:00:00Z', '2024-03-03T08:00:00Z'] } }],
    };
    expect(holds('MedicationRequest?date=2024-03', request)).toBe(true);
    expect(holds('MedicationRequest?date=2024-03-02', request)).toBe(false);
  });
});
