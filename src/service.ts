import { Worker, type Job, type Processor } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { RedisClient } from './store/redis.js';
import type { Config, Role } from './config.js';
import { createWebhookSender } from './delivery/sender.js';
import { AppError, isAppError } from './errors.js';
import { FederalRegisterClient } from './federal-register/client.js';
import { HttpFetcher } from './http-client/http.js';
import { RedisRateBudgets } from './http-client/redis-rate-budget.js';
import { sourcesBudget } from './sources/fetch.js';
import { RedisConditionalStore } from './http-client/conditional-store.js';
import { createHttpServer } from './http/server.js';
import { createOpsServer, registerOpsRoutes } from './http/ops.js';
import { createLogger, type Logger } from './observe/logger.js';
import { createMetrics, redisStateProbe } from './observe/metrics.js';
import { PipelineObserver } from './observe/pipeline-events.js';
import { drainApplyLine } from './pipeline/apply.js';
import type { PipelineContext } from './pipeline/context.js';
import { createDeliverer, deadLetter } from './pipeline/deliver.js';
import { processDocument, quarantine } from './pipeline/document.js';
import { fanOut } from './pipeline/fanout.js';
import { pollPublished } from './pipeline/poll.js';
import { pollPublicInspection } from './pipeline/public-inspection.js';
import { pollSnapshotSource, reconcile } from './pipeline/snapshots.js';
import {
  closeQueues,
  createQueues,
  ensureSchedulers,
  registerSchedulers,
  schedulerPlans,
  type JobData,
  type QueueName,
} from './queues/index.js';
import { createDeploymentGuard, type DeploymentStatus } from './store/deployment-guard.js';
import { checkDurability } from './store/durability.js';
import { DocumentStore } from './store/documents.js';
import { EventLog } from './store/event-log.js';
import { createKeys } from './store/keys.js';
import { createRedis } from './store/redis.js';
import { StateStore } from './store/state.js';
import { SubscriptionStore } from './store/subscriptions.js';

/**
 * The service: builds the pipeline's dependencies from the configuration, runs the workers for the
 * roles this process has, registers the poll schedulers and serves HTTP. `fedreg-watch start`
 * runs every role in one process; `workers/*` run one each, several processes sharing one Redis.
 */
export interface ServiceOptions {
  config: Readonly<Config>;
  logger?: Logger;
  observer?: PipelineObserver;
  now?: () => number;
  /** The Federal Register world's clock (default: `now`); the replay server's in demos. */
  sourceNow?: () => number;
  /** Registers more HTTP routes (metrics, dashboard). */
  extendHttp?: (app: FastifyInstance, ctx: PipelineContext) => Promise<void> | void;
}

export interface Service {
  ctx: PipelineContext;
  /** The HTTP server's address, when this process serves HTTP. */
  url?: string;
  workers: Map<QueueName, Worker>;
  /** Stops taking work, lets jobs in flight finish, then closes queues, Redis and HTTP. */
  close(): Promise<void>;
}

