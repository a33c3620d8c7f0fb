import { Worker, type Processor } from 'bullmq';
import { AppError, isAppError } from '../errors.js';
import type { PipelineContext } from '../pipeline/context.js';
import type { JobData, QueueName } from '../queues/index.js';
import { isFailedForGood, MAX_STALLS, typedFailure, type Stage, type StageRuntime } from './stage.js';

/** Backoff for the document queue: exponential, but never sooner than the server's Retry-After. */
export function retryAfterBackoff(attemptsMade: number, _type?: string, err?: Error): number {
  const exponential = Math.min(2_000 * 2 ** Math.max(0, attemptsMade - 1), 5 * 60_000);
  const asked = err instanceof AppError ? (err.retryAfterMs ?? 0) : 0;
  return Math.max(exponential, asked);
}

/** A gate that lets each key through once per `windowMs`. */
export function throttled(windowMs: number): (key: string) => boolean {
  const last = new Map<string, number>();
  return (key) => {
    const now = Date.now();
    if (now - (last.get(key) ?? -Infinity) < windowMs) return false;
    last.set(key, now);
    return true;
  };
}

export interface StageWorkerOptions extends StageRuntime {
  /** Gate for repeated worker errors (a Redis outage repeats them at every reconnect). */
  errorGate?: (key: string) => boolean;
}

/**
 * A BullMQ worker running one stage: its processor guarded by the data-loss check, the lock and
 * stall times from the configuration, and its "failed for good" policy attached.
 */
export function startStageWorker<K extends QueueName>(
  ctx: PipelineContext,
  stage: Stage<K>,
  options: StageWorkerOptions,
): Worker<JobData[K]> {
  const { config, logger } = ctx;
  const name = stage.queue;
  const processor = stage.processor(ctx);
  // Nothing runs on a store that lost its data: no poll, no apply, no delivery (store/deployment.ts).
  const guarded: Processor<JobData[K]> = async (job, token, signal) =>
    (await ctx.deployment.blocked())
      ? { skipped: 'Redis lost the deployment data' }
      : processor(job, token, signal);
  const worker = new Worker<JobData[K]>(name, guarded, {
    connection: ctx.bullmq,
    prefix: config.redisPrefix,
    concurrency: stage.concurrency(config),
    // Locks are renewed every half lock; a process killed with SIGKILL holds its jobs until the
    // lock lapses and the next stalled-job check hands them on. BullMQ's 30 s + 30 s default kept
    // the apply and fan-out lines (one at a time) still for up to a minute.
    lockDuration: config.jobLockMs,
    stalledInterval: config.jobStalledIntervalMs,
    maxStalledCount: MAX_STALLS,
    settings: { backoffStrategy: retryAfterBackoff },
  });
  const errorGate = options.errorGate ?? throttled(10_000);
  worker.on('failed', (job, cause) => {
    const err = job ? typedFailure(job, cause, MAX_STALLS) : cause;
    logger.warn(
      {
        queue: name,
        jobId: job?.id,
        attemptsMade: job?.attemptsMade,
        code: isAppError(err) ? err.code : undefined,
        err: err.message,
      },
      'job failed',
    );
    const policy = stage.failedForGood;
    if (!policy || !job || !isFailedForGood(job, cause) || ctx.deployment.isLost()) return;
    void policy(ctx, job, err, options).catch((e: unknown) =>
      logger.error(
        { queue: name, jobId: job.id, err: e instanceof Error ? e.message : String(e) },
        stage.failedForGoodLost ?? 'could not handle a job that failed for good',
      ),
    );
  });
  worker.on('error', (err) => {
    if (errorGate(`${name}:${err.message}`)) logger.error({ queue: name, err: err.message }, 'worker error');
  });
  return worker;
}
