import { splitUnescaped, unescapeValue } from '../criteria/escape.js';
import { fhirpath } from '../definitions/fhir-model.js';
import type { ParamCompileInput, TypedValue, ValueTest } from '../types.js';
import { compareNumber, parseNumberQuery, type NumberQuery } from './number.js';
import { malformed } from './prefix.js';

const UCUM = 'http://unitsofmeasure.org';

interface QuantityQuery {
  number: NumberQuery;
  /** undefined: no system given (`5||mg` compares code or unit). */
  system?: string;
  code?: string;
}

interface QuantityValue {
  value?: number;
  system?: string;
  code?: string;
  unit?: string;
  currency?: string;
}

interface UcumUtils {
  convertUnitTo(from: string, value: number, to: string): { status: string; toVal: number | null };
}
const ucum = fhirpath.ucumUtils as UcumUtils;

function parseQuantityQuery(raw: string, name: string): QuantityQuery {
  const parts = splitUnescaped(raw, '|');
  if (parts.length !== 1 && parts.length !== 3) {
    throw malformed(name, raw, '[prefix][number]|[system]|[code]');
  }
  const number = parseNumberQuery(parts[0]!, name);
  if (parts.length === 1) return { number };
  const system = unescapeValue(parts[1]!);
  const code = unescapeValue(parts[2]!);
  if (code === '') throw malformed(name, raw, '[prefix][number]|[system]|[code] with a code');
  return { number, ...(system !== '' ? { system } : {}), code };
}

/**
 * The target's value in the query's unit: as is when units agree, converted through UCUM when
 * both are UCUM codes that convert (a target of 5 g answers a search for 5000 mg).
 */
function valueInQueryUnit(q: QuantityQuery, t: QuantityValue): number | undefined {
  if (typeof t.value !== 'number') return undefined;
  if (q.code === undefined) return t.value;
  if (q.system === undefined) {
    return t.code === q.code || t.unit === q.code || t.currency === q.code ? t.value : undefined;
  }
  if (t.system === q.system && t.code === q.code) return t.value;
  if (q.system === UCUM && t.system === UCUM && typeof t.code === 'string') {
    const converted = ucum.convertUnitTo(t.code, t.value, q.code);
    if (converted.status === 'succeeded' && typeof converted.toVal === 'number') return converted.toVal;
  }
  return undefined;
}

function quantityOf(t: TypedValue): QuantityValue | undefined {
  const v = t.value;
  if (v === null || typeof v !== 'object') return undefined;
  return v as QuantityValue;
}

export function quantityMatches(values: TypedValue[], q: QuantityQuery): boolean {
  for (const v of values) {
    const quantity = quantityOf(v);
    const n = quantity && valueInQueryUnit(q, quantity);
    if (n !== undefined && compareNumber(q.number, n)) return true;
  }
  return false;
}

export function compileQuantity(input: ParamCompileInput): ValueTest {
  const queries = input.values.map((v) => parseQuantityQuery(v, input.name));
  return { test: (vs) => queries.some((q) => quantityMatches(vs, q)) };
}

export { parseQuantityQuery };
