import { unescapeValue } from '../criteria/escape.js';
import { derived, derivedSlot, type ParamCompileInput, type TypedValue, type ValueTest } from '../types.js';
import { compareRanges, malformed, splitPrefix, type Prefix, type Range } from './prefix.js';

const DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The range a FHIR date, dateTime or instant covers, by its precision (FHIR search, "date"):
 * `2013` is the whole year, `2013-01-14T10:00` the whole minute. Without a time zone the
 * time is read as UTC.
 */
export function dateRange(text: string): Range | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  const offsetMs =
    tz && tz !== 'Z'
      ? (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) * 60_000
      : 0;
  if (mo === undefined) return { lo: Date.UTC(year, 0, 1), hi: Date.UTC(year + 1, 0, 1) };
  const month = Number(mo) - 1;
  if (month > 11) return undefined;
  if (d === undefined) return { lo: Date.UTC(year, month, 1), hi: Date.UTC(year, month + 1, 1) };
  const day = Number(d);
  if (day < 1 || day > 31) return undefined;
  if (h === undefined) return { lo: Date.UTC(year, month, day), hi: Date.UTC(year, month, day + 1) };
  const base = Date.UTC(year, month, day, Number(h), Number(mi)) - offsetMs;
  if (s === undefined) return { lo: base, hi: base + 60_000 };
  const secondStart = base + Number(s) * 1000;
  if (frac === undefined) return { lo: secondStart, hi: secondStart + 1000 };
  const unit = 10 ** (3 - frac.length);
  const ms = Number(frac) * unit;
  return { lo: secondStart + ms, hi: secondStart + ms + Math.max(unit, Number.EPSILON) };
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

/** The range a resource value covers: a date, a Period (open ends are unbounded), a Timing's events. */
export function targetRange(t: TypedValue): Range | undefined {
  const v = t.value;
  if (typeof v === 'string') return dateRange(v);
  if (!isObj(v)) return undefined;
  if (t.type === 'Period' || 'start' in v || 'end' in v) {
    const start = typeof v.start === 'string' ? dateRange(v.start) : undefined;
    const end = typeof v.end === 'string' ? dateRange(v.end) : undefined;
    if (!start && !end) return undefined;
    return { lo: start ? start.lo : -Infinity, hi: end ? end.hi : Infinity };
  }
  if (t.type === 'Timing' || 'event' in v || 'repeat' in v) {
    const ranges: Range[] = [];
    if (Array.isArray(v.event))
      for (const e of v.event) if (typeof e === 'string') ranges.push(...opt(dateRange(e)));
    const bounds = isObj(v.repeat) ? v.repeat.boundsPeriod : undefined;
    if (isObj(bounds)) ranges.push(...opt(targetRange({ type: 'Period', value: bounds })));
    if (ranges.length === 0) return undefined;
    return { lo: Math.min(...ranges.map((r) => r.lo)), hi: Math.max(...ranges.map((r) => r.hi)) };
  }
  return undefined;
}

function opt<T>(v: T | undefined): T[] {
  return v === undefined ? [] : [v];
}

interface DateQuery {
  prefix: Prefix;
  range: Range;
  /** The range `ap` compares with, which depends on when the comparison happens. */
  apRange(): Range;
}

/** `ap`: within 10% of the distance between the search value and now (FHIR search, "ap"). */
function approximate(range: Range, now: number): Range {
  const margin = 0.1 * Math.abs(now - range.lo);
  return { lo: range.lo - margin, hi: range.hi + margin };
}

export function parseDateQuery(raw: string, name: string, now: () => number): DateQuery {
  const { prefix, rest } = splitPrefix(unescapeValue(raw));
  const range = dateRange(rest);
  if (!range)
    throw malformed(name, raw, 'a FHIR date with an optional prefix (eq, ne, gt, lt, ge, le, sa, eb, ap)');
  return { prefix, range, apRange: prefix === 'ap' ? () => approximate(range, now()) : () => range };
}

const ranges = derivedSlot<Range[]>('date ranges');

export function dateMatches(values: TypedValue[], q: DateQuery): boolean {
  const targets = derived(ranges, values, (vs) => vs.flatMap((v) => opt(targetRange(v))));
  for (const target of targets) {
    if (compareRanges(q.prefix, target, q.range, q.prefix === 'ap' ? q.apRange() : q.range)) return true;
  }
  return false;
}

export function compileDate(input: ParamCompileInput, now: () => number): ValueTest {
  const queries = input.values.map((v) => parseDateQuery(v, input.name, now));
  return { test: (vs) => queries.some((q) => dateMatches(vs, q)) };
}
