import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowedNetworks } from '../../src/delivery/networks.js';
import { createWebhookSender, type DeliveryOutcome, type WebhookSender } from '../../src/delivery/sender.js';
import { generateSecret, verify } from '../../src/delivery/signing.js';
import type { Resolver } from '../../src/delivery/ssrf.js';
import { independentlyVerified, startReceiver, type Receiver } from '../support/receiver.js';

const SECRET = generateSecret();
const KEY_B64 = SECRET.slice('whsec_'.length);
const BODY = JSON.stringify({
  specversion: '1.0',
  id: 'evt_0f3a',
  type: 'gov.bis.entitylist.entry.added',
  source: 'https://www.federalregister.gov/documents/2019-22210',
  data: { name: 'Dahua Technology', note: 'ünïcode ✓' },
});

/** Everything about an outcome, as it would be logged or stored: must not leak the secret. */
function assertNoSecret(outcome: DeliveryOutcome, signatures: string[] = []): void {
  const text = JSON.stringify(outcome);
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(KEY_B64);
  expect(text).not.toContain(KEY_B64.slice(0, 16));
  for (const s of signatures) expect(text).not.toContain(s.slice(3, 20));
}

const receivers: Receiver[] = [];
async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

describe('createWebhookSender against real receivers on 127.0.0.1', () => {
  let sender: WebhookSender;
  beforeAll(() => {
    sender = createWebhookSender({
      allowedNetworks: '127.0.0.0/8',
      timeouts: { connectMs: 2_000, headersMs: 300, bodyMs: 300, totalMs: 5_000 },
      maxResponseBytes: 1024,
    });
  });
  afterAll(() => sender.close());

  const attempt = (url: string, extra: Partial<Parameters<WebhookSender['send']>[0]> = {}) => ({
    url,
    eventId: 'evt_0f3a',
    body: BODY,
    secret: SECRET,
    now: Date.now(),
    ...extra,
  });

  it('200: delivered, POSTed with Standard Webhooks headers the receiver verifies independently', async () => {
    const r = await receiver();
    const outcome = await sender.send(attempt(`${r.url}/hooks/a?tenant=1`));
    expect(outcome).toMatchObject({ kind: 'delivered', status: 200 });
    expect(outcome.error).toBeUndefined();
    expect(r.received).toHaveLength(1);
    const got = r.received[0]!;
    expect(got.method).toBe('POST');
    expect(got.path).toBe('/hooks/a?tenant=1');
    expect(got.body).toBe(BODY);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['webhook-id']).toBe('evt_0f3a');
    expect(got.headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(independentlyVerified(got, SECRET)).toBe(true);
    expect(verify({ headers: got.headers, body: got.body, secrets: [SECRET], now: Date.now() }).ok).toBe(
      true,
    );
    assertNoSecret(outcome, [String(got.headers['webhook-signature'])]);
  });

  it('204: delivered', async () => {
    const r = await receiver((_req, res) => res.writeHead(204).end());
    expect(await sender.send(attempt(r.url))).toMatchObject({ kind: 'delivered', status: 204 });
  });

  it('signs each attempt with its own timestamp; the id stays the same', async () => {
    const r = await receiver();
    const t0 = Date.now();
    await sender.send(attempt(r.url, { now: t0 }));
    await sender.send(attempt(r.url, { now: t0 + 60_000 }));
    const [a, b] = r.received;
    expect(Number(b!.headers['webhook-timestamp']) - Number(a!.headers['webhook-timestamp'])).toBe(60);
    expect(a!.headers['webhook-signature']).not.toBe(b!.headers['webhook-signature']);
    expect(a!.headers['webhook-id']).toBe(b!.headers['webhook-id']);
    expect(independentlyVerified(a!, SECRET) && independentlyVerified(b!, SECRET)).toBe(true);
  });

  it('signs with every secret during a rotation', async () => {
    const r = await receiver();
    const next = generateSecret();
    await sender.send(attempt(r.url, { secret: [next, SECRET] }));
    const got = r.received[0]!;
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(independentlyVerified(got, SECRET)).toBe(true);
    expect(independentlyVerified(got, next)).toBe(true);
  });

  it('301: a retryable failure, and the redirect target never gets a request', async () => {
    const target = await receiver();
    const r = await receiver((_req, res) =>
      res.writeHead(301, { location: `${target.url}/elsewhere` }).end(),
    );
    const outcome = await sender.send(attempt(r.url));
    expect(outcome).toMatchObject({ kind: 'retry', status: 301, error: { code: 'WEBHOOK_REDIRECT' } });
    expect(r.received).toHaveLength(1);
    expect(target.received).toHaveLength(0);
    assertNoSecret(outcome);
  });

  it('410: gone, the subscription should be disabled', async () => {
    const r = await receiver((_req, res) => res.writeHead(410).end('unsubscribed'));
    const outcome = await sender.send(attempt(r.url));
    expect(outcome).toMatchObject({ kind: 'gone', status: 410, error: { code: 'WEBHOOK_GONE' } });
    assertNoSecret(outcome);
  });

  it('429 with Retry-After in seconds or as an HTTP-date: retry, carrying the delay', async () => {
    const r = await receiver((_req, res) => res.writeHead(429, { 'retry-after': '120' }).end());
    expect(await sender.send(attempt(r.url))).toMatchObject({
      kind: 'retry',
      status: 429,
      retryAfterMs: 120_000,
      error: { code: 'WEBHOOK_RATE_LIMITED' },
    });
    const now = Date.now();
    const at = new Date(Math.ceil(now / 1000) * 1000 + 3_600_000).toUTCString();
    const d = await receiver((_req, res) => res.writeHead(503, { 'retry-after': at }).end());
    const outcome = await sender.send(attempt(d.url, { now }));
    expect(outcome).toMatchObject({ kind: 'retry', status: 503, error: { code: 'WEBHOOK_DELIVERY_FAILED' } });
    expect(outcome.retryAfterMs).toBeGreaterThan(3_500_000);
    expect(outcome.retryAfterMs).toBeLessThanOrEqual(3_601_000);
  });

  it('500 and 404: retry', async () => {
    const r = await receiver((req, res) => res.writeHead(req.path === '/missing' ? 404 : 500).end('boom'));
    expect(await sender.send(attempt(r.url))).toMatchObject({
      kind: 'retry',
      status: 500,
      error: { code: 'WEBHOOK_DELIVERY_FAILED' },
    });
    expect(await sender.send(attempt(`${r.url}/missing`))).toMatchObject({ kind: 'retry', status: 404 });
  });

  it('a receiver that never answers: retry with a timeout', async () => {
    const r = await receiver(() => undefined);
    const outcome = await sender.send(attempt(r.url));
    expect(outcome).toMatchObject({ kind: 'retry', error: { code: 'WEBHOOK_TIMEOUT' } });
    expect(outcome.status).toBeUndefined();
    assertNoSecret(outcome);
  });

  it('a 2xx whose body never ends still counts as delivered (the receiver did say 2xx)', async () => {
    const r = await receiver((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    expect(await sender.send(attempt(r.url))).toMatchObject({ kind: 'delivered', status: 200 });
  });

  it('a huge response body is cut off at the cap without failing the delivery', async () => {
    const r = await receiver((_req, res) => {
      res.writeHead(200);
      res.end(Buffer.alloc(5 * 1024 * 1024, 'x'));
    });
    expect(await sender.send(attempt(r.url))).toMatchObject({ kind: 'delivered', status: 200 });
  });

  it('connection refused: retry with a network error', async () => {
    const closed = await receiver();
    const url = closed.url;
    await closed.close();
    const outcome = await sender.send(attempt(url));
    expect(outcome).toMatchObject({ kind: 'retry', error: { code: 'WEBHOOK_NETWORK' } });
    expect(outcome.error?.message).toContain('ECONNREFUSED');
    assertNoSecret(outcome);
  });

  it('connection reset mid-request: retry with a network error', async () => {
    const r = await receiver((_req, res, raw) => {
      raw.socket.resetAndDestroy();
      void res;
    });
    const outcome = await sender.send(attempt(r.url));
    expect(outcome).toMatchObject({ kind: 'retry', error: { code: 'WEBHOOK_NETWORK' } });
    assertNoSecret(outcome);
  });

  it('a socket closed before any answer: retry', async () => {
    const server: Server = createServer();
    server.on('connection', (s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const outcome = await sender.send(attempt(`http://127.0.0.1:${port}/`));
      expect(outcome).toMatchObject({ kind: 'retry', error: { code: 'WEBHOOK_NETWORK' } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('an attempt aborted by the caller (shutdown): retry, marked aborted', async () => {
    const r = await receiver(() => undefined);
    const controller = new AbortController();
    const pending = sender.send(attempt(r.url, { signal: controller.signal }));
    // Abort once the receiver has the request, so the abort interrupts a request in flight.
    while (r.received.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    expect(await pending).toMatchObject({ kind: 'retry', error: { code: 'WEBHOOK_ABORTED' } });
  });

  it('reuses keep-alive connections for consecutive deliveries to one receiver', async () => {
    const r = await receiver();
    for (let i = 0; i < 20; i++) await sender.send(attempt(r.url));
    expect(r.received).toHaveLength(20);
    // undici's pool hears that a connection is free one tick after the response ends, so an
    // immediate next request may open a second connection; after that both are reused.
    expect(r.connections()).toBeLessThanOrEqual(2);
  });

  it('refuses URLs that are not http(s) or carry credentials, without a request', async () => {
    const r = await receiver();
    for (const url of ['ftp://127.0.0.1/x', `http://user:pw@127.0.0.1:${r.port}/`, 'not a url']) {
      const outcome = await sender.send(attempt(url));
      expect(outcome).toMatchObject({ kind: 'forbidden', error: { code: 'WEBHOOK_URL_FORBIDDEN' } });
      expect(JSON.stringify(outcome)).not.toContain('pw@');
    }
    expect(r.received).toHaveLength(0);
  });

  it('throws a permanent error for a malformed secret, never naming it', async () => {
    const r = await receiver();
    const bad = 'whsec_!!definitely-not-base64!!';
    await expect(sender.send(attempt(r.url, { secret: bad }))).rejects.toMatchObject({
      code: 'WEBHOOK_SECRET_INVALID',
      retryable: false,
    });
    await sender.send(attempt(r.url, { secret: bad })).catch((err: Error) => {
      expect(err.message).not.toContain('definitely');
    });
    expect(r.received).toHaveLength(0);
  });
});

describe('SSRF guard at connect time', () => {
  const opts = { timeouts: { connectMs: 2_000, headersMs: 1_000, bodyMs: 1_000, totalMs: 5_000 } };
  const send = (sender: WebhookSender, url: string) =>
    sender.send({ url, eventId: 'evt_1', body: BODY, secret: SECRET, now: Date.now() });

  it('refuses 127.0.0.1 by default, and reaches it once 127.0.0.0/8 is allowed', async () => {
    const r = await receiver();
    const strict = createWebhookSender(opts);
    const lenient = createWebhookSender({ ...opts, allowedNetworks: parseAllowedNetworks('127.0.0.0/8') });
    try {
      const refused = await send(strict, r.url);
      expect(refused).toMatchObject({ kind: 'forbidden', error: { code: 'WEBHOOK_URL_FORBIDDEN' } });
      expect(refused.error?.message).toContain('loopback');
      expect(r.received).toHaveLength(0);
      expect(await send(lenient, r.url)).toMatchObject({ kind: 'delivered' });
      expect(r.received).toHaveLength(1);
    } finally {
      await Promise.all([strict.close(), lenient.close()]);
    }
  });

  it('refuses private, link-local, loopback, mapped and unspecified literals without connecting', async () => {
    const r = await receiver();
    const strict = createWebhookSender(opts);
    try {
      for (const host of [
        '10.0.0.1',
        '169.254.169.254',
        '[::1]',
        '[::ffff:127.0.0.1]',
        '0.0.0.0',
        '2130706433', // 127.0.0.1 as one number
        '0x7f.1',
        '[fe80::1]',
        '192.168.0.10',
      ]) {
        const outcome = await send(strict, `http://${host}:${r.port}/`);
        expect(outcome, host).toMatchObject({ kind: 'forbidden', error: { code: 'WEBHOOK_URL_FORBIDDEN' } });
      }
      expect(r.received).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });

  it('refuses a hostname that resolves to loopback (localhost), with no pre-check', async () => {
    const r = await receiver();
    const strict = createWebhookSender(opts);
    try {
      const outcome = await send(strict, `http://localhost:${r.port}/hook`);
      expect(outcome).toMatchObject({ kind: 'forbidden', error: { code: 'WEBHOOK_URL_FORBIDDEN' } });
      expect(outcome.error?.message).toMatch(/localhost \(resolves to (127\.0\.0\.1|::1)\)/);
      expect(r.received).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });

  it('refuses a name rebound to a private address after it looked public (DNS rebinding)', async () => {
    const r = await receiver();
    let calls = 0;
    // First answer public (what a pre-check would have seen), every later answer 127.0.0.1.
    const rebinding: Resolver = (_host, _opts, cb) => {
      calls++;
      cb(null, [{ address: calls === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }]);
    };
    const { validateSubscriptionUrl } = await import('../../src/delivery/ssrf.js');
    const check = await validateSubscriptionUrl(`http://rebind.example:${r.port}/`, [], {
      resolver: rebinding,
    });
    expect(check.ok).toBe(true);
    const strict = createWebhookSender({ ...opts, resolver: rebinding });
    try {
      const outcome = await send(strict, `http://rebind.example:${r.port}/`);
      expect(outcome).toMatchObject({ kind: 'forbidden', error: { code: 'WEBHOOK_URL_FORBIDDEN' } });
      expect(r.received).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });

  it('refuses a name when any of its addresses is refused, even if another is allowed', async () => {
    const r = await receiver();
    const mixed: Resolver = (_host, _opts, cb) =>
      cb(null, [
        { address: '127.0.0.1', family: 4 },
        { address: '10.1.2.3', family: 4 },
      ]);
    const sender = createWebhookSender({ ...opts, allowedNetworks: '127.0.0.0/8', resolver: mixed });
    try {
      const outcome = await send(sender, `http://receiver.test:${r.port}/`);
      expect(outcome).toMatchObject({ kind: 'forbidden' });
      expect(outcome.error?.message).toContain('10.1.2.3');
      expect(r.received).toHaveLength(0);
    } finally {
      await sender.close();
    }
  });

  it('delivers through a name whose addresses are all allowed', async () => {
    const r = await receiver();
    const fixed: Resolver = (_host, _opts, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]);
    const sender = createWebhookSender({ ...opts, allowedNetworks: '127.0.0.0/8', resolver: fixed });
    try {
      expect(await send(sender, `http://receiver.test:${r.port}/`)).toMatchObject({ kind: 'delivered' });
      expect(r.received[0]?.headers.host).toBe(`receiver.test:${r.port}`);
    } finally {
      await sender.close();
    }
  });

  it('a name that does not resolve is a retryable network failure, not a refusal', async () => {
    const sender = createWebhookSender({ ...opts });
    try {
      const outcome = await send(sender, 'http://no-such-host.invalid/');
      expect(outcome).toMatchObject({ kind: 'retry', error: { code: 'WEBHOOK_NETWORK' } });
    } finally {
      await sender.close();
    }
  });
});
