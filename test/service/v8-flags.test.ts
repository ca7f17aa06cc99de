import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runtimeV8Flags } from '../../app/v8-flags.js';

describe('runtimeV8Flags', () => {
  it('turns allocation-site pretenuring off by default', () => {
    expect(runtimeV8Flags([])).toEqual(['--no-allocation-site-pretenuring']);
    expect(runtimeV8Flags(['--max-old-space-size=512'])).toEqual(['--no-allocation-site-pretenuring']);
  });

  it('keeps what the command line says about pretenuring, in either spelling', () => {
    for (const flag of [
      '--allocation-site-pretenuring',
      '--no-allocation-site-pretenuring',
      '--allocation_site_pretenuring',
      '--no-allocation_site_pretenuring',
    ])
      expect(runtimeV8Flags([flag])).toEqual([]);
  });
});

describe('the substream command', () => {
  it('still runs its commands with the flags set first', () => {
    // `--help` needs no services: it runs the whole entry point once.
    const r = spawnSync(process.execPath, ['bin/substream.js', '--help'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('substream');
  });
});
