/**
 * A reproducible fuzzer of bad changelog records, for mixing into good traffic: every record is
 * invalid for one stated reason, which the dead-letter topic must report. Records are generated
 * lazily (oversize ones are large), from a seed.
 */
import { changeGenerator, seededRandom, type Random } from '../../bench/harness/index.js';

export const BAD_REASONS = [
  'truncated-json',
  'wrong-types',
  'missing-id',
  'mismatched-key',
  'oversize',
  'binary-garbage',
  'unknown-interaction',
  'firely-broken',
  'smile-broken',
] as const;
export type BadReason = (typeof BAD_REASONS)[number];

export interface BadRecord {
  key: string | null;
  value: Buffer;
  reason: BadReason;
  /** What exactly is wrong, for a reader of the dead-letter topic. */
  detail: string;
}

export interface BadRecordOptions {
  seed?: number;
  count?: number;
  /** Size of oversize values; the service under test must be run with a smaller value limit. */
  oversizeBytes?: number;
  /** Relative weights; oversize is rare by default to keep memory and broker load small. */
  weights?: Partial<Record<BadReason, number>>;
}

const DEFAULT_WEIGHTS: Record<BadReason, number> = {
  'truncated-json': 14,
  'wrong-types': 14,
  'missing-id': 12,
  'mismatched-key': 12,
  oversize: 1,
  'binary-garbage': 12,
  'unknown-interaction': 12,
  'firely-broken': 12,
  'smile-broken': 11,
};

export const FIRELY_EVENT_TYPE = 'urn:message:Firely.Server.Contracts.Messages.V1:ResourcesChangedEvent';
export const UNKNOWN_INTERACTIONS = ['patch', 'merge', 'touch', 'frobnicate', ''] as const;

type Json = Record<string, unknown>;

/** A JSON text cut short: never valid JSON, since no proper prefix of an object is. */
function truncate(text: string, r: Random): string {
  return text.slice(0, r.int(1, text.length - 1));
}

function pickReason(r: Random, weights: Record<BadReason, number>): BadReason {
  const total = BAD_REASONS.reduce((s, k) => s + weights[k], 0);
  let u = r.next() * total;
  for (const reason of BAD_REASONS) {
    u -= weights[reason];
    if (u < 0) return reason;
  }
  return 'truncated-json';
}

const WRONG_TYPES: readonly { field: string; apply: (v: Json) => void }[] = [
  { field: 'id', apply: (v) => void (v.id = 12345) },
  { field: 'resourceType', apply: (v) => void (v.resourceType = ['Observation']) },
  { field: 'resource', apply: (v) => void (v.resource = 'not a resource') },
  { field: 'versionId', apply: (v) => void (v.versionId = { value: 2 }) },
  { field: 'occurredAt', apply: (v) => void (v.occurredAt = 1_700_000_000_000) },
  { field: 'interaction', apply: (v) => void (v.interaction = 1) },
];

