import { readFileSync } from 'node:fs';
import type { ChangelogRecord } from '../../processors/index.js';

export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/decode/${name}`, import.meta.url), 'utf8');
}

export function record(value: unknown, extra: Partial<ChangelogRecord> = {}): ChangelogRecord {
  return {
    topic: 'fhir.changelog',
    partition: 0,
    offset: '0',
    key: null,
    value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    ...extra,
  };
}
