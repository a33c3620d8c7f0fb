import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import type { PollSource } from '../../src/queues/index.js';
import { createKeys } from '../../src/store/keys.js';
import { startLocalRedis } from '../../src/store/local-redis.js';
import { createRedis } from '../../src/store/redis.js';
import { runCli } from '../support/cli.js';
import { DEV_CORPUS } from '../support/fixtures.js';
import { spawnService } from '../support/processes.js';
import { referenceRun } from '../support/reference.js';
import { waitFor, uniquePrefix } from '../support/service.js';
import { jobCompleted } from '../support/wait.js';
import {
  call,
  END_OF_TIMELINE,
  feed,
  plainReceiver,
  receivedIds,
  receiversComplete,
  referenceProblems,
  serviceEnv,
  startTimeline,
  statusOf,
  Steps,
  subscribe,
  waitReady,
  type TrialReceiver,
} from './support.js';

/**
 * Redis loses the service's data (FLUSHALL, as a restart without persistence or a failover to an
 * empty replica does) under a running service on a redis-server of the trial's own that keeps
 * nothing on disk. The service says so (/readyz, the API, a metric, an error line), does nothing
 * on the empty store (no poll, no seeding, no event), says so again when started on it, and
 * `fedreg-watch recover` brings back the same log, the same list and the same deliveries, signed
 * with the subscriptions' own secrets restored from an encrypted export.
 */
const reference = referenceRun();
const steps = new Steps();
afterEach(() => steps.run());

