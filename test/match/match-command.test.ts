import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => `test/fixtures/match/${name}`;

/** Runs the package bin as a user would after `npm ci` (which builds dist/ through prepare). */
function substream(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/substream.js', 'match', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('substream match (the command contract)', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
      cwd: root,
    });
  }, 120_000);

  it('prints {"matched": true, "reasons": [...]} and exits 0 for classic criteria', () => {
    const r = substream(
      '--subscription',
      fixture('glucose-subscription-r4.json'),
      '--resource',
      fixture('observation-glucose.json'),
      '--interaction',
      'create',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      matched: boolean;
      reasons: { criterion: string; passed: boolean }[];
    };
    expect(out.matched).toBe(true);
    expect(out.reasons).toContainEqual({ criterion: 'code=http://loinc.org|15074-8', passed: true });
    expect(Object.keys(out)).toEqual(['matched', 'reasons']);
  });

  it('takes --topic and --previous for topic subscriptions (backport)', () => {
    const args = [
      '--subscription',
      fixture('encounter-start-subscription-backport.json'),
      '--topic',
      fixture('encounter-start-topic.json'),
      '--resource',
      fixture('encounter-in-progress.json'),
      '--interaction',
      'update',
    ];
    const started = substream(...args, '--previous', fixture('encounter-planned.json'));
    expect(started.code).toBe(0);
    expect(JSON.parse(started.stdout).matched).toBe(true);
    const unchanged = substream(...args, '--previous', fixture('encounter-in-progress.json'));
    expect(unchanged.code).toBe(0);
    expect(JSON.parse(unchanged.stdout).matched).toBe(false);
  });

  it('matched false still exits 0 (R5 subscription, delete not supported by the topic)', () => {
    const r = substream(
      '--subscription',
      fixture('encounter-start-subscription-r5.json'),
      '--topic',
      fixture('encounter-start-topic.json'),
      '--resource',
      fixture('encounter-in-progress.json'),
      '--interaction',
      'delete',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).matched).toBe(false);
  });

  it('exits 2 with the error on stderr when the subscription cannot be compiled', () => {
    const r = substream(
      '--subscription',
      fixture('chained-subscription-r4.json'),
      '--resource',
      fixture('observation-glucose.json'),
      '--interaction',
      'create',
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('chained parameter');
  });

  it('exits 2 when the topic a subscription needs is not given', () => {
    const r = substream(
      '--subscription',
      fixture('encounter-start-subscription-r5.json'),
      '--resource',
      fixture('encounter-in-progress.json'),
      '--interaction',
      'update',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--topic');
  });
});
