import { BlockList, isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkAddress,
  networkContains,
  parseAllowedNetworks,
  parseCidr,
  parseIp,
} from '../../src/delivery/networks.js';

const none = parseAllowedNetworks('');

describe('parseIp', () => {
  it('agrees with net.isIP on generated IPv4 and IPv6 text (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 20 })), (text) => {
        return (parseIp(text) !== undefined) === (isIP(text) !== 0);
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses non-canonical IPv4 (leading zeros read as octal elsewhere)', () => {
    expect(parseIp('010.0.0.1')).toBeUndefined();
    expect(parseIp('1.2.3')).toBeUndefined();
    expect(parseIp('256.1.1.1')).toBeUndefined();
  });

  it('reads brackets, zones and embedded IPv4', () => {
    expect(parseIp('[::1]')?.family).toBe(6);
    expect(parseIp('fe80::1%eth0')?.family).toBe(6);
    expect(parseIp('::ffff:127.0.0.1')?.bytes).toEqual(parseIp('127.0.0.1')?.bytes);
    expect(parseIp('::ffff:7f00:1')?.bytes).toEqual(parseIp('127.0.0.1')?.bytes);
  });
});

describe('CIDR matching', () => {
  it('agrees with net.BlockList for IPv4 (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.ipV4(), (base, prefix, address) => {
        const list = new BlockList();
        list.addSubnet(base, prefix, 'ipv4');
        return (
          networkContains(parseCidr(`${base}/${prefix}`)!, parseIp(address)!) === list.check(address, 'ipv4')
        );
      }),
      { numRuns: 2_000 },
    );
  });

  it('agrees with net.BlockList for IPv6 (property)', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 0, max: 128 }), fc.ipV6(), (base, prefix, address) => {
        const list = new BlockList();
        list.addSubnet(base, prefix, 'ipv6');
        return (
          networkContains(parseCidr(`${base}/${prefix}`)!, parseIp(address)!) === list.check(address, 'ipv6')
        );
      }),
      { numRuns: 2_000 },
    );
  });

  it('also matches addresses near a prefix boundary', () => {
    const n = parseCidr('10.1.2.0/23')!;
    expect(networkContains(n, parseIp('10.1.3.255')!)).toBe(true);
    expect(networkContains(n, parseIp('10.1.4.0')!)).toBe(false);
    expect(networkContains(parseCidr('0.0.0.0/0')!, parseIp('8.8.8.8')!)).toBe(true);
    // An IPv4 /0 is all of IPv4, not all of IPv6.
    expect(networkContains(parseCidr('0.0.0.0/0')!, parseIp('2001:4860::1')!)).toBe(false);
  });
});

describe('parseAllowedNetworks', () => {
  it('reads comma-separated IPv4 and IPv6 CIDRs and single hosts', () => {
    expect(parseAllowedNetworks(' 127.0.0.0/8, ::1/128 ,10.0.0.5,').map((n) => n.cidr)).toEqual([
      '127.0.0.0/8',
      '::1/128',
      '10.0.0.5',
    ]);
    expect(parseAllowedNetworks(undefined)).toEqual([]);
  });

  it('reports every bad entry at once', () => {
    try {
      parseAllowedNetworks('127.0.0.0/8,10.0.0.0/33,localhost,::1/129');
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({
        code: 'CONFIG_INVALID',
        context: { invalid: ['10.0.0.0/33', 'localhost', '::1/129'] },
      });
      expect((err as Error).message).toContain('WEBHOOK_ALLOWED_NETWORKS');
    }
  });
});

describe('checkAddress', () => {
  const refused = [
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.1.2', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'benchmarking'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::127.0.0.1', 'IPv4-compatible'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['2001:db8::1', 'documentation'],
    ['not-an-ip', 'not an IP address'],
  ] as const;

  it.each(refused)('refuses %s (%s) by default', (address, label) => {
    const verdict = checkAddress(address, none);
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.reason).toContain(label);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '172.32.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('lets %s through', (address) => {
    expect(checkAddress(address, none)).toEqual({ allowed: true });
  });

  it('lets allow-listed networks through, in every spelling of the address', () => {
    const allowed = parseAllowedNetworks('127.0.0.0/8');
    expect(checkAddress('127.0.0.1', allowed)).toEqual({ allowed: true });
    expect(checkAddress('::ffff:127.0.0.1', allowed)).toEqual({ allowed: true });
    expect(checkAddress('::1', allowed).allowed).toBe(false);
    expect(checkAddress('10.0.0.1', allowed).allowed).toBe(false);
    expect(checkAddress('::1', parseAllowedNetworks('::1/128'))).toEqual({ allowed: true });
    expect(checkAddress('fd00::5', parseAllowedNetworks('fd00::/8'))).toEqual({ allowed: true });
  });
});
