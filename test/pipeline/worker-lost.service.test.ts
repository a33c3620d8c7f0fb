import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/observe/logger.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { deadLetters } from '../../src/pipeline/deliver.js';
import type { QueueName } from '../../src/queues/index.js';
import { buildContext, contextClosers, runSteps } from '../../src/service.js';
import { MAX_STALLS, type Stage } from '../../src/stages/stage.js';
import { deliver, document } from '../../src/stages/stages.js';
import { startStageWorker } from '../../src/stages/worker.js';
import { dropPrefix, testConfig, uniquePrefix, waitFor } from '../support/service.js';

/**
 * A job whose worker is lost (here: closed with force while its processor never returns, so its
 * lock lapses the way a SIGKILLed process's does) more often than MAX_STALLS is failed for good by
 * BullMQ, and the stage's policy records it as WORKER_LOST: the document is quarantined, the
 * delivery dead-lettered. Real Redis, real BullMQ workers built as the service builds them; only
 * the processor is one that never finishes. Lock and stall times come from the configuration.
 */
const redisUrl = inject('redisUrl');
const prefix = uniquePrefix('lost');
let ctx: PipelineContext;
const workers: Worker[] = [];

beforeAll(() => {
  ctx = buildContext(
    testConfig(redisUrl, prefix, 'http://127.0.0.1:9', {
      JOB_LOCK_MS: '2000',
      JOB_STALLED_INTERVAL_MS: '200',
    }),
    { logger: createLogger('silent') },
  );
});

afterEach(async () => {
  // Each test's workers go with it: a later test's job must not be taken by an earlier processor.
  for (const w of workers.splice(0)) await w.close(true);
});

afterAll(async () => {
  await runSteps(ctx.logger, contextClosers(ctx));
  await dropPrefix(redisUrl, prefix);
});

/** The stage as the service runs it, with a processor that counts its jobs and then acts. */
function withProcessor<K extends QueueName>(
  stage: Stage<K>,
  act: (taken: number) => Promise<unknown>,
): { stage: Stage<K>; taken: () => number } {
  let taken = 0;
  return {
    stage: { ...stage, processor: () => () => act(++taken) },
    taken: () => taken,
  };
}

/** A document as a poll would have recorded it, so that its quarantine record can be read back. */
async function discover(documentNumber: string): Promise<void> {
  const publicationDate = '2099-01-02';
  await ctx.documents.discover(
    {
      documentNumber,
      publicationDate,
      xmlUrl: `http://127.0.0.1:9/full_text/xml/${documentNumber}.xml`,
      facts: { documentNumber, publicationDate, effectiveDate: publicationDate, citation: null },
      via: 'test',
    },
    ctx.now(),
  );
}

const never = (): Promise<never> => new Promise<never>(() => undefined);

/**
 * Starts a worker for the stage, waits until it has taken the job, and loses it (closed with
 * force: its lock is no longer renewed, its processor never returns), `times` times over. The
 * next worker's stalled-job check hands the job on once the lock has lapsed.
 */
async function loseWorkers(stage: Stage, taken: () => number, times: number): Promise<void> {
  for (let i = 1; i <= times; i++) {
    const w = startStageWorker(ctx, stage, { closing: () => false }) as unknown as Worker;
    workers.push(w);
    await waitFor(`${stage.queue} job taken for the ${i}. time`, () => taken() >= i, 20_000);
    await w.close(true);
  }
}

async function stalls(queue: QueueName, jobId: string): Promise<number | undefined> {
  const job: Job | undefined = await ctx.queues[queue].getJob(jobId);
  return job?.stalledCounter;
}

/** The document's record once it is quarantined. */
async function quarantined(documentNumber: string) {
  return waitFor(
    'the document quarantined',
    async () => {
      const r = await ctx.documents.get(documentNumber);
      return r?.status === 'quarantined' ? r : undefined;
    },
    30_000,
  );
}

describe('a job whose worker is lost again and again', () => {
  it('is quarantined (a document) or dead-lettered (a delivery) as WORKER_LOST, decided from its stall count', async () => {
    const documentNumber = '2099-10001';
    await discover(documentNumber);
    await ctx.queues.document.add('document', { v: 1, documentNumber }, { jobId: `doc-${documentNumber}` });
    const delivery = { v: 1 as const, eventId: 'evt-lost-1', subscriptionId: 'sub-lost-1', attempt: 0 };
    const deliveryJobId = 'dlv-evt-lost-1-sub-lost-1';
    await ctx.queues.deliver.add('deliver', delivery, { jobId: deliveryJobId });

    const doc = withProcessor(document, never);
    const dlv = withProcessor(deliver, never);
    // Both lines lose their worker MAX_STALLS + 1 times, side by side.
    await Promise.all([
      loseWorkers(doc.stage as Stage, doc.taken, MAX_STALLS + 1),
      loseWorkers(dlv.stage as Stage, dlv.taken, MAX_STALLS + 1),
    ]);
    // One more worker each: it finds the stall count over the limit and fails the job for good.
    workers.push(startStageWorker(ctx, doc.stage, { closing: () => false }) as unknown as Worker);
    workers.push(startStageWorker(ctx, dlv.stage, { closing: () => false }) as unknown as Worker);

    const record = await quarantined(documentNumber);
    expect(record.error).toMatchObject({ code: 'WORKER_LOST' });
    expect(record.error?.message).toMatch(/stopped \(killed or out of memory\) 6 times.*at most 5/);
    const [letter] = await waitFor(
      'the delivery dead-lettered',
      async () => {
        const letters = await deadLetters(ctx, delivery.subscriptionId);
        return letters.length > 0 ? letters : undefined;
      },
      30_000,
    );
    expect(letter).toMatchObject({ eventId: delivery.eventId, subscriptionId: delivery.subscriptionId });
    expect(letter!.reason).toMatch(/^delivery job failed \[WORKER_LOST\]: /);
    // The processor ran once per lost worker and never again: the last worker failed the job unrun.
    expect(doc.taken()).toBe(MAX_STALLS + 1);
    expect(dlv.taken()).toBe(MAX_STALLS + 1);
    expect(await stalls('document', `doc-${documentNumber}`)).toBe(MAX_STALLS + 1);
    expect(await stalls('deliver', deliveryJobId)).toBe(MAX_STALLS + 1);
  }, 120_000);

  it('is not WORKER_LOST when it lost its worker fewer times than allowed, whatever its error says', async () => {
    const documentNumber = '2099-10002';
    await discover(documentNumber);
    await ctx.queues.document.add('document', { v: 1, documentNumber }, { jobId: `doc-${documentNumber}` });
    // Lost once, then failed for good by an error that only words itself like BullMQ's stall limit.
    const doc = withProcessor(document, (taken) =>
      taken === 1 ? never() : Promise.reject(new UnrecoverableError('job stalled more than allowable limit')),
    );
    await loseWorkers(doc.stage as Stage, doc.taken, 1);
    workers.push(startStageWorker(ctx, doc.stage, { closing: () => false }) as unknown as Worker);
    const record = await quarantined(documentNumber);
    expect(doc.taken()).toBe(2);
    expect(await stalls('document', `doc-${documentNumber}`)).toBe(1);
    expect(record.error).toMatchObject({
      code: 'INTERNAL',
      message: 'job stalled more than allowable limit',
    });
  }, 60_000);
});
