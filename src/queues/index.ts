import type { RedisClient } from '../store/redis.js';
import { Queue, type ConnectionOptions, type DefaultJobOptions, type RepeatOptions } from 'bullmq';
import type { Config } from '../config.js';

/**
 * The pipeline's queues and their typed, versioned job payloads. Payloads are plain JSON and never
 * carry secrets: a delivery names its subscription by id and the worker reads the secret.
 * Job ids come from the data (`doc-<number>`, `dlv-<event>-<subscription>`), so adding the same
 * work twice is absorbed by BullMQ rather than prevented by hope.
 */
export const QUEUE_NAMES = ['poll', 'document', 'apply', 'fanout', 'deliver', 'reconcile'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export type PollSource = 'published' | 'public-inspection' | 'ecfr' | 'csl';
export type SnapshotSource = 'ecfr' | 'csl';

export interface PollJob {
  v: 1;
  source: PollSource;
}
export interface DocumentJob {
  v: 1;
  documentNumber: string;
}
export interface ApplyJob {
  v: 1;
  /** Why the apply worker was woken: for logs. */
  reason: string;
}
export interface FanoutJob {
  v: 1;
}
export interface DeliverJob {
  v: 1;
  eventId: string;
  subscriptionId: string;
  /** Attempts made so far (0 for the first). */
  attempt: number;
  /** Set when an operator redelivers from the dead-letter queue. */
  redelivery?: string;
  /** When the event's document was first seen by a poll (ms): for source → webhook latency. */
  sourceSeenAt?: number;
}
export interface ReconcileJob {
  v: 1;
  source: SnapshotSource;
}

export interface JobData {
  poll: PollJob;
  document: DocumentJob;
  apply: ApplyJob;
  fanout: FanoutJob;
  deliver: DeliverJob;
  reconcile: ReconcileJob;
}

export type Queues = { [K in QueueName]: Queue<JobData[K]> };

/** Completed jobs are kept for a day so their ids keep absorbing duplicates; failed ones for a week. */
const DEFAULTS: DefaultJobOptions = {
  removeOnComplete: { age: 24 * 3600, count: 200_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 50_000 },
};

const JOB_OPTIONS: { [K in QueueName]: DefaultJobOptions } = {
  poll: {
    ...DEFAULTS,
    attempts: 3,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { count: 1000 },
  },
  document: { ...DEFAULTS, attempts: 8, backoff: { type: 'retry-after', delay: 2_000 } },
  apply: {
    ...DEFAULTS,
    attempts: 20,
    backoff: { type: 'exponential', delay: 500 },
    removeOnComplete: { count: 1000 },
  },
  fanout: {
    ...DEFAULTS,
    attempts: 20,
    backoff: { type: 'exponential', delay: 500 },
    removeOnComplete: { count: 1000 },
  },
  // Deliveries schedule their own retries on the webhook schedule (see pipeline/deliver); these
  // attempts only absorb failures of our own infrastructure (Redis restarting mid-delivery).
  deliver: { ...DEFAULTS, attempts: 10, backoff: { type: 'exponential', delay: 1_000 } },
  reconcile: { ...DEFAULTS, attempts: 3, backoff: { type: 'exponential', delay: 10_000 } },
};

export function createQueues(connection: RedisClient | ConnectionOptions, prefix: string): Queues {
  const make = <K extends QueueName>(name: K): Queue<JobData[K]> =>
    new Queue<JobData[K]>(name, { connection, prefix, defaultJobOptions: JOB_OPTIONS[name] });
  return {
    poll: make('poll'),
    document: make('document'),
    apply: make('apply'),
    fanout: make('fanout'),
    deliver: make('deliver'),
    reconcile: make('reconcile'),
  };
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.allSettled(Object.values(queues).map((q) => q.close()));
}

/** One poll job scheduler: its id, when it fires, the source it polls; `enabled: false` removes it. */
export interface SchedulerPlan {
  id: string;
  enabled: boolean;
  repeat: Omit<RepeatOptions, 'key'>;
  source: PollSource;
}

/**
 * One job scheduler per source. Public inspection is polled every minute on business days (the
 * Office of the Federal Register files documents for inspection on those days only) unless an
 * interval is configured; eCFR and the CSL once a day.
 */
export function schedulerPlans(config: Readonly<Config>): SchedulerPlan[] {
  return [
    { id: 'poll-published', enabled: true, repeat: { every: config.pollIntervalMs }, source: 'published' },
    {
      id: 'poll-public-inspection',
      enabled: config.sources.publicInspection,
      repeat:
        config.publicInspectionIntervalMs === undefined
          ? { pattern: '* * * * 1-5', tz: 'America/New_York' }
          : { every: config.publicInspectionIntervalMs },
      source: 'public-inspection',
    },
    {
      id: 'poll-ecfr',
      enabled: config.sources.ecfr,
      repeat: { every: config.snapshotIntervalMs },
      source: 'ecfr',
    },
    {
      id: 'poll-csl',
      enabled: config.sources.csl,
      repeat: { every: config.snapshotIntervalMs },
      source: 'csl',
    },
  ];
}

/** Creates (or updates) the wanted schedulers and removes the others, so a source switched off stops. */
export async function registerSchedulers(queues: Queues, plans: readonly SchedulerPlan[]): Promise<void> {
  for (const plan of plans) {
    if (plan.enabled)
      await queues.poll.upsertJobScheduler(plan.id, plan.repeat, {
        name: 'poll',
        data: { v: 1, source: plan.source },
      });
    else await queues.poll.removeJobScheduler(plan.id);
  }
}

/**
 * Creates again the wanted schedulers that are missing (a Redis that lost keys, a scheduler removed
 * by hand) and leaves the others as they are, so their next run is not moved. Returns the ids
 * created again.
 */
export async function ensureSchedulers(queues: Queues, plans: readonly SchedulerPlan[]): Promise<string[]> {
  const missing: string[] = [];
  for (const plan of plans) {
    if (!plan.enabled || (await queues.poll.getJobScheduler(plan.id)) !== undefined) continue;
    await queues.poll.upsertJobScheduler(plan.id, plan.repeat, {
      name: 'poll',
      data: { v: 1, source: plan.source },
    });
    missing.push(plan.id);
  }
  return missing;
}

/**
 * Removes the poll schedulers found (on a store that lost its data, where a poll job in flight at
 * the loss can write its scheduler back as it finishes). Returns the ids removed.
 */
export async function removeSchedulers(queues: Queues, plans: readonly SchedulerPlan[]): Promise<string[]> {
  const removed: string[] = [];
  for (const plan of plans) {
    if ((await queues.poll.getJobScheduler(plan.id)) === undefined) continue;
    await queues.poll.removeJobScheduler(plan.id);
    removed.push(plan.id);
  }
  return removed;
}
