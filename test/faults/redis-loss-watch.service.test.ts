import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { createLogger } from '../../src/observe/logger.js';
import { PipelineObserver } from '../../src/observe/pipeline-events.js';
import { startService, type Service } from '../../src/service.js';
import { createKeys } from '../../src/store/keys.js';
import { startLocalRedis, type LocalRedis } from '../../src/store/local-redis.js';
import { createRedis } from '../../src/store/redis.js';
import { importBaseline, testConfig, uniquePrefix, waitFor } from '../support/service.js';
import { waitFor as until } from '../support/wait.js';
import { call, startReplay, Steps } from './support.js';

/**
 * The start-up check of the Redis configuration (persistence, eviction, a Redis that forbids
 * CONFIG) with and without REQUIRE_DURABLE_REDIS, and the running watch: a job scheduler removed
 * is created again, a FLUSHALL is found with no request or job to notice it, nothing is
 * re-created on the emptied store, and an operator's recovery resumes the pipeline without a
 * restart. Each case runs on a redis-server of its own.
 */
const steps = new Steps();
afterEach(() => steps.run());

interface Started {
  redis: LocalRedis;
  prefix: string;
  dataDir: string;
  log: () => string;
  start: (env?: Record<string, string>, observer?: PipelineObserver) => Promise<Service>;
}

async function redisWith(options: { appendOnly: boolean; extraArgs?: string[] }): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'fedreg-loss-watch-'));
  steps.add(async () => rmSync(dir, { recursive: true, force: true }));
  const redis = await startLocalRedis({ dir: join(dir, 'redis'), ...options });
  steps.add(() => redis.stop());
  const replay = await startReplay();
  steps.add(() => replay.close());
  const prefix = uniquePrefix('watch');
  await importBaseline(redis.url, prefix);
  let lines = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines += chunk.toString();
      done();
    },
  });
  return {
    redis,
    prefix,
    dataDir: join(dir, 'data'),
    log: () => lines,
    start: async (env = {}, observer) => {
      const config = testConfig(redis.url, prefix, replay.apiBase, {
        DATA_DIR: join(dir, 'data'),
        LOG_LEVEL: 'info',
        ...env,
      });
      const service = await startService({
        config,
        logger: createLogger('info', sink),
        ...(observer ? { observer } : {}),
      });
      steps.add(() => service.close());
      return service;
    },
  };
}

async function readyz(service: Service): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await call(service.url!, 'GET', '/readyz', { token: null });
  return { status: res.status, body: res.body as Record<string, unknown> };
}

const warningCodes = (body: Record<string, unknown>): string[] =>
  ((body.warnings as Array<{ code: string }> | undefined) ?? []).map((w) => w.code);