export function* badRecords(options: BadRecordOptions = {}): Generator<BadRecord> {
  const seed = options.seed ?? 42;
  const count = options.count ?? 10_000;
  const oversizeBytes = options.oversizeBytes ?? 600 * 1024;
  const weights = { ...DEFAULT_WEIGHTS, ...options.weights };
  const r = seededRandom(seed);
  const good = changeGenerator({
    seed: seed + 1,
    population: { Patient: 200, Observation: 2000, Encounter: 500, Condition: 500 },
  });

  for (let i = 0; i < count; i++) {
    const change = good.next();
    const value = structuredClone(change.value) as unknown as Json;
    value.occurredAt = '2026-01-01T00:00:00.000Z';
    const reason = pickReason(r, weights);
    const text = JSON.stringify(value);
    switch (reason) {
      case 'truncated-json': {
        const cut = truncate(text, r);
        yield {
          key: change.key,
          value: Buffer.from(cut),
          reason,
          detail: `JSON cut at ${cut.length} of ${text.length} bytes`,
        };
        break;
      }
      case 'wrong-types': {
        const wrong = r.pick(WRONG_TYPES);
        wrong.apply(value);
        yield {
          key: change.key,
          value: Buffer.from(JSON.stringify(value)),
          reason,
          detail: `${wrong.field} has the wrong type`,
        };
        break;
      }
      case 'missing-id': {
        delete value.id;
        delete (value.resource as Json).id;
        yield {
          key: null,
          value: Buffer.from(JSON.stringify(value)),
          reason,
          detail: 'no id in the change or its resource',
        };
        break;
      }
      case 'mismatched-key': {
        const other =
          change.value.resourceType === 'Patient' ? 'Observation/obs-mismatch' : 'Patient/pat-mismatch';
        yield {
          key: other,
          value: Buffer.from(text),
          reason,
          detail: `key ${other} names another resource than ${change.key}`,
        };
        break;
      }
      case 'oversize': {
        const resource = value.resource as Json;
        resource.text = {
          status: 'generated',
          div: `<div xmlns="http://www.w3.org/1999/xhtml">${'x'.repeat(oversizeBytes)}</div>`,
        };
        const bytes = Buffer.from(JSON.stringify(value));
        yield { key: change.key, value: bytes, reason, detail: `value is ${bytes.length} bytes` };
        break;
      }
      case 'binary-garbage': {
        const bytes = Buffer.alloc(r.int(16, 512));
        for (let b = 0; b < bytes.length; b++) bytes[b] = r.int(0, 255);
        // Never the schema-registry magic byte, never a JSON opening: it must read as garbage.
        bytes[0] = r.pick([0xff, 0xfe, 0x80, 0x1f]);
        yield {
          key: r.next() < 0.5 ? change.key : null,
          value: bytes,
          reason,
          detail: `${bytes.length} random bytes`,
        };
        break;
      }
      case 'unknown-interaction': {
        value.interaction = r.pick(UNKNOWN_INTERACTIONS);
        yield {
          key: change.key,
          value: Buffer.from(JSON.stringify(value)),
          reason,
          detail: `interaction ${JSON.stringify(value.interaction)}`,
        };
        break;
      }
      case 'firely-broken': {
        const envelope = r.next() < 0.5;
        const resourceText = JSON.stringify(change.value.resource);
        const empty = r.next() < 0.2;
        const event = {
          changes: empty
            ? []
            : [
                {
                  changeType: change.value.interaction === 'create' ? 'Create' : 'Update',
                  reference: {
                    resourceType: change.value.resourceType,
                    resourceId: change.value.id,
                    version: change.value.versionId,
                  },
                  resource: truncate(resourceText, r),
                },
              ],
        };
        const body = envelope
          ? {
              messageId: `fz-${i}`,
              messageType: [FIRELY_EVENT_TYPE],
              message: event,
              headers: { 'fhir-release': 'R4' },
            }
          : event;
        if (empty && !envelope) {
          // A bare event with no changes is not recognisable as Firely at all; keep it an envelope.
          yield {
            key: null,
            value: Buffer.from(JSON.stringify({ messageType: [FIRELY_EVENT_TYPE], message: event })),
            reason,
            detail: 'Firely envelope with an empty changes batch',
          };
          break;
        }
        yield {
          key: null,
          value: Buffer.from(JSON.stringify(body)),
          reason,
          detail: empty
            ? 'Firely envelope with an empty changes batch'
            : 'Firely change whose resource is truncated JSON',
        };
        break;
      }
      case 'smile-broken': {
        const resourceText = JSON.stringify(change.value.resource);
        const badOperation = r.next() < 0.3;
        const payload = {
          operationType: badOperation ? 'FROBNICATE' : change.value.interaction.toUpperCase(),
          payloadId: `${change.key}/_history/${change.value.versionId}`,
          payload: badOperation ? resourceText : truncate(resourceText, r),
        };
        yield {
          key: change.key,
          value: Buffer.from(JSON.stringify({ headers: {}, payload })),
          reason,
          detail: badOperation
            ? 'Smile message with an unknown operationType'
            : 'Smile message whose payload is truncated JSON',
        };
        break;
      }
    }
  }
}
