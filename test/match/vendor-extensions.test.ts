import { describe, expect, it } from 'vitest';
import { createMatcher, EXT, type FhirResource } from '../../processors/index.js';
import { change, r4Subscription } from './helpers.js';

const patient = (active: boolean): FhirResource => ({
  resourceType: 'Patient',
  id: 'p1',
  active,
  gender: 'female',
});

function withExtensions(
  criteria: string,
  extension: Record<string, unknown>[],
  onChannel = false,
): FhirResource {
  const sub = r4Subscription('s', criteria);
  if (onChannel) return { ...sub, channel: { ...(sub.channel as object), extension } };
  return { ...sub, extension };
}

function matched(sub: FhirResource, vc: ReturnType<typeof change>): boolean {
  const m = createMatcher();
  expect(m.putSubscription('s', sub).status).toBe('compiled');
  return m.match(vc).length === 1;
}

describe('HAPI / Smile subscription-send-delete-messages', () => {
  it('classic criteria do not match deletes by default', () => {
    expect(
      matched(r4Subscription('s', 'Patient?active=true'), change('delete', patient(true), patient(true))),
    ).toBe(false);
  });

  it('with the extension set, deletes match and the deleted version is what is tested', () => {
    const sub = withExtensions(
      'Patient?active=true',
      [{ url: EXT.hapiSendDeleteMessages, valueBoolean: true }],
      true,
    );
    expect(matched(sub, change('delete', patient(true), patient(true)))).toBe(true);
    expect(matched(sub, change('delete', patient(false), patient(false)))).toBe(false);
  });

  it('creates and updates still match with the extension', () => {
    const sub = withExtensions('Patient', [{ url: EXT.hapiSendDeleteMessages, valueBoolean: true }], true);
    expect(matched(sub, change('create', patient(true)))).toBe(true);
  });
});

describe('Medplum subscription-supported-interaction', () => {
  it.each([
    ['create only: an update does not match', ['create'], 'update', false],
    ['create only: a create matches', ['create'], 'create', true],
    ['delete listed: a delete matches', ['delete'], 'delete', true],
    ['update and delete: a create does not match', ['update', 'delete'], 'create', false],
  ] as const)('%s', (_rule, interactions, interaction, expected) => {
    const sub = withExtensions(
      'Patient',
      interactions.map((valueCode) => ({ url: EXT.medplumSupportedInteraction, valueCode })),
    );
    const vc =
      interaction === 'delete'
        ? change('delete', patient(true), patient(true))
        : change(interaction, patient(true), patient(false));
    expect(matched(sub, vc)).toBe(expected);
  });
});

describe('Medplum fhir-path-criteria-expression (%previous, %current)', () => {
  const sub = withExtensions('Patient', [
    { url: EXT.medplumFhirPathCriteria, valueString: '%previous.active = false and %current.active = true' },
  ]);

  it('matches when the expression is true', () => {
    expect(matched(sub, change('update', patient(true), patient(false)))).toBe(true);
  });

  it('does not match when it is false', () => {
    expect(matched(sub, change('update', patient(true), patient(true)))).toBe(false);
  });

  it('a bad expression is refused at compile time', () => {
    const m = createMatcher();
    const outcome = m.putSubscription(
      's',
      withExtensions('Patient', [{ url: EXT.medplumFhirPathCriteria, valueString: '%current.active = = (' }]),
    );
    expect(outcome.status).toBe('error');
    expect(outcome.status === 'error' ? outcome.error.message : '').toContain(
      'fhir-path-criteria-expression',
    );
  });
});
