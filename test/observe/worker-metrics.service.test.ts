import { request } from 'undici';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/store/local-redis.js';
import { spawnService } from '../support/processes.js';
import { referenceRun } from '../support/reference.js';
import { uniquePrefix, waitFor } from '../support/service.js';
import {
  END_OF_TIMELINE,
  expectedIds,
  plainReceiver,
  receivedIds,
  serviceEnv,
  startTimeline,
  statusOf,
  Steps,
  subscribe,
  waitReady,
} from '../faults/support.js';

/**
 * Scaled out: a `deliver` worker in a process of its own (no `http` role) serves its own
 * /metrics, /livez and /readyz on METRICS_PORT, so the deliveries it makes are scraped from it.
 */
const redisUrl = inject('redisUrl');
const reference = referenceRun();
const steps = new Steps();
afterAll(() => steps.run());

async function deliveredCount(url: string): Promise<number> {
  const text = await (await request(`${url}/metrics`)).body.text();
  return [...text.matchAll(/^fedreg_deliveries_total\{[^}]*outcome="delivered"[^}]*\} (\d+)/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
}

describe('a worker-only process', () => {
  it('serves the metrics of the deliveries it makes', async () => {
    const prefix = uniquePrefix('wm');
    const replay = await startTimeline(steps, redisUrl, prefix);
    const receiver = await plainReceiver();
    steps.add(() => receiver.close());
    const env = serviceEnv(redisUrl, prefix, replay);
    const front = await spawnService({ ...env, FEDREG_ROLES: 'http,poll,document,apply,fanout' });
    steps.add(() => front.kill('SIGKILL'));
    const metricsPort = await freePort();
    const deliverer = await spawnService({ ...env, METRICS_PORT: String(metricsPort) }, 'deliver');
    steps.add(() => deliverer.kill('SIGKILL'));
    const workerUrl = `http://127.0.0.1:${metricsPort}`;
    await waitReady(front.api);
    await waitReady(workerUrl);
    expect(await statusOf(`${workerUrl}/livez`)).toBe(200);
    // Health and metrics only: no API there.
    expect(await statusOf(`${workerUrl}/v1/events`)).toBe(404);

    await subscribe(front.api, receiver.url);
    replay.setNow(END_OF_TIMELINE);
    const want = expectedIds(reference);
    await waitFor(
      'every event delivered',
      () => (want.every((id) => receivedIds(receiver).has(id)) ? true : undefined),
      120_000,
    );
    expect(await deliveredCount(workerUrl)).toBe(receiver.received.length);
    expect(await deliveredCount(front.api)).toBe(0);
  }, 180_000);
});
