import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalRedis, type LocalRedis } from '../../src/store/local-redis.js';
import { spawnService } from '../support/processes.js';
import { referenceRun } from '../support/reference.js';
import { importBaseline, uniquePrefix, waitFor } from '../support/service.js';
import { serviceQueues } from '../support/wait.js';
import {
  delay,
  documentLists,
  END_OF_TIMELINE,
  logLength,
  plainReceiver,
  receivedIds,
  receiversComplete,
  referenceProblems,
  serviceEnv,
  startReplay,
  statusOf,
  Steps,
  subscribe,
  waitReady,
  type TrialReceiver,
} from './support.js';

/**
 * Fault trial 2: the service's Redis (a redis-server of the trial's own, AOF on) is stopped and
 * started again twice while the timeline runs, once while documents are being applied and once
 * while deliveries are going out. Nothing is lost; /readyz says 503 while Redis is away and 200
 * once it is back (the ops issue's readiness proof as well).
 */
const reference = referenceRun();
const steps = new Steps();
afterEach(() => steps.run());

describe('fault trial: Redis restarted mid-run', () => {
  it('loses nothing across two Redis restarts, and /readyz follows Redis', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedreg-faults-redis-'));
    steps.add(async () => rmSync(dir, { recursive: true, force: true }));
    let redis: LocalRedis = await startLocalRedis({ dir, appendOnly: true });
    steps.add(() => redis.stop());
    const prefix = uniquePrefix('rr');
    const replay = await startReplay();
    steps.add(() => replay.close());
    await importBaseline(redis.url, prefix);
    const all = await plainReceiver();
    const russia = await plainReceiver();
    steps.add(() => all.close());
    steps.add(() => russia.close());
    const p = await spawnService(serviceEnv(redis.url, prefix, replay));
    steps.add(() => p.kill('SIGKILL'));
    await waitReady(p.api);
    const receivers: TrialReceiver[] = [
      { name: 'all', receiver: all, subscription: await subscribe(p.api, all.url) },
      {
        name: 'russia',
        receiver: russia,
        subscription: await subscribe(p.api, russia.url, { countries: ['RUSSIA'] }),
      },
    ];
    const length = logLength(redis.url, prefix);
    steps.add(async () => length.close());
    replay.setNow(END_OF_TIMELINE);

    const restarts: Array<{
      at: string;
      log: number;
      receipts: number;
      downMs: number;
      readyAgainMs: number;
    }> = [];
    const restart = async (at: string): Promise<void> => {
      const log = await length.read();
      const receipts = receivedIds(all).size;
      await redis.stop();
      const stopped = Date.now();
      await waitFor('/readyz 503 with Redis away', async () =>
        (await statusOf(`${p.api}/readyz`)) === 503 ? true : undefined,
      );
      // Still away a while later: the service waits, it does not crash or give up. (A claim about
      // a stretch of time: the one fixed wait kept.)
      await delay(2_000);
      expect(await statusOf(`${p.api}/readyz`)).toBe(503);
      expect(p.child.exitCode).toBeNull();
      redis = await startLocalRedis({ dir, port: redis.port, appendOnly: true });
      const restarted = Date.now();
      await waitFor(
        '/readyz 200 with Redis back',
        async () => ((await statusOf(`${p.api}/readyz`)) === 200 ? true : undefined),
        30_000,
      );
      restarts.push({ at, log, receipts, downMs: restarted - stopped, readyAgainMs: Date.now() - restarted });
    };

    // While documents are being applied (the log is growing), then while deliveries go out.
    await waitFor('the log started', async () => ((await length.read()) >= 10 ? true : undefined), 60_000);
    await restart('applying');
    await waitFor(
      'deliveries under way',
      () => (receivedIds(all).size >= reference.events.length / 2 ? true : undefined),
      120_000,
    );
    await restart('delivering');

    await waitFor(
      'the whole timeline logged and delivered',
      async () =>
        (await length.read()) >= reference.events.length && receiversComplete(reference, receivers)
          ? true
          : undefined,
      180_000,
    );
    // Deliveries still in flight (a retry of a receipt already counted) land before the verdict.
    const queues = serviceQueues(redis.url, prefix);
    steps.add(() => queues.close());
    await queues.drained();
    console.log(`redis restarts: ${JSON.stringify(restarts)}`);
    expect(restarts).toHaveLength(2);
    expect(await referenceProblems(p.api, reference, receivers)).toEqual([]);
    expect(await documentLists(p.api)).toMatchObject({ pending: [], quarantined: [] });
  }, 300_000);
});
