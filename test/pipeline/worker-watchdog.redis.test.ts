import { Queue, Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { QueueName } from '../../src/queues/index.js';
import { createRedis, type RedisClient } from '../../src/store/redis.js';
import { watchBlockedWorkers, type WorkerWatchdog } from '../../src/stages/watchdog.js';
import { dropPrefix, uniquePrefix } from '../support/service.js';
import { capturingLogger } from '../support/logger.js';
import { waitFor } from '../support/wait.js';

/**
 * Redis tier: a worker whose wait for its next job never ends (its blocking connection lost, as
 * after some Redis Cluster failovers) is replaced, and the replacement takes the queue's jobs; a
 * worker idling normally, in waits BullMQ ends by itself, is left alone.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('the blocked-worker watchdog', () => {
  const prefix = uniquePrefix('watchdog');
  let connection: RedisClient;
  let queue: Queue;
  const workers = new Map<QueueName, Worker>();
  let watchdog: WorkerWatchdog | undefined;
  const processed: string[] = [];
  const worker = (autorun: boolean): Worker =>
    new Worker('document', async (job) => void processed.push(String(job.id)), {
      connection,
      prefix,
      autorun,
      // Idle waits end after a second (BullMQ's drainDelay), as the service's end after five.
      drainDelay: 1,
    });

  beforeAll(() => {
    connection = createRedis(REDIS_URL, 'worker');
    queue = new Queue('document', { connection, prefix });
  });
  afterEach(async () => {
    watchdog?.stop();
    await Promise.all([...workers.values()].map((w) => w.close(true)));
    workers.clear();
  });
  afterAll(async () => {
    await queue.close();
    connection.disconnect();
    await dropPrefix(REDIS_URL, prefix);
  });

  it('replaces a worker whose wait never ends, and the new one takes the jobs', async () => {
    const stuck = worker(false);
    // What a lost blocking connection does: the wait for the next job never settles.
    (stuck as unknown as { waitForJob: () => Promise<number> }).waitForJob = () => new Promise(() => {});
    void stuck.run();
    workers.set('document', stuck);
    await waitFor(() => (stuck as unknown as { waiting?: unknown }).waiting != null, {
      what: 'the worker waiting for its next job',
    });
    await queue.add('doc', { v: 1 }, { jobId: 'before' });

    const { logger, lines } = capturingLogger();
    let replacements = 0;
    watchdog = watchBlockedWorkers(
      workers,
      () => {
        replacements++;
        return worker(true);
      },
      { logger, blockedMs: 1_500, intervalMs: 100 },
    );
    await waitFor(() => processed.includes('before'), {
      what: 'the job taken by the replacement',
      timeout: 15_000,
    });
    expect(replacements).toBe(1);
    expect(workers.get('document')).not.toBe(stuck);
    expect(lines).toEqual([
      expect.objectContaining({ level: 50, queue: 'document', msg: expect.stringMatching(/replacing it/) }),
    ]);
    await queue.add('doc', { v: 1 }, { jobId: 'after' });
    await waitFor(() => processed.includes('after'), { what: 'a later job taken', timeout: 15_000 });
  });

  it('leaves a worker alone that idles in waits BullMQ ends by itself', async () => {
    workers.set('document', worker(true));
    const { logger, lines } = capturingLogger();
    watchdog = watchBlockedWorkers(workers, () => worker(true), {
      logger,
      blockedMs: 3_000,
      intervalMs: 100,
    });
    // Twice the limit of idling, in waits of about a second each.
    await new Promise((r) => setTimeout(r, 6_000));
    expect(lines).toEqual([]);
    await queue.add('doc', { v: 1 }, { jobId: 'idle' });
    await waitFor(() => processed.includes('idle'), { what: 'the job taken by the same worker' });
    expect(lines).toEqual([]);
  });
});
