import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReference } from '../../app/config/index.js';

describe('README configuration reference', () => {
  it('is the one the schema makes (run `npm run docs:config` after changing the schema)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(configReference());
  });
});