export function buildContext(
  config: Readonly<Config>,
  options: Omit<ServiceOptions, 'config'> = {},
): PipelineContext {
  const logger = options.logger ?? createLogger(config.logLevel);
  // Stage code and HTTP use a connection that fails fast while Redis is away (jobs retry, /readyz
  // says 503); BullMQ gets its own that never gives up a command.
  const redis = createRedis(config.redis, 'client');
  const bullmq = createRedis(config.redis, 'worker');
  const keys = createKeys(config.redisPrefix);
  const queues = createQueues(bullmq, config.redisPrefix);
  // Without a listener BullMQ prints a queue's connection errors raw to stderr; log them, once per
  // distinct message every few seconds, since a Redis outage repeats them at every reconnect.
  const queueError = throttled(10_000);
  for (const [name, queue] of Object.entries(queues)) {
    queue.on('error', (err: Error) => {
      if (queueError(`${name}:${err.message}`)) logger.warn({ queue: name, err: err.message }, 'queue error');
    });
  }
  const sharedBudgets = new RedisRateBudgets(redis, {
    prefix: keys.federalRegister,
    budgets: {
      api: { limit: config.rateLimits.frApiPerSecond, windowMs: 1000 },
      xml: { limit: config.rateLimits.frXmlPerSecond, windowMs: 1000 },
    },
    // Tokens are taken on Redis's clock, requests arrive a little later and unevenly (event-loop
    // delays under load): the margin keeps the server's own count within the limit.
    marginMs: config.frRateMarginMs,
  });
  const now = options.now ?? Date.now;
  return {
    config,
    redis,
    bullmq,
    keys,
    queues,
    state: new StateStore(redis, keys),
    events: new EventLog(redis, keys),
    documents: new DocumentStore(redis, keys),
    subscriptions: new SubscriptionStore(redis, keys, { keys: config.secretsKeys }),
    deployment: createDeploymentGuard(redis, keys, {
      redis: config.redis,
      dataDir: config.dataDir,
      now,
    }),
    observer: options.observer ?? new PipelineObserver(),
    logger,
    now,
    sourceNow: options.sourceNow ?? options.now ?? Date.now,
    frClient: new FederalRegisterClient({
      baseUrl: config.frApiBaseUrl,
      // The Federal Register's limits hold for the whole deployment, not per process.
      limiters: {
        api: sharedBudgets.limiter('api'),
        xml: sharedBudgets.limiter('xml', 'api'),
      },
      http: {
        conditionalStore: new RedisConditionalStore(redis, { prefix: keys.federalRegister }),
        maxBodyBytes: 32 * 1024 * 1024,
        userAgent: 'fedreg-watch (+https://github.com/fedreg-watch)',
      },
    }),
    sources: {
      fetcher: new HttpFetcher({
        conditionalStore: new RedisConditionalStore(redis, { prefix: `${keys.prefix}:sources:` }),
        maxBodyBytes: 128 * 1024 * 1024,
        userAgent: 'fedreg-watch (+https://github.com/fedreg-watch)',
      }),
      budget: sourcesBudget(config.rateLimits.sourcesPerSecond),
    },
    sender: createWebhookSender({
      allowedNetworks: config.webhooks.allowedNetworks,
      timeouts: { totalMs: config.webhooks.timeoutMs },
      userAgent: 'fedreg-watch-webhooks/1',
    }),
  };
}

/** Backoff for the document queue: exponential, but never sooner than the server's Retry-After. */
function retryAfterBackoff(attemptsMade: number, _type?: string, err?: Error): number {
  const exponential = Math.min(2_000 * 2 ** Math.max(0, attemptsMade - 1), 5 * 60_000);
  const asked = err instanceof AppError ? (err.retryAfterMs ?? 0) : 0;
  return Math.max(exponential, asked);
}

/** A gate that lets each key through once per `windowMs`. */
function throttled(windowMs: number): (key: string) => boolean {
  const last = new Map<string, number>();
  return (key) => {
    const now = Date.now();
    if (now - (last.get(key) ?? -Infinity) < windowMs) return false;
    last.set(key, now);
    return true;
  };
}

/**
 * How often a job may lose its worker (SIGKILL, out of memory) and be taken up again. Beyond it,
 * BullMQ fails the job for good: a document that keeps killing its worker is quarantined.
 */
const MAX_STALLS = 5;

/** Whether BullMQ will not try the job again: attempts used up, or an unrecoverable failure. */
function failedForGood(job: Job, err: Error): boolean {
  return err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
}

/** BullMQ's own "stalled more than allowable limit" as a typed error. */
function lostWorker(err: Error): Error {
  if (err.name !== 'UnrecoverableError' || !/stalled/.test(err.message)) return err;
  return new AppError(
    'WORKER_LOST',
    `the worker processing this job stopped (killed or out of memory) more than ${MAX_STALLS} times before it finished`,
    { cause: err },
  );
}

