import type { Queue } from 'bullmq';
import { createQueues, type QueueName, type Queues } from '../../src/queues/index.js';
import type { RedisTarget } from '../../src/config.js';
import { createRedis } from '../../src/store/redis.js';

/**
 * Tests wait on conditions, not on the clock: "queues drained", "event id seen", "job completed",
 * each with a deadline and a failure that says what was awaited and what was last seen.
 */
export interface WaitOptions {
  /** What is awaited, for the failure: "the re-poll job completed". */
  what: string;
  /** Deadline, ms (default 30 s). */
  timeout?: number;
  /** Between checks, ms (default 50). */
  interval?: number;
}

/** A condition's answer: a value when met; undefined, null or false when not yet. */
type Answer<T> = T | undefined | null | false;

/**
 * Checks `condition` until it gives a value (not undefined, null or false) and returns it, or fails
 * at the deadline naming what was awaited. A condition that throws fails the wait at once.
 */
export async function waitFor<T>(
  condition: () => Answer<T> | Promise<Answer<T>>,
  options: WaitOptions,
): Promise<T> {
  const timeout = options.timeout ?? 30_000;
  const interval = options.interval ?? 50;
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${options.what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Job states that mean a queue still has work to do. */
const BUSY_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/** The queues among `queues` that still hold work, with their counts ("deliver: delayed 2"), or none. */
export async function busyQueues(queues: readonly Queue[]): Promise<string[]> {
  const busy: string[] = [];
  for (const queue of queues) {
    const counts = await queue.getJobCounts(...BUSY_STATES);
    const held = Object.entries(counts).filter(([, n]) => n > 0);
    if (held.length > 0) busy.push(`${queue.name}: ${held.map(([s, n]) => `${s} ${n}`).join(', ')}`);
  }
  return busy;
}

/**
 * Waits until none of `queues` holds a job waiting, running or scheduled (a delivery retry
 * included). The poll queue always holds its next scheduled poll: leave it out.
 */
export async function queuesDrained(queues: readonly Queue[], timeout = 30_000): Promise<void> {
  let busy: string[] = [];
  const names = queues.map((q) => q.name).join(', ');
  await waitFor(async () => (busy = await busyQueues(queues)).length === 0, {
    what: `queues drained (${names})`,
    timeout,
  }).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; still busy: ${busy.join('; ')}`);
  });
}

/** The pipeline's queues after the poll, whose work ends: what "drained" is judged on. */
export const WORK_QUEUES: readonly QueueName[] = ['document', 'apply', 'fanout', 'deliver'];

/**
 * The queues of a service running in another process, read through a connection of the test's
 * own: `drained()` waits until the work queues are empty.
 */
export function serviceQueues(
  redis: string | RedisTarget,
  prefix: string,
): { queues: Queues; drained: (timeout?: number) => Promise<void>; close: () => Promise<void> } {
  const connection = createRedis(
    typeof redis === 'string' ? { kind: 'standalone', url: redis } : redis,
    'worker',
  );
  const queues = createQueues(connection, prefix);
  return {
    queues,
    drained: (timeout) =>
      queuesDrained(
        WORK_QUEUES.map((n) => queues[n]),
        timeout,
      ),
    close: async () => {
      await Promise.allSettled(Object.values(queues).map((q) => q.close()));
      connection.disconnect();
    },
  };
}

/** Waits until the job `id` of `queue` has completed, and returns what it returned. */
export async function jobCompleted<T = unknown>(queue: Queue, id: string, timeout = 30_000): Promise<T> {
  let state = 'not added';
  const done = await waitFor(
    async () => {
      state = (await queue.getJobState(id)) ?? 'not added';
      if (state !== 'completed' && state !== 'failed') return undefined;
      // Read after the state: a job read while it ran has no outcome yet.
      const job = await queue.getJob(id);
      if (state === 'failed') throw new Error(`job ${queue.name}/${id} failed: ${job?.failedReason}`);
      return { value: job!.returnvalue as T };
    },
    { what: `job ${queue.name}/${id} completed`, timeout },
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message} (its state: ${state})`);
  });
  return done.value;
}

/** Jobs of `queue` still waiting, running or scheduled whose data matches `which`. */
export async function pendingJobs<T>(
  queue: Queue<T>,
  which: (data: T) => boolean = () => true,
): Promise<number> {
  const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
  return jobs.filter((j) => j !== undefined && which(j.data)).length;
}
