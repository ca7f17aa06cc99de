import type { FhirResource } from '../contracts.js';
import { ChangeDecodeError } from './errors.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Parses JSON text, naming what was being parsed when it fails. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ChangeDecodeError('not-json', `${what} is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** A resource given as an object or as a JSON string (Firely, Smile, Avro string fields). */
export function readResource(v: unknown, what: string): FhirResource | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const parsed = typeof v === 'string' ? parseJson(v, what) : v;
  if (!isObj(parsed)) throw new ChangeDecodeError('invalid-resource', `${what} is not a JSON object`);
  return parsed as FhirResource;
}
