import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startReceiver, type Received, type Receiver } from '../support/receiver.js';
import { ADMIN_TOKEN, startHarness, waitFor, type Harness } from '../support/service.js';

/**
 * Service tier: a webhook receiver built on the official `standardwebhooks` package (not our code)
 * verifies real deliveries of the running service, before and after a secret rotation, as a
 * subscriber would: it knows one secret at a time and answers 401 to anything it cannot verify.
 */
const require = createRequire(import.meta.url);
const { Webhook, WebhookVerificationError } =
  require('standardwebhooks') as typeof import('standardwebhooks');

const redisUrl = inject('redisUrl');
/** How long deliveries reuse a subscription read (pipeline/deliver.ts, 1 s), with a margin. */
const ROTATION_TAKES_EFFECT_MS = 1_100;
let h: Harness;
let receiver: Receiver;
/** The secret the subscriber has configured; it changes when the operator rotates. */
let configured = '';
/** The secret the subscription was created with. */
let original = '';
const verdicts: Array<{ id: string; verified: boolean }> = [];

function headersOf(r: Received): Record<string, string> {
  return {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  };
}

function verifies(r: Received, secret: string): boolean {
  try {
    new Webhook(secret).verify(r.body, headersOf(r));
    return true;
  } catch (err) {
    if (err instanceof WebhookVerificationError) return false;
    throw err;
  }
}

async function admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await request(`${h.api}${path}`, {
    method: method as 'POST',
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return (await res.body.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  h = await startHarness(redisUrl);
  receiver = await startReceiver((r, res) => {
    const verified = verifies(r, configured);
    verdicts.push({ id: String(r.headers['webhook-id']), verified });
    res.writeHead(verified ? 204 : 401).end();
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

describe('a standardwebhooks receiver', () => {
  it('verifies every delivery, before and after a secret rotation', async () => {
    const created = await admin('POST', '/v1/subscriptions', {
      url: `${receiver.url}/hook`,
      filter: { types: ['gov.bis.entitylist.entry.*'] },
    });
    const id = created.id as string;
    const first = created.secret as string;
    configured = first;
    original = first;

    // The first rule of the timeline: eight additions under Russia.
    h.replay.setNow(Date.parse('2016-03-22T12:00:00Z'));
    await waitFor('eight verified deliveries', () =>
      verdicts.filter((v) => v.verified).length >= 8 ? true : undefined,
    );
    const before = receiver.received.slice();
    expect(before).toHaveLength(8);
    for (const r of before) {
      expect(verifies(r, first)).toBe(true);
      expect(verifies(r, `whsec_${randomBytes(24).toString('base64')}`)).toBe(false);
    }

    // The operator rotates; the subscriber switches to the new secret at once.
    const second = (await admin('POST', `/v1/subscriptions/${id}/rotate-secret`)).secret as string;
    expect(second).not.toBe(first);
    configured = second;
    // A rotation takes effect within a second: deliveries reuse a subscription read for that long
    // (pipeline/deliver.ts). The next rule is published once it has, as the rate limits used to
    // ensure by themselves (a rule's XML took longer than that to come).
    await new Promise((r) => setTimeout(r, ROTATION_TAKES_EFFECT_MS));
    h.replay.setNow(Date.parse('2016-11-04T12:00:00Z'));
    await waitFor(
      'deliveries of the next rules',
      () => (receiver.received.length > 8 && verdicts.length === receiver.received.length ? true : undefined),
      60_000,
    );
    // Let the rules' deliveries finish: the feed says how many entry events there are.
    const feed = await request(`${h.api}/v1/events?limit=1000`);
    const events = (
      (await feed.body.json()) as { events: Array<{ type: string; time: string }> }
    ).events.filter((e) => e.type.startsWith('gov.bis.entitylist.entry.'));
    await waitFor('every entry event delivered', () =>
      new Set(verdicts.filter((v) => v.verified).map((v) => v.id)).size >= events.length ? true : undefined,
    );
    const after = receiver.received.slice(8);
    expect(after.length).toBeGreaterThan(0);
    for (const r of after) {
      // Signed with both secrets during the 24 hours after a rotation: either verifies.
      expect(verifies(r, second)).toBe(true);
      expect(verifies(r, first)).toBe(true);
    }
    // Nothing was refused: every delivery verified at the receiver on its first attempt.
    expect(verdicts.every((v) => v.verified)).toBe(true);
    expect(new Set(verdicts.map((v) => v.id)).size).toBe(verdicts.length);
  });

  it('refuses a delivery whose body was changed on the way', () => {
    const r = receiver.received[0]!;
    expect(verifies(r, original)).toBe(true);
    const tampered = { ...r, body: r.body.replace('RUSSIA', 'RUSSIA ') };
    expect(tampered.body).not.toBe(r.body);
    expect(verifies(tampered, original)).toBe(false);
  });
});
