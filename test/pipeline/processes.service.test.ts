import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { CloudEvent } from '../../src/events/cloudevent.js';
import type { Snapshot } from '../../src/entity-list/types.js';
import { maxInAnyWindow } from '../../src/http-client/rate-budget.js';
import { createReplayServer, type ReplayServer } from '../../src/replay/server.js';
import { DEV_CORPUS, readSnapshot } from '../support/fixtures.js';
import { spawnService, type ServiceProcess } from '../support/processes.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { referenceRun } from '../support/reference.js';
import {
  ADMIN_TOKEN,
  dropPrefix,
  importBaseline,
  PRODUCTION_RATE_LIMITS,
  uniquePrefix,
  waitFor,
} from '../support/service.js';

/**
 * The service as real processes sharing one Redis: two workers apply each document once and in
 * publication order; a SIGTERM under load loses nothing once a new process takes over.
 */
const redisUrl = inject('redisUrl');
const reference = referenceRun();
const baseline = readSnapshot(join(DEV_CORPUS, 'baseline.json'));

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  cleanup = [];
});

async function setUp(): Promise<{
  prefix: string;
  replay: ReplayServer;
  receiver: Receiver;
  env: Record<string, string>;
}> {
  const prefix = uniquePrefix('proc');
  const replay = await createReplayServer({
    corpusDir: DEV_CORPUS,
    now: `${baseline.asOf}T23:59:59Z`,
    host: '127.0.0.1',
  });
  const receiver = await startReceiver();
  await importBaseline(redisUrl, prefix);
  cleanup.push(
    () => replay.close(),
    () => receiver.close(),
    () => dropPrefix(redisUrl, prefix),
  );
  const env = {
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    FR_API_BASE_URL: replay.apiBase,
    POLL_INTERVAL_MS: '200',
    // The Federal Register's own limits, not the tests' fast ones: the first test checks that two
    // processes together keep to them, the second stops a process while downloads still queue.
    ...PRODUCTION_RATE_LIMITS,
  };
  return { prefix, replay, receiver, env };
}

async function subscribe(api: string, receiver: Receiver): Promise<void> {
  const res = await request(`${api}/v1/subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url }),
  });
  expect(res.statusCode).toBe(201);
  await res.body.dump();
}

async function ready(p: ServiceProcess): Promise<void> {
  await waitFor(
    `${p.api}/readyz`,
    async () => {
      try {
        const res = await request(`${p.api}/readyz`);
        await res.body.dump();
        return res.statusCode === 200 || undefined;
      } catch {
        return undefined;
      }
    },
    30_000,
  );
}

async function feed(api: string): Promise<CloudEvent[]> {
  const res = await request(`${api}/v1/events?limit=100000`);
  return ((await res.body.json()) as { events: CloudEvent[] }).events;
}

const receivedIds = (r: Receiver): Set<string> =>
  new Set(r.received.map((x) => String(x.headers['webhook-id'])));

describe('the service as processes', () => {
  it('two worker processes on one Redis apply each document once, in publication order', async () => {
    const { replay, receiver, env } = await setUp();
    const a = await spawnService(env);
    const b = await spawnService(env);
    cleanup.push(
      () => a.kill('SIGTERM'),
      () => b.kill('SIGTERM'),
    );
    await Promise.all([ready(a), ready(b)]);
    await subscribe(a.api, receiver);
    replay.setNow(Date.parse('2035-01-01T00:00:00Z'));
    await waitFor(
      'all events delivered',
      () => (receivedIds(receiver).size >= reference.events.length ? true : undefined),
      120_000,
    );

    const logged = await feed(b.api);
    // Exactly the reference: same ids, same order (documents applied one at a time in order).
    expect(logged.map((e) => e.id)).toEqual(reference.events.map((e) => e.id));
    expect(receivedIds(receiver)).toEqual(new Set(reference.events.map((e) => e.id)));
    const res = await request(`${a.api}/v1/entities`);
    expect(((await res.body.json()) as Snapshot).entries).toEqual(reference.state.entries);
    // The Federal Register's limits hold for both processes together (the budget is shared in
    // Redis). Measured where the requests arrive, over 5-second windows: on a loaded two-core
    // machine a request can leave (or be read by the in-process server) a second after its token
    // was taken, which can crowd a one-second window without changing the rate sent.
    const stats = replay.stats.report();
    expect(stats.byKind.xml?.count).toBe(14);
    const api = stats.requests.filter((r) => r.kind !== 'ecfr' && r.kind !== 'text').map((r) => r.at);
    expect(maxInAnyWindow(api, 5000)).toBeLessThanOrEqual(5 * 5);
    expect(maxInAnyWindow(stats.byKind.xml!.timestamps, 5000)).toBeLessThanOrEqual(5);
  }, 180_000);

  it('a SIGTERM under load loses nothing: the next process finishes the timeline', async () => {
    const { replay, receiver, env } = await setUp();
    const first = await spawnService(env);
    cleanup.push(() => first.kill('SIGKILL'));
    await ready(first);
    await subscribe(first.api, receiver);
    replay.setNow(Date.parse('2035-01-01T00:00:00Z'));
    // Stop it while documents are still being fetched (XML downloads go at 1/s), mid-timeline.
    await waitFor(
      'some events delivered',
      () => (receivedIds(receiver).size >= 20 ? true : undefined),
      60_000,
    );
    expect(await first.kill('SIGTERM')).toBe(0);
    expect(receivedIds(receiver).size).toBeLessThan(reference.events.length);

    const second = await spawnService(env);
    cleanup.push(() => second.kill('SIGTERM'));
    await ready(second);
    await waitFor(
      'all events delivered',
      () => (receivedIds(receiver).size >= reference.events.length ? true : undefined),
      120_000,
    );
    expect((await feed(second.api)).map((e) => e.id)).toEqual(reference.events.map((e) => e.id));
    expect(receivedIds(receiver)).toEqual(new Set(reference.events.map((e) => e.id)));
  }, 180_000);
});