export async function startService(options: ServiceOptions): Promise<Service> {
  const { config } = options;
  const ctx = buildContext(config, options);
  const { logger } = ctx;
  // Before any worker starts, so the first poll and the first deliveries are counted.
  const metrics = createMetrics({
    observer: ctx.observer,
    queues: ctx.queues,
    probe: redisStateProbe(ctx.redis, ctx.keys),
  });
  try {
    await checkStore(ctx);
  } catch (err) {
    metrics.close();
    await runSteps(logger, contextClosers(ctx));
    throw err;
  }
  const roles = config.roles;
  const workers = new Map<QueueName, Worker>();
  let closing = false;
  // A Redis outage repeats the same error at every reconnect of every worker.
  const workerError = throttled(10_000);

  const worker = <K extends QueueName>(
    name: K,
    processor: Processor<JobData[K]>,
    concurrency: number,
  ): void => {
    // Nothing runs on a store that lost its data: no poll, no apply, no delivery (store/deployment.ts).
    const guarded: Processor<JobData[K]> = async (job, token, signal) =>
      (await ctx.deployment.blocked())
        ? { skipped: 'Redis lost the deployment data' }
        : processor(job, token, signal);
    const w = new Worker<JobData[K]>(name, guarded, {
      connection: ctx.bullmq,
      prefix: config.redisPrefix,
      concurrency,
      // Locks are renewed every half lock; a process killed with SIGKILL holds its jobs until the
      // lock lapses and the next stalled-job check (a third of the lock) hands them on. BullMQ's
      // 30 s + 30 s default kept the apply and fan-out lines (one at a time) still for up to a minute.
      lockDuration: config.jobLockMs,
      stalledInterval: config.jobStalledIntervalMs,
      maxStalledCount: MAX_STALLS,
      settings: { backoffStrategy: retryAfterBackoff },
    });
    w.on('failed', (job, err) => {
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
    });
    w.on('error', (err) => {
      if (workerError(`${name}:${err.message}`))
        logger.error({ queue: name, err: err.message }, 'worker error');
    });
    workers.set(name, w as unknown as Worker);
  };

  if (roles.has('poll')) {
    worker(
      'poll',
      async (job: Job<JobData['poll']>, _token, signal) => {
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
      1,
    );
  }
  if (roles.has('document')) {
    worker(
      'document',
      async (job: Job<JobData['document']>, _token, signal) =>
        processDocument(ctx, job.data.documentNumber, signal ?? new AbortController().signal),
      config.documentConcurrency,
    );
    workers.get('document')!.on('failed', (job, err) => {
      if (!job || !failedForGood(job, err) || ctx.deployment.isLost()) return;
      // Retries exhausted, or its worker died under it again and again (a document that kills
      // the process): take it out of line so the documents behind it can go on.
      void quarantine(ctx, job.data.documentNumber as string, lostWorker(err), job.attemptsMade).catch(
        (e: unknown) => logger.error({ err: String(e) }, 'could not quarantine after exhausted retries'),
      );
    });
  }
  if (roles.has('apply')) worker('apply', async (_job, _token, signal) => drainApplyLine(ctx, signal), 1);
  if (roles.has('fanout')) worker('fanout', async (_job, _token, signal) => fanOut(ctx, signal), 1);
  // Apply and fan-out jobs only wake a drain of state kept in Redis: one that failed for good is
  // replaced by a new one a little later, so the lines never stop for want of a job.
  const wakeAgain = {
    apply: (reason: string) => ctx.queues.apply.add('apply', { v: 1, reason }, { delay: config.jobLockMs }),
    fanout: () => ctx.queues.fanout.add('fanout', { v: 1 }, { delay: config.jobLockMs }),
  };
  for (const name of ['apply', 'fanout'] as const) {
    workers.get(name)?.on('failed', (job, err) => {
      if (!job || !failedForGood(job, err) || closing || ctx.deployment.isLost()) return;
      void wakeAgain[name](`after a failed job: ${err.message}`).catch((e: unknown) =>
        logger.error({ queue: name, err: String(e) }, 'could not wake the line again'),
      );
    });
  }
  if (roles.has('reconcile')) {
    worker('reconcile', async (job: Job<JobData['reconcile']>) => reconcile(ctx, job.data.source), 1);
  }
  if (roles.has('deliver')) {
    const deliver = createDeliverer(ctx);
    worker(
      'deliver',
      (job: Job<JobData['deliver']>, token, signal) => deliver(job, token, signal),
      config.webhooks.concurrency,
    );
    // The deliverer dead-letters what the subscriber refuses; a job that failed for good on our
    // side (Redis away through every retry, a worker lost again and again) is dead-lettered here,
    // so that it can be redelivered rather than sit unseen among BullMQ's failed jobs.
    workers.get('deliver')!.on('failed', (job, err) => {
      if (!job || !failedForGood(job, err) || ctx.deployment.isLost()) return;
      const data = job.data as JobData['deliver'];
      void deadLetter(ctx, {
        eventId: data.eventId,
        subscriptionId: data.subscriptionId,
        attempts: data.attempt + 1,
        reason: `delivery job failed: ${lostWorker(err).message}`,
      }).catch((e: unknown) => logger.error({ err: String(e) }, 'could not dead-letter a failed delivery'));
    });
  }

  // On a store that lost its data nothing is scheduled or woken until an operator recovers it;
  // then the watch resumes the pipeline without a restart.
  const resume = async (reason: string): Promise<void> => {
    // One apply and one fan-out at a time across every process sharing this Redis.
    await Promise.all([ctx.queues.apply.setGlobalConcurrency(1), ctx.queues.fanout.setGlobalConcurrency(1)]);
    if (roles.has('poll')) await registerSchedulers(ctx.queues, schedulerPlans(config));
    // Whatever a previous process left half-done is picked up now.
    await ctx.queues.apply.add('apply', { v: 1, reason });
    await ctx.queues.fanout.add('fanout', { v: 1 });
  };
  if (!ctx.deployment.isLost()) await resume('startup');
  const watch = watchStore(ctx, { schedulers: roles.has('poll'), resume: () => resume('recovered') });

  let app: FastifyInstance | undefined;
  let url: string | undefined;
  if (roles.has('http')) {
    app = await createHttpServer({
      ctx,
      ready: async () => !closing && (await pingQuick(ctx.redis)),
      extend: async (a) => {
        await registerOpsRoutes(a, {
          metrics,
          queues: ctx.queues,
          adminToken: config.adminToken,
          readOnly: config.dashboardReadOnly,
        });
        await options.extendHttp?.(a, ctx);
      },
    });
    url = await app.listen({ host: config.http.host, port: config.http.port });
    logger.info({ url, roles: [...roles] }, 'fedreg-watch is serving');
  } else if (config.metricsPort !== undefined) {
    app = createOpsServer({
      metrics,
      ready: async () => !closing && (await pingQuick(ctx.redis)),
      deployment: ctx.deployment,
    });
    url = await app.listen({ host: config.http.host, port: config.metricsPort });
    logger.info({ url, roles: [...roles] }, 'fedreg-watch workers running; metrics and health served');
  } else {
    logger.info({ roles: [...roles] }, 'fedreg-watch workers running');
  }

  return {
    ctx,
    ...(url ? { url } : {}),
    workers,
    async close() {
      if (closing) return;
      closing = true;
      logger.info('shutting down: finishing jobs in flight');
      await runSteps(logger, [
        ['store watch', async () => watch.stop()],
        ['workers', () => Promise.all([...workers.values()].map((w) => w.close()))],
        ['metrics', async () => metrics.close()],
        ...contextClosers(ctx),
        ['http', () => app?.close() ?? Promise.resolve()],
      ]);
      logger.info('stopped');
    },
  };
}

/** Closing what `buildContext` opened, in order: queues, HTTP clients, then Redis. */
export function contextClosers(ctx: PipelineContext): Array<[string, () => Promise<unknown>]> {
  return [
    ['queues', () => closeQueues(ctx.queues)],
    ['webhook sender', () => ctx.sender.close()],
    ['federal register client', () => ctx.frClient.close()],
    ['source fetcher', () => ctx.sources.fetcher.close()],
    ['redis', () => Promise.all([ctx.redis.quit(), ctx.bullmq.quit()])],
  ];
}

/** Runs every shutdown step even when one fails: a failed step is logged and the rest go on. */
export async function runSteps(
  logger: Logger,
  steps: Array<[string, () => Promise<unknown>]>,
): Promise<void> {
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (err) {
      logger.error(
        { step: name, err: err instanceof Error ? err.message : String(err) },
        'shutdown step failed; going on',
      );
    }
  }
}

