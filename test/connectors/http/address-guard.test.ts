import { describe, expect, it } from 'vitest';
import { createAddressGuard } from '../../../connectors/index.js';

describe('address guard (SSRF)', () => {
  const guard = createAddressGuard([]);

  it('refuses loopback, private, link-local, metadata and unique-local addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00:ec2::254',
      'fe80::1',
      '::ffff:127.0.0.1',
      '[::1]',
    ]) {
      expect(guard.allows('h', ip), ip).toBe(false);
    }
  });

  it('allows public addresses', () => {
    for (const ip of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '172.32.0.1'])
      expect(guard.allows('h', ip), ip).toBe(true);
  });

  it('allows listed CIDRs and host names (with wildcards)', () => {
    const listed = createAddressGuard([
      '127.0.0.1/32',
      '10.0.0.0/8',
      'hooks.internal',
      '*.corp.example',
      '::1',
    ]);
    expect(listed.allows('h', '127.0.0.1')).toBe(true);
    expect(listed.allows('h', '127.0.0.2')).toBe(false);
    expect(listed.allows('h', '10.9.9.9')).toBe(true);
    expect(listed.allows('h', '::1')).toBe(true);
    expect(listed.allows('hooks.internal', '192.168.0.5')).toBe(true);
    expect(listed.allows('a.corp.example', '192.168.0.5')).toBe(true);
    expect(listed.allows('corp.example.evil', '192.168.0.5')).toBe(false);
  });

  it('refuses in the lookup hook when a name resolves to a refused address', async () => {
    const error = await new Promise<Error | null>((resolve) =>
      guard.lookup('localhost', { all: true }, (err) => resolve(err)),
    );
    expect(error?.message).toMatch(/localhost resolves to .*not on the allowlist/);
  });
});
