import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { independentlyVerified, startReceiver, type Receiver } from '../support/receiver.js';
import { ADMIN_TOKEN, startHarness, waitFor, type Harness } from '../support/service.js';

/** Secret rotation and the admin view of a subscription, on the running service. */
const redisUrl = inject('redisUrl');
let h: Harness;
let receiver: Receiver;

async function admin(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(`${h.api}${path}`, {
    method: method as 'GET',
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

beforeAll(async () => {
  h = await startHarness(redisUrl);
  receiver = await startReceiver();
}, 60_000);
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

describe('subscriptions', () => {
  it('signs with the new and the previous secret after a rotation, and never shows secrets', async () => {
    const created = await admin('POST', '/v1/subscriptions', {
      url: receiver.url,
      filter: { types: ['gov.bis.entitylist.entry.*'] },
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const oldSecret = created.json.secret as string;
    const rotated = await admin('POST', `/v1/subscriptions/${id}/rotate-secret`);
    const newSecret = rotated.json.secret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);

    // The first rule of the timeline: eight additions under Russia.
    h.replay.setNow(Date.parse('2016-03-22T12:00:00Z'));
    await waitFor('eight deliveries', () => (receiver.received.length >= 8 ? true : undefined), 60_000);
    for (const r of receiver.received) {
      expect(String(r.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(independentlyVerified(r, newSecret)).toBe(true);
      expect(independentlyVerified(r, oldSecret)).toBe(true);
      expect(JSON.parse(r.body).type).toMatch(/^gov\.bis\.entitylist\.entry\./);
    }

    const view = await admin('GET', `/v1/subscriptions/${id}`);
    const listed = await admin('GET', '/v1/subscriptions');
    for (const text of [JSON.stringify(view.json), JSON.stringify(listed.json)]) {
      expect(text).not.toContain(oldSecret);
      expect(text).not.toContain(newSecret);
    }
    expect(view.json).toMatchObject({ id, filter: { types: ['gov.bis.entitylist.entry.*'] } });
    expect(view.json.lastSuccessAt).toBeDefined();
  });

  it('refuses unknown event types in a filter and answers 404 for unknown subscriptions', async () => {
    const bad = await admin('POST', '/v1/subscriptions', {
      url: receiver.url,
      filter: { types: ['gov.bis.entitylist.entry.deleted'] },
    });
    expect(bad.status).toBe(400); // bad input is 400 everywhere (issue 11)
    expect((bad.json.error as { code: string }).code).toBe('INPUT_INVALID');
    expect((await admin('DELETE', '/v1/subscriptions/sub_nope')).status).toBe(404);
    expect((await admin('POST', '/v1/subscriptions', { url: receiver.url, extra: 1 })).status).toBe(400);
  });
});
