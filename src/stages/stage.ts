import type { Job, Processor } from 'bullmq';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { PipelineContext } from '../pipeline/context.js';
import type { JobData, QueueName } from '../queues/index.js';

/** What a stage's policy may ask of the process running it. */
export interface StageRuntime {
  /** The process is shutting down: jobs in flight finish, nothing new should be started. */
  closing(): boolean;
}

/**
 * One stage of the pipeline as a process runs it: the queue it takes jobs from, what it does with
 * a job, how many it works at once, and what "failed for good" means for it. The service walks
 * the stages of the roles a process has; nothing else about a stage lives in the service.
 */
export interface Stage<K extends QueueName = QueueName> {
  readonly queue: K;
  concurrency(config: Readonly<Config>): number;
  processor(ctx: PipelineContext): Processor<JobData[K]>;
  /**
   * Called once BullMQ will not try the job again (attempts used up, an unrecoverable error, its
   * worker lost too often): what the stage does so the job is not left unseen among failed jobs.
   * `err` is already typed (`WORKER_LOST` for a lost worker). Not called on a store that lost its
   * data. Its own failure is logged, never thrown.
   */
  failedForGood?(
    ctx: PipelineContext,
    job: Job<JobData[K]>,
    err: Error,
    runtime: StageRuntime,
  ): Promise<unknown>;
  /** What the log says when `failedForGood` itself fails. */
  readonly failedForGoodLost?: string;
}

/**
 * How often a job may lose its worker (SIGKILL, out of memory) and be taken up again. Beyond it,
 * BullMQ fails the job for good: a document that keeps killing its worker is quarantined.
 */
export const MAX_STALLS = 5;

/** Whether BullMQ will not try the job again: attempts used up, or an unrecoverable failure. */
export function isFailedForGood(job: Job, err: Error): boolean {
  return err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
}

/**
 * The failure as the stage should record it. A job taken back from a lost worker more often than
 * `maxStalledCount` is failed by BullMQ without running again; that is read from the job's own
 * stall counter, not from the wording of BullMQ's message.
 */
export function typedFailure(job: Job, err: Error, maxStalledCount: number): Error {
  if (job.stalledCounter <= maxStalledCount) return err;
  return new AppError(
    'WORKER_LOST',
    `the worker processing this job stopped (killed or out of memory) ${job.stalledCounter} times before it finished; at most ${maxStalledCount} are allowed`,
    { cause: err, context: { queue: job.queueName, jobId: job.id, stalls: job.stalledCounter } },
  );
}
