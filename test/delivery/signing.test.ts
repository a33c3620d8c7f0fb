import { spawnSync } from 'node:child_process';
import { createHmac, webcrypto } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { decodeSecret, generateSecret, sign, signatureHeader, verify } from '../../src/delivery/signing.js';

// The reference vector of the Standard Webhooks libraries (standard-webhooks/standard-webhooks,
// libraries/javascript/src/webhook.test.ts, "sign function works"; also Svix's documentation).
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0;

/** An independent HMAC, computed by Python's standard library. */
function pythonSignatures(
  cases: Array<{ secret: string; id: string; timestamp: number; body: string }>,
): string[] {
  const script = [
    'import base64, hashlib, hmac, json, sys',
    'out = []',
    'for c in json.load(sys.stdin):',
    '    key = base64.b64decode(c["secret"][6:] if c["secret"].startswith("whsec_") else c["secret"])',
    '    msg = f\'{c["id"]}.{c["timestamp"]}.{c["body"]}\'.encode()',
    '    out.append("v1," + base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode())',
    'print(json.dumps(out))',
  ].join('\n');
  const res = spawnSync('python3', ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`python3 failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as string[];
}

describe('sign', () => {
  it('reproduces the Standard Webhooks reference vector, with and without the whsec_ prefix', () => {
    expect(sign(SPEC)).toBe(SPEC.signature);
    expect(sign({ ...SPEC, secret: SPEC.secret.slice('whsec_'.length) })).toBe(SPEC.signature);
  });

  it('agrees with WebCrypto HMAC (a second, differently written computation)', async () => {
    const key = await webcrypto.subtle.importKey(
      'raw',
      Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const mac = await webcrypto.subtle.sign(
      'HMAC',
      key,
      new TextEncoder().encode(`${SPEC.id}.${SPEC.timestamp}.${SPEC.body}`),
    );
    expect(sign(SPEC)).toBe(`v1,${Buffer.from(mac).toString('base64')}`);
  });

  it.skipIf(!hasPython)('agrees with Python hmac on random secrets, ids and unicode bodies', () => {
    const cases = fc.sample(
      fc.record({
        secret: fc
          .uint8Array({ minLength: 24, maxLength: 64 })
          .map((b) => generateSecret({ bytes: b.length, random: () => b })),
        id: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
        timestamp: fc.integer({ min: 0, max: 4_000_000_000 }),
        body: fc.string({ unit: 'grapheme', maxLength: 200 }),
      }),
      { numRuns: 50, seed: 7 },
    );
    expect(cases.map((c) => sign(c))).toEqual(pythonSignatures(cases));
  });

  it('signs a Uint8Array body like the same string', () => {
    expect(sign({ ...SPEC, body: Buffer.from(SPEC.body) })).toBe(SPEC.signature);
  });

  it('joins one signature per secret for rotations', () => {
    const other = generateSecret({ random: (n) => new Uint8Array(n).fill(1) });
    const header = signatureHeader({
      id: SPEC.id,
      timestamp: SPEC.timestamp,
      body: SPEC.body,
      secrets: [SPEC.secret, other],
    });
    expect(header.split(' ')).toEqual([SPEC.signature, sign({ ...SPEC, secret: other })]);
  });

  it('refuses ids that would blur the signed content or a header', () => {
    for (const id of ['evt.1', 'a b', 'x\r\ny', '']) {
      expect(() => sign({ ...SPEC, id })).toThrow(expect.objectContaining({ code: 'WEBHOOK_ID_INVALID' }));
    }
  });

  it('refuses a malformed secret without repeating it', () => {
    const bad = 'whsec_not base64 at all, really!';
    try {
      sign({ ...SPEC, secret: bad });
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err, 'WEBHOOK_SECRET_INVALID')).toBe(true);
      expect(JSON.stringify(err) + String(err)).not.toContain('not base64 at all');
    }
  });
});

describe('generateSecret', () => {
  it('is whsec_ + base64 of the random bytes', () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i);
    const secret = generateSecret({ random: () => bytes });
    expect(secret).toBe('whsec_' + Buffer.from(bytes).toString('base64'));
    expect(decodeSecret(secret)).toEqual(Buffer.from(bytes));
  });

  it('uses 32 random bytes by default, different each time', () => {
    const a = generateSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(decodeSecret(a)).toHaveLength(32);
    expect(generateSecret()).not.toBe(a);
  });

  it('refuses keys shorter than the spec allows', () => {
    expect(() => generateSecret({ bytes: 16 })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
  });
});

describe('verify', () => {
  const now = SPEC.timestamp * 1000;
  const headers = {
    'webhook-id': SPEC.id,
    'webhook-timestamp': String(SPEC.timestamp),
    'webhook-signature': SPEC.signature,
  };

  it('accepts the reference vector at its own time, from a plain object or fetch Headers', () => {
    expect(verify({ headers, body: SPEC.body, secrets: [SPEC.secret], now })).toEqual({
      ok: true,
      id: SPEC.id,
      timestamp: SPEC.timestamp,
    });
    expect(verify({ headers: new Headers(headers), body: SPEC.body, secrets: [SPEC.secret], now }).ok).toBe(
      true,
    );
    const upper = {
      'Webhook-Id': SPEC.id,
      'Webhook-Timestamp': String(SPEC.timestamp),
      'Webhook-Signature': SPEC.signature,
    };
    expect(verify({ headers: upper, body: SPEC.body, secrets: [SPEC.secret], now }).ok).toBe(true);
  });

  it('accepts when any of several signatures matches, ignoring other versions and junk', () => {
    const signature = [
      'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
      'v1a,abc',
      'v2,zzz',
      'junk',
      SPEC.signature,
    ].join(' ');
    expect(
      verify({
        headers: { ...headers, 'webhook-signature': signature },
        body: SPEC.body,
        secrets: [SPEC.secret],
        now,
      }).ok,
    ).toBe(true);
  });

  it('accepts with either secret during a rotation', () => {
    const other = generateSecret();
    expect(verify({ headers, body: SPEC.body, secrets: [other, SPEC.secret], now }).ok).toBe(true);
    expect(verify({ headers, body: SPEC.body, secrets: [other], now })).toMatchObject({
      ok: false,
      reason: 'no_matching_signature',
    });
  });

  it('refuses a tampered body, id or timestamp', () => {
    const secrets = [SPEC.secret];
    expect(verify({ headers, body: SPEC.body + ' ', secrets, now })).toMatchObject({
      ok: false,
      reason: 'no_matching_signature',
    });
    expect(
      verify({ headers: { ...headers, 'webhook-id': 'msg_other' }, body: SPEC.body, secrets, now }).ok,
    ).toBe(false);
    const ts = String(SPEC.timestamp + 1);
    expect(
      verify({ headers: { ...headers, 'webhook-timestamp': ts }, body: SPEC.body, secrets, now }).ok,
    ).toBe(false);
  });

  it('refuses truncated signatures', () => {
    for (const s of ['v1,', 'v1,g0hM9SsE', SPEC.signature.slice(0, -4)]) {
      expect(
        verify({
          headers: { ...headers, 'webhook-signature': s },
          body: SPEC.body,
          secrets: [SPEC.secret],
          now,
        }).ok,
      ).toBe(false);
    }
  });

  it('enforces the timestamp tolerance both ways', () => {
    const secrets = [SPEC.secret];
    expect(verify({ headers, body: SPEC.body, secrets, now: now + 301_000 })).toMatchObject({
      reason: 'timestamp_too_old',
    });
    expect(verify({ headers, body: SPEC.body, secrets, now: now - 301_000 })).toMatchObject({
      reason: 'timestamp_too_new',
    });
    expect(verify({ headers, body: SPEC.body, secrets, now: now + 299_000 }).ok).toBe(true);
    expect(verify({ headers, body: SPEC.body, secrets, now: now + 20_000, toleranceSec: 10 }).ok).toBe(false);
  });

  it('reports missing headers and malformed timestamps with a typed error', () => {
    const result = verify({
      headers: { 'webhook-id': SPEC.id },
      body: SPEC.body,
      secrets: [SPEC.secret],
      now,
    });
    expect(result).toMatchObject({ ok: false, reason: 'missing_header' });
    if (!result.ok) {
      expect(result.error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
      expect(result.error.message).toContain('webhook-timestamp, webhook-signature');
    }
    for (const ts of ['hello', '1.5', '-1', '']) {
      expect(
        verify({
          headers: { ...headers, 'webhook-timestamp': ts },
          body: SPEC.body,
          secrets: [SPEC.secret],
          now,
        }).ok,
      ).toBe(false);
    }
  });

  it('round-trips sign → verify for arbitrary bodies (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.integer({ min: 0, max: 4_000_000_000 }),
        (body, timestamp) => {
          const secret = SPEC.secret;
          const signature = sign({ id: 'evt_1', timestamp, body, secret });
          const h = {
            'webhook-id': 'evt_1',
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signature,
          };
          return verify({ headers: h, body, secrets: [secret], now: timestamp * 1000 }).ok;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('matches an HMAC written out with node:crypto directly', () => {
    const key = Buffer.from(SPEC.secret.slice(6), 'base64');
    const mac = createHmac('sha256', key)
      .update(Buffer.from(`${SPEC.id}.${SPEC.timestamp}.${SPEC.body}`, 'utf8'))
      .digest('base64');
    expect(`v1,${mac}`).toBe(SPEC.signature);
  });
});