/**
 * At start: how durable the Redis is (warned about, or refused with REQUIRE_DURABLE_REDIS=true) and
 * whether it still holds this deployment's data (store/deployment.ts). Losses and recoveries found
 * then or later are logged and counted from here.
 */
async function checkStore(ctx: PipelineContext): Promise<void> {
  const { logger, config } = ctx;
  const report = await checkDurability(ctx.redis);
  ctx.deployment.durability = report;
  ctx.observer.emit('redis.durability', { problems: report.problems.map((p) => p.code) });
  for (const problem of report.problems)
    logger.warn({ redis: redact(config.redisUrl), problem: problem.code }, `WARNING: ${problem.message}`);
  const refused = report.problems.filter((p) => p.code !== 'unchecked');
  if (config.requireDurableRedis && refused.length > 0) {
    throw new AppError(
      'REDIS_NOT_DURABLE',
      `REQUIRE_DURABLE_REDIS=true and ${refused.map((p) => p.message).join('; ')}`,
      { context: { problems: refused.map((p) => p.code) } },
    );
  }
  ctx.deployment.onChange((now: DeploymentStatus, before: DeploymentStatus) => {
    if (now.kind === 'lost') {
      logger.error(
        { reason: now.reason, lostEpoch: now.lostEpoch },
        'DATA LOST: Redis lost this deployment’s data; no poll, apply or delivery runs until an operator runs `fedreg-watch recover` (see README, "When Redis loses its data")',
      );
      ctx.observer.emit('redis.data-lost', { reason: now.reason });
    } else if (now.kind === 'intact' && before.kind === 'lost') {
      ctx.observer.emit('redis.data-restored', { epoch: now.epoch });
    }
  });
  const status = await ctx.deployment.check(0);
  if (ctx.deployment.recordError)
    logger.warn(
      { err: ctx.deployment.recordError },
      'could not write the deployment record under DATA_DIR: a Redis emptied while no process runs will not be recognised as a loss',
    );
  if (status.kind !== 'intact') return;
  logger.info({ epoch: status.epoch }, 'deployment marker found: Redis holds this deployment’s data');
  const { rewritten, unreadable } = await ctx.subscriptions.reseal(ctx.now());
  if (rewritten > 0) logger.info({ rewritten }, 'webhook secrets rewritten the way SECRETS_KEY says');
  if (unreadable.length > 0)
    logger.error(
      { subscriptions: unreadable },
      'webhook secrets that neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS opens: their deliveries fail until the key is configured again',
    );
}

