import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { parseAllowedNetworks } from '../../src/delivery/networks.js';
import { createGuardedLookup, validateSubscriptionUrl, type Resolver } from '../../src/delivery/ssrf.js';

const none = parseAllowedNetworks('');
const answers =
  (...addresses: string[]): Resolver =>
  (_host, _opts, cb) =>
    cb(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
const notFound: Resolver = (host, _opts, cb) =>
  cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);

describe('validateSubscriptionUrl (the admin API pre-check)', () => {
  it('accepts an https URL whose name resolves to public addresses', async () => {
    const check = await validateSubscriptionUrl('https://hooks.example.com/fedreg?x=1', none, {
      resolver: answers('93.184.216.34', '2606:2800:220:1::1'),
    });
    expect(check).toMatchObject({ ok: true });
    if (check.ok) expect(check.url.href).toBe('https://hooks.example.com/fedreg?x=1');
  });

  it.each([
    ['ftp://example.com/x', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    ['https://user:secret@example.com/', 'credentials'],
    ['https://user@example.com/', 'credentials'],
    ['/relative/path', 'malformed'],
    ['', 'malformed'],
  ])('refuses %s (%s)', async (url, reason) => {
    const check = await validateSubscriptionUrl(url, none, { resolver: answers('93.184.216.34') });
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.error).toMatchObject({ code: 'WEBHOOK_URL_FORBIDDEN', context: { reason } });
      expect(check.error.message).not.toContain('secret@');
    }
  });

  it.each([
    'http://127.0.0.1/',
    'http://127.1/',
    'http://0x7f.1/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://0.0.0.0:8080/',
    'http://10.0.0.1/',
    'http://172.20.1.1/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
  ])('refuses the literal address in %s', async (url) => {
    const check = await validateSubscriptionUrl(url, none, { resolver: answers('93.184.216.34') });
    expect(check).toMatchObject({ ok: false, error: { code: 'WEBHOOK_URL_FORBIDDEN' } });
  });

  it('refuses localhost through real DNS resolution', async () => {
    const check = await validateSubscriptionUrl('http://localhost:3000/hook', none);
    expect(check).toMatchObject({ ok: false, error: { code: 'WEBHOOK_URL_FORBIDDEN' } });
    if (!check.ok) expect(check.error.message).toContain('loopback');
  });

  it('refuses a name with any refused address among public ones', async () => {
    const check = await validateSubscriptionUrl('https://mixed.example/', none, {
      resolver: answers('93.184.216.34', '10.0.0.7'),
    });
    expect(check).toMatchObject({ ok: false, error: { context: { address: '10.0.0.7' } } });
  });

  it('refuses a name that does not resolve, saying so', async () => {
    const check = await validateSubscriptionUrl('https://nope.invalid/', none, { resolver: notFound });
    expect(check).toMatchObject({
      ok: false,
      error: { code: 'WEBHOOK_URL_FORBIDDEN', context: { reason: 'unresolvable' } },
    });
  });

  it('lets allow-listed networks through', async () => {
    const allowed = parseAllowedNetworks('127.0.0.0/8,::1/128');
    expect(await validateSubscriptionUrl('http://127.0.0.1:8080/hook', allowed)).toMatchObject({ ok: true });
    expect(await validateSubscriptionUrl('http://[::1]:8080/hook', allowed)).toMatchObject({ ok: true });
    expect(await validateSubscriptionUrl('http://localhost:8080/hook', allowed)).toMatchObject({ ok: true });
    expect(await validateSubscriptionUrl('http://10.0.0.1/', allowed)).toMatchObject({ ok: false });
  });

  it('can skip resolution and check only the URL', async () => {
    expect(
      await validateSubscriptionUrl('https://nope.invalid/', none, { resolve: false, resolver: notFound }),
    ).toMatchObject({
      ok: true,
    });
  });
});

describe('createGuardedLookup (what net.connect calls)', () => {
  const lookup = (resolver: Resolver, all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>(
      (resolve) =>
        createGuardedLookup(none, resolver)('host.test', { all }, (err, address, family) =>
          resolve({ err, address, family }),
        ),
    );

  it('answers in the single-address and all-addresses forms', async () => {
    expect(await lookup(answers('93.184.216.34', '1.1.1.1'), false)).toEqual({
      err: null,
      address: '93.184.216.34',
      family: 4,
    });
    const all = await lookup(answers('93.184.216.34', '2606:4700::1111'), true);
    expect(all.err).toBeNull();
    expect(all.address).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:4700::1111', family: 6 },
    ]);
  });

  it('fails the lookup with WEBHOOK_URL_FORBIDDEN when any address is refused', async () => {
    for (const all of [true, false]) {
      const { err } = await lookup(answers('93.184.216.34', '::ffff:169.254.169.254'), all);
      expect(err).toMatchObject({
        code: 'WEBHOOK_URL_FORBIDDEN',
        context: { host: 'host.test', address: '::ffff:169.254.169.254' },
      });
    }
  });

  it('passes resolution errors through unchanged', async () => {
    expect((await lookup(notFound, false)).err).toMatchObject({ code: 'ENOTFOUND' });
  });
});