describe('fault trial: Redis loses its data', () => {
  it('detects the loss running and at start, stops, and recovers with the same event ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedreg-faults-loss-'));
    steps.add(async () => rmSync(dir, { recursive: true, force: true }));
    const redis = await startLocalRedis({ dir: join(dir, 'redis'), appendOnly: false });
    steps.add(() => redis.stop());
    const client = createRedis(redis.url, 'client');
    steps.add(async () => client.disconnect());
    const prefix = uniquePrefix('loss');
    const keys = createKeys(prefix);
    const replay = await startTimeline(steps, redis.url, prefix);
    const env = serviceEnv(redis.url, prefix, replay, {
      DATA_DIR: join(dir, 'data'),
      SECRETS_KEY: randomBytes(32).toString('base64'),
      REDIS_CHECK_INTERVAL_MS: '500',
      LOG_LEVEL: 'info',
      // The commands run with the service's configuration (recover registers its schedulers).
      PUBLIC_INSPECTION_ENABLED: 'false',
      ECFR_ENABLED: 'false',
      CSL_ENABLED: 'false',
    });
    const pollQueue = new Queue('poll', { connection: { url: redis.url }, prefix });
    steps.add(() => pollQueue.close());
    const pollAndWait = async (source: PollSource, jobId: string): Promise<unknown> => {
      await pollQueue.add('poll', { v: 1, source }, { jobId });
      return jobCompleted(pollQueue, jobId);
    };

    let p = await spawnService(env);
    steps.add(() => p.kill('SIGKILL'));
    await waitReady(p.api);
    // Warned at start: this Redis keeps nothing on disk (log, /readyz, metric).
    expect(p.output()).toContain('keeps nothing on disk');
    const ready = await call(p.api, 'GET', '/readyz', { token: null });
    expect(ready.status).toBe(200);
    expect(JSON.stringify(ready.body)).toContain('redis-no-persistence');
    expect((await call(p.api, 'GET', '/metrics', { token: null })).text).toMatch(
      /fedreg_redis_durability_problem\{problem="no-persistence"\} 1/,
    );

    const receiver = await plainReceiver();
    steps.add(() => receiver.close());
    const receivers: TrialReceiver[] = [
      { name: 'all', receiver, subscription: await subscribe(p.api, receiver.url) },
    ];
    // The operator's scheduled export: secrets stay encrypted in it.
    const exportFile = join(dir, 'subscriptions.json');
    const exported = await runCli(['subscriptions', 'export', '--out', exportFile], { env });
    expect(exported.code, exported.stderr).toBe(0);
    expect(readFileSync(exportFile, 'utf8')).not.toContain(receivers[0]!.subscription!.secret.slice(6));

    replay.setNow(END_OF_TIMELINE);
    await waitFor(
      'every event delivered once',
      () => (receiversComplete(reference, receivers) ? true : undefined),
      120_000,
    );
    const before = receiver.received.length;

    // --- The loss, under the running service ---------------------------------------------------
    await client.flushall();
    const lostAt = Date.now();
    await waitFor(
      '/readyz 503',
      async () => ((await statusOf(`${p.api}/readyz`)) === 503 ? true : undefined),
      30_000,
    );
    const detectedMs = Date.now() - lostAt;
    const readyz = await call(p.api, 'GET', '/readyz', { token: null });
    expect(readyz.body).toMatchObject({ status: 'not ready', reason: 'data lost' });
    const entities = await call(p.api, 'GET', '/v1/entities', { token: null });
    expect(entities.status).toBe(503);
    expect(entities.body).toMatchObject({ reason: 'data lost', error: { code: 'REDIS_DATA_LOST' } });
    expect((await call(p.api, 'GET', '/v1/events?after=0-0', { token: null })).status).toBe(503);
    // Nothing is written into the emptied store through the API either.
    expect((await call(p.api, 'POST', '/v1/subscriptions', { body: { url: receiver.url } })).status).toBe(
      503,
    );
    expect((await call(p.api, 'GET', '/metrics', { token: null })).text).toMatch(/fedreg_redis_data_lost 1/);
    expect(p.output()).toContain('DATA LOST');

    // A poll asked for now runs and does nothing (the guard's answer), and no scheduler came back:
    // nothing was seeded, no event.
    const refused = await pollAndWait('published', 'poll-after-loss');
    expect(refused).toEqual({ skipped: 'Redis lost the deployment data' });
    expect(await client.exists(keys.stateMeta, keys.events, keys.baseline)).toBe(0);
    expect(await pollQueue.getJobScheduler('poll-published')).toBeUndefined();
    expect(receiver.received.length).toBe(before);

    // --- Started again on the emptied Redis (its own marker gone too): still a loss -----------
    await p.kill('SIGTERM');
    await client.flushall();
    p = await spawnService({ ...env, ECFR_ENABLED: 'true', BOOTSTRAP_FROM_ECFR: 'true' });
    await waitFor('the restarted service answers', async () =>
      (await statusOf(`${p.api}/readyz`)) === 503 ? true : undefined,
    );
    expect(await call(p.api, 'GET', '/readyz', { token: null })).toMatchObject({
      status: 503,
      body: { reason: 'data lost' },
    });
    // No bootstrap from eCFR, no poll: both, asked for, run and do nothing.
    expect(await pollAndWait('published', 'poll-after-restart')).toEqual({
      skipped: 'Redis lost the deployment data',
    });
    expect(await pollAndWait('ecfr', 'ecfr-after-restart')).toEqual({
      skipped: 'Redis lost the deployment data',
    });
    expect(await client.exists(keys.stateMeta, keys.events)).toBe(0);
    expect(receiver.received.length).toBe(before);
    // `state import` is not a way around it.
    const imported = await runCli(['state', 'import', join(DEV_CORPUS, 'baseline.json')], { env });
    expect(imported.code).toBe(2);
    expect(imported.stderr).toContain('fedreg-watch recover');
    const backfilled = await runCli(['backfill', '--since', '2016-03-22'], { env });
    expect(backfilled.code).toBe(2);
    expect(backfilled.stderr).toContain('REDIS_DATA_LOST');
    expect(await client.exists(keys.stateMeta, keys.events, keys.docsAll)).toBe(0);

    // Without eCFR polling again (its reconciliation would log drift events the reference has
    // not): the loss is in the marker now, so this process sees it without any record of its own.
    await p.kill('SIGTERM');
    p = await spawnService({ ...env, DATA_DIR: join(dir, 'another-data-dir') });
    await waitFor('a third start answers', async () =>
      (await statusOf(`${p.api}/readyz`)) === 503 ? true : undefined,
    );

    // --- Recovery, with the service running: it resumes by itself ------------------------------
    const recovered = await runCli(
      ['recover', '--snapshot', join(DEV_CORPUS, 'baseline.json'), '--subscriptions', exportFile],
      { env, timeoutMs: 120_000 },
    );
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stdout).toContain('1 restored from the export');
    await waitReady(p.api, 30_000);
    expect(await pollQueue.getJobScheduler('poll-published')).toBeDefined();
    await waitFor(
      'every event delivered again',
      () => (receiver.received.length >= before + reference.events.length ? true : undefined),
      120_000,
    );
    // The same log, the same list, every delivery the logged event of its id, validly signed.
    const problems = await referenceProblems(p.api, reference, receivers);
    if (problems.length > 0) {
      const known = new Set(reference.events.map((e) => e.id));
      const extra = (await feed(p.api)).filter((e) => !known.has(e.id));
      console.log(`events the reference has not: ${JSON.stringify(extra, null, 1).slice(0, 3000)}`);
    }
    expect(problems).toEqual([]);
    expect(receivedIds(receiver).size).toBe(reference.events.length);
    console.log(
      `redis loss: detected in ${detectedMs} ms; ${before} deliveries before, ${receiver.received.length} after recovery`,
    );
  }, 300_000);
});