/**
 * The running check: every REDIS_CHECK_INTERVAL_MS, whether Redis still holds the deployment's
 * data, and (in a process that polls) that every job scheduler is there, created again if not.
 */
function watchStore(
  ctx: PipelineContext,
  options: { schedulers: boolean; resume: () => Promise<void> },
): { stop(): void } {
  const plans = schedulerPlans(ctx.config);
  // Whoever sees the recovery first (this timer, a job, a request), the pipeline resumes once.
  let resuming: Promise<void> = Promise.resolve();
  ctx.deployment.onChange((now, before) => {
    if (now.kind !== 'intact' || before.kind !== 'lost') return;
    ctx.logger.warn({ epoch: now.epoch }, 'the store was recovered by an operator: resuming the pipeline');
    resuming = options
      .resume()
      .catch((err: unknown) =>
        ctx.logger.error(
          { err: err instanceof Error ? err.message : String(err) },
          'could not resume after recovery',
        ),
      );
  });
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const status = await ctx.deployment.check(0);
      if (status.kind !== 'intact') return;
      // A resumption registers every scheduler: what it creates is not "found missing".
      await resuming;
      if (!options.schedulers) return;
      for (const id of await ensureSchedulers(ctx.queues, plans)) {
        ctx.logger.warn({ scheduler: id }, 'job scheduler was missing from Redis: created it again');
        ctx.observer.emit('scheduler.recreated', { scheduler: id });
      }
    } catch (err) {
      ctx.logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'store check failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), ctx.config.redisCheckIntervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

async function pingQuick(redis: RedisClient): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  try {
    const res = await Promise.race([
      redis.ping(),
      new Promise<string>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000)),
    ]);
    return res === 'PONG';
  } catch {
    return false;
  }
}

export type { Role };
