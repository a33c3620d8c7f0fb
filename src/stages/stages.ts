import type { Job } from 'bullmq';
import { isAppError } from '../errors.js';
import { drainApplyLine } from '../pipeline/apply.js';
import type { PipelineContext } from '../pipeline/context.js';
import { createDeliverer, deadLetter } from '../pipeline/deliver.js';
import { processDocument, quarantine } from '../pipeline/document.js';
import { fanOut } from '../pipeline/fanout.js';
import { pollPublished } from '../pipeline/poll.js';
import { pollPublicInspection } from '../pipeline/public-inspection.js';
import { pollSnapshotSource, reconcile as reconcileSource } from '../pipeline/snapshots.js';
import type { JobData, QueueName } from '../queues/index.js';
import type { Stage, StageRuntime } from './stage.js';

/** Reads one source: a poll that failed is counted by source and code. */
export const poll: Stage<'poll'> = {
  queue: 'poll',
  concurrency: () => 1,
  processor: (ctx) => async (job, _token, signal) => {
    const sig = signal ?? new AbortController().signal;
    try {
      switch (job.data.source) {
        case 'published':
          return await pollPublished(ctx, sig);
        case 'public-inspection':
          return await pollPublicInspection(ctx, sig);
        case 'ecfr':
        case 'csl':
          return await pollSnapshotSource(ctx, job.data.source, sig);
      }
    } catch (err) {
      ctx.observer.emit('poll.failed', {
        source: job.data.source,
        code: isAppError(err) ? err.code : 'INTERNAL',
      });
      throw err;
    }
  },
};

/**
 * Fetches and extracts one document. Failed for good (retries exhausted, or its worker died under
 * it again and again: a document that kills the process), it is quarantined, out of line, so the
 * documents behind it can go on.
 */
export const document: Stage<'document'> = {
  queue: 'document',
  concurrency: (config) => config.documentConcurrency,
  processor: (ctx) => async (job, _token, signal) =>
    processDocument(ctx, job.data.documentNumber, signal ?? new AbortController().signal),
  failedForGood: (ctx, job, err) => quarantine(ctx, job.data.documentNumber, err, job.attemptsMade),
  failedForGoodLost: 'could not quarantine after exhausted retries',
};

/**
 * Apply and fan-out jobs only wake a drain of state kept in Redis: one that failed for good is
 * replaced by a new one a little later, so the lines never stop for want of a job.
 */
function wakeAgain(
  wake: (ctx: PipelineContext, reason: string) => Promise<unknown>,
): NonNullable<Stage['failedForGood']> {
  return async (ctx, _job, err, runtime: StageRuntime) => {
    if (runtime.closing()) return;
    await wake(ctx, `after a failed job: ${err.message}`);
  };
}

/** Applies extracted documents in order, one at a time across the deployment. */
export const apply: Stage<'apply'> = {
  queue: 'apply',
  concurrency: () => 1,
  processor: (ctx) => async (_job, _token, signal) => drainApplyLine(ctx, signal),
  failedForGood: wakeAgain((ctx, reason) =>
    ctx.queues.apply.add('apply', { v: 1, reason }, { delay: ctx.config.jobLockMs }),
  ),
  failedForGoodLost: 'could not wake the line again',
};

/** Turns appended events into one delivery job per (event, subscription). */
export const fanout: Stage<'fanout'> = {
  queue: 'fanout',
  concurrency: () => 1,
  processor: (ctx) => async (_job, _token, signal) => fanOut(ctx, signal),
  failedForGood: wakeAgain((ctx) =>
    ctx.queues.fanout.add('fanout', { v: 1 }, { delay: ctx.config.jobLockMs }),
  ),
  failedForGoodLost: 'could not wake the line again',
};

/** Compares a source's list with our state. */
export const reconcile: Stage<'reconcile'> = {
  queue: 'reconcile',
  concurrency: () => 1,
  processor: (ctx) => async (job) => reconcileSource(ctx, job.data.source),
};

/**
 * Delivers one event to one subscription. The deliverer dead-letters what the subscriber refuses;
 * a job that failed for good on our side (Redis away through every retry, a worker lost again and
 * again) is dead-lettered here, so that it can be redelivered rather than sit unseen among
 * BullMQ's failed jobs.
 */
export const deliver: Stage<'deliver'> = {
  queue: 'deliver',
  concurrency: (config) => config.webhooks.concurrency,
  processor: (ctx) => {
    const deliverOne = createDeliverer(ctx);
    return (job: Job<JobData['deliver']>, token, signal) => deliverOne(job, token, signal);
  },
  failedForGood: (ctx, job, err) =>
    deadLetter(ctx, {
      eventId: job.data.eventId,
      subscriptionId: job.data.subscriptionId,
      attempts: job.data.attempt + 1,
      reason: `delivery job failed${isAppError(err) ? ` [${err.code}]` : ''}: ${err.message}`,
    }),
  failedForGoodLost: 'could not dead-letter a failed delivery',
};

/** Every stage, in pipeline order. */
export const STAGES: { readonly [K in QueueName]: Stage<K> } = {
  poll,
  document,
  apply,
  fanout,
  reconcile,
  deliver,
};