describe('the Redis configuration, read at start', () => {
  it('warns about a Redis that keeps nothing on disk, and refuses it with REQUIRE_DURABLE_REDIS=true', async () => {
    const r = await redisWith({ appendOnly: false });
    const service = await r.start();
    expect(r.log()).toMatch(/WARNING: Redis keeps nothing on disk \(appendonly no, save \\"\\"\)/);
    const ready = await readyz(service);
    expect(ready.status).toBe(200);
    expect(warningCodes(ready.body)).toEqual(['redis-no-persistence']);
    const metrics = (await call(service.url!, 'GET', '/metrics', { token: null })).text;
    expect(metrics).toMatch(/fedreg_redis_durability_problem\{problem="no-persistence"\} 1/);
    expect(metrics).toMatch(/fedreg_redis_durability_problem\{problem="may-evict"\} 0/);
    await service.close();

    const refused = await r.start({ REQUIRE_DURABLE_REDIS: 'true' }).catch((err: unknown) => err);
    expect(isAppError(refused) && refused.code).toBe('REDIS_NOT_DURABLE');
    expect((refused as Error).message).toMatch(/REQUIRE_DURABLE_REDIS=true and Redis keeps nothing on disk/);
  });

  it('warns about a Redis that may evict, and refuses it with REQUIRE_DURABLE_REDIS=true', async () => {
    const r = await redisWith({ appendOnly: true, extraArgs: ['--maxmemory-policy', 'allkeys-lru'] });
    const service = await r.start();
    expect(r.log()).toMatch(/Redis may evict keys \(maxmemory-policy allkeys-lru/);
    expect(r.log()).not.toMatch(/keeps nothing on disk/);
    expect(warningCodes((await readyz(service)).body)).toEqual(['redis-may-evict']);
    await service.close();
    const refused = await r.start({ REQUIRE_DURABLE_REDIS: 'true' }).catch((err: unknown) => err);
    expect(isAppError(refused) && refused.code).toBe('REDIS_NOT_DURABLE');
  });

  it('works on a Redis that forbids CONFIG, saying it could not check, even with REQUIRE_DURABLE_REDIS=true', async () => {
    const r = await redisWith({ appendOnly: false, extraArgs: ['--rename-command', 'CONFIG', ''] });
    const probe = createRedis(r.redis.url, 'client');
    steps.add(async () => probe.disconnect());
    await expect(probe.call('CONFIG', 'GET', 'appendonly')).rejects.toThrow(/unknown command/i);
    const service = await r.start({ REQUIRE_DURABLE_REDIS: 'true' });
    expect(r.log()).toMatch(/could not read the Redis configuration/);
    const ready = await readyz(service);
    expect(ready.status).toBe(200);
    expect(warningCodes(ready.body)).toEqual(['redis-unchecked']);
  });

  it('says nothing on a durable Redis (AOF, noeviction)', async () => {
    const r = await redisWith({ appendOnly: true });
    const service = await r.start({ REQUIRE_DURABLE_REDIS: 'true' });
    expect(await readyz(service)).toEqual({ status: 200, body: { status: 'ready' } });
    expect(r.log()).not.toMatch(/WARNING/);
  });
});

describe('the running watch', () => {
  it('creates a missing job scheduler again, finds a FLUSHALL on its own, and resumes after recovery', async () => {
    const r = await redisWith({ appendOnly: true });
    const observer = new PipelineObserver();
    const seen: string[] = [];
    observer.on('scheduler.recreated', (e) => seen.push(`recreated ${e.scheduler}`));
    observer.on('redis.data-lost', () => seen.push('lost'));
    observer.on('redis.data-restored', () => seen.push('restored'));
    // A long poll interval: the watch (200 ms), not a poll, must find what is wrong.
    const service = await r.start({ REDIS_CHECK_INTERVAL_MS: '200', POLL_INTERVAL_MS: '60000' }, observer);
    const { queues } = service.ctx;
    expect(await queues.poll.getJobScheduler('poll-published')).toBeDefined();

    await queues.poll.removeJobScheduler('poll-published');
    await waitFor('the scheduler created again', async () =>
      (await queues.poll.getJobScheduler('poll-published')) ? true : undefined,
    );
    expect(seen).toContain('recreated poll-published');
    expect((await call(service.url!, 'GET', '/metrics', { token: null })).text).toMatch(
      /fedreg_job_schedulers_recreated_total\{scheduler="poll-published"\} 1/,
    );

    const client = createRedis(r.redis.url, 'client');
    steps.add(async () => client.disconnect());
    await client.flushall();
    const flushed = Date.now();
    await waitFor('the loss found by the watch', () => (seen.includes('lost') ? true : undefined), 30_000);
    const foundMs = Date.now() - flushed;
    expect(foundMs).toBeLessThan(30_000);
    expect(r.log()).toMatch(/"level":50.*DATA LOST/);
    // Nothing is re-created on the emptied store: the watch looks again, three times, and leaves it.
    const guard = service.ctx.deployment;
    const check = guard.check.bind(guard);
    let checksSinceLoss = 0;
    guard.check = async (...args) => {
      const status = await check(...args);
      if (status.kind === 'lost') checksSinceLoss++;
      return status;
    };
    await until(() => checksSinceLoss >= 3, { what: 'three more checks of the emptied store' });
    expect(await queues.poll.getJobScheduler('poll-published')).toBeUndefined();
    expect(seen.filter((s) => s.startsWith('recreated'))).toHaveLength(1);

    // The operator's recovery (what `recover` writes): the running service resumes by itself.
    await importBaseline(r.redis.url, r.prefix);
    await service.ctx.deployment.store.replace('recover', Date.now());
    await waitFor('resumed', async () =>
      (await queues.poll.getJobScheduler('poll-published')) ? true : undefined,
    );
    expect(seen.at(-1)).toBe('restored');
    expect((await readyz(service)).status).toBe(200);
    expect(await client.hget(createKeys(r.prefix).deployment, 'createdBy')).toBe('recover');
    console.log(`redis loss found by the watch in ${foundMs} ms (check interval 200 ms, poll interval 60 s)`);
  }, 60_000);
});
