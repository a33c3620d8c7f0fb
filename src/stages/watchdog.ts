import type { Worker } from 'bullmq';
import type { Logger } from '../observe/logger.js';
import type { QueueName } from '../queues/index.js';

/**
 * A worker waits for its next job with one blocking command at a time, never longer than
 * BullMQ's longest block (10 s) plus its own one-second watchdog. After a Redis Cluster failover
 * we have seen that wait never end: the blocking connection, re-created against a primary that
 * is gone, never becomes ready again, BullMQ's reset of it waits for it forever, and the stage
 * stops while every other connection works (the e2e cluster failover trial stalled in about one
 * run in seven, workers all "waiting" for minutes). Such a worker is replaced by a new one, with
 * a blocking connection of its own; the old one is closed without waiting for it, and jobs it
 * may still have held are taken up by the stalled-job check as after a killed process.
 */
export const BLOCKED_WORKER_MS = 30_000;

/** BullMQ keeps the promise of the wait in progress in a private field. */
function currentWait(worker: Worker): unknown {
  return (worker as unknown as { waiting?: unknown }).waiting ?? undefined;
}

export interface WorkerWatchdog {
  stop(): void;
  /** One check now (the timer calls it every `intervalMs`); the names of the workers replaced. */
  check(now?: number): QueueName[];
}

export function watchBlockedWorkers(
  workers: Map<QueueName, Worker>,
  replace: (name: QueueName) => Worker,
  options: { logger: Logger; isClosing?: () => boolean; blockedMs?: number; intervalMs?: number },
): WorkerWatchdog {
  const blockedMs = options.blockedMs ?? BLOCKED_WORKER_MS;
  const seen = new Map<QueueName, { wait: unknown; since: number }>();
  const check = (now = Date.now()): QueueName[] => {
    const replaced: QueueName[] = [];
    if (options.isClosing?.()) return replaced;
    for (const [name, worker] of workers) {
      const wait = currentWait(worker);
      const last = seen.get(name);
      if (wait === undefined || last?.wait !== wait) {
        seen.set(name, { wait, since: now });
        continue;
      }
      if (now - last.since < blockedMs) continue;
      options.logger.error(
        { queue: name, blockedMs: now - last.since },
        'a worker has waited for its next job far longer than any wait can last (its blocking Redis connection is lost): replacing it',
      );
      seen.delete(name);
      workers.set(name, replace(name));
      void worker
        .close(true)
        .catch((err: unknown) =>
          options.logger.debug({ queue: name, err: String(err) }, 'the replaced worker did not close'),
        );
      replaced.push(name);
    }
    return replaced;
  };
  const timer = setInterval(() => check(), options.intervalMs ?? 5_000);
  timer.unref();
  return { stop: () => clearInterval(timer), check };
}
