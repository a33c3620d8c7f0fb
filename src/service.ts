import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Config, Role } from './config.js';
import { createWebhookSender } from './delivery/sender.js';
import { AppError } from './errors.js';
import { FederalRegisterClient } from './federal-register/client.js';
import { HttpFetcher } from './http-client/http.js';
import { RedisRateBudgets } from './store/rate-budgets.js';
import { sourcesBudget } from './sources/fetch.js';
import { RedisConditionalStore } from './store/conditional-requests.js';
import { createHttpServer } from './http/server.js';
import { createOpsServer, registerOpsRoutes } from './http/ops.js';
import { Lifecycle, runSteps } from './lifecycle.js';
import { createLogger, type Logger } from './observe/logger.js';
import { createMetrics, redisStateProbe, type Metrics } from './observe/metrics.js';
import { PipelineObserver } from './observe/pipeline-events.js';
import type { PipelineContext } from './pipeline/context.js';
import {
  closeQueues,
  createQueues,
  ensureSchedulers,
  registerSchedulers,
  removeSchedulers,
  schedulerPlans,
  QUEUE_NAMES,
  type QueueName,
} from './queues/index.js';
import { createDeploymentGuard, type DeploymentStatus } from './store/deployment-guard.js';
import { checkDurability } from './store/durability.js';
import { DeadLetterStore } from './store/dead-letters.js';
import { DocumentStore } from './store/documents.js';
import { EventLog } from './store/event-log.js';
import { createKeys } from './store/keys.js';
import { answersFor, createRedis } from './store/redis.js';
import { SourceStore } from './store/sources.js';
import { StateStore } from './store/state.js';
import { SubscriptionStore } from './store/subscriptions.js';
import type { Stage } from './stages/stage.js';
import { STAGES } from './stages/stages.js';
import { startStageWorker, throttled } from './stages/worker.js';
import { watchBlockedWorkers } from './stages/watchdog.js';

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
  // Listeners' errors are logged; one that throws never fails the step that reported.
  const observer = options.observer ?? new PipelineObserver({ logger });
  observer.logListenerErrorsTo(logger);
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
    sourceLists: new SourceStore(redis, keys),
    deadLetters: new DeadLetterStore(redis, keys),
    deployment: createDeploymentGuard(redis, keys, {
      redis: config.redis,
      dataDir: config.dataDir,
      now,
    }),
    observer,
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

export async function startService(options: ServiceOptions): Promise<Service> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const roles = config.roles;
  const life = new Lifecycle(logger);
  let started = false;
  let closing = false;
  return life.start(async () => {
    const ctx = await life.acquire(
      'pipeline context',
      () => buildContext(config, { ...options, logger }),
      (c) => runSteps(logger, contextClosers(c)),
    );
    const ready = async (): Promise<boolean> =>
      started && !closing && (await answersFor(ctx.redis, ctx.keys.deployment));
    // Before any worker starts, so the first poll and the first deliveries are counted.
    const metrics = await life.acquire(
      'metrics',
      () =>
        createMetrics({
          observer: ctx.observer,
          queues: ctx.queues,
          probe: redisStateProbe(ctx.redis, ctx.keys),
        }),
      (m) => m.close(),
    );
    await life.acquire('store check', () => checkStore(ctx));
    // The port is taken before any work is: a process that cannot serve exits before it has
    // started a job. /readyz says not ready until the start has finished, and again from the
    // moment the close begins; HTTP is closed after the workers, so it answers throughout.
    const http = await life.acquire(
      'http',
      () => buildHttp(ctx, options, metrics, ready),
      (h) => h?.app.close(),
    );
    const url = http ? await life.acquire('http listen', () => listen(http, config)) : undefined;
    // A Redis outage repeats the same error at every reconnect of every worker.
    const errorGate = throttled(10_000);
    const stageWorker = (name: QueueName): Worker =>
      startStageWorker(ctx, STAGES[name] as Stage, {
        closing: () => closing,
        errorGate,
      }) as unknown as Worker;
    const workers = await life.acquire(
      'workers',
      () => startWorkers(ctx, stageWorker),
      (w) => {
        // Also when a start fails part-way: no line is woken again by a job failing as it closes.
        closing = true;
        return Promise.all([...w.values()].map((worker) => worker.close()));
      },
    );
    await life.acquire(
      'worker watchdog',
      () => watchBlockedWorkers(workers, stageWorker, { logger, isClosing: () => closing }),
      (watchdog) => watchdog.stop(),
    );
    // On a store that lost its data nothing is scheduled or woken until an operator recovers it;
    // then the watch resumes the pipeline without a restart.
    const resume = async (reason: string): Promise<void> => {
      // One apply and one fan-out at a time across every process sharing this Redis.
      await Promise.all([
        ctx.queues.apply.setGlobalConcurrency(1),
        ctx.queues.fanout.setGlobalConcurrency(1),
      ]);
      if (roles.has('poll')) await registerSchedulers(ctx.queues, schedulerPlans(config));
      // Whatever a previous process left half-done is picked up now.
      await ctx.queues.apply.add('apply', { v: 1, reason });
      await ctx.queues.fanout.add('fanout', { v: 1 });
    };
    await life.acquire('schedulers', async () => {
      if (!ctx.deployment.isLost()) await resume('startup');
    });
    await life.acquire(
      'store watch',
      () => watchStore(ctx, { schedulers: roles.has('poll'), resume: () => resume('recovered') }),
      (watch) => watch.stop(),
    );
    started = true;
    if (roles.has('http')) logger.info({ url, roles: [...roles] }, 'fedreg-watch is serving');
    else if (url)
      logger.info({ url, roles: [...roles] }, 'fedreg-watch workers running; metrics and health served');
    else logger.info({ roles: [...roles] }, 'fedreg-watch workers running');
    return {
      ctx,
      ...(url ? { url } : {}),
      workers,
      async close() {
        if (closing) return;
        closing = true;
        logger.info('shutting down: finishing jobs in flight');
        // The store watch, then the workers (jobs in flight finish), HTTP, metrics, and last the
        // queues, clients and Redis: the start's list, walked back.
        await life.release();
        logger.info('stopped');
      },
    };
  });
}

/** The workers of the stages this process has a role for. */
async function startWorkers(
  ctx: PipelineContext,
  stageWorker: (name: QueueName) => Worker,
): Promise<Map<QueueName, Worker>> {
  const workers = new Map<QueueName, Worker>();
  try {
    for (const name of QUEUE_NAMES) if (ctx.config.roles.has(name)) workers.set(name, stageWorker(name));
  } catch (err) {
    await runSteps(
      ctx.logger,
      [...workers].map(([name, w]) => [`${name} worker`, () => w.close()]),
    );
    throw err;
  }
  return workers;
}

interface HttpServer {
  app: FastifyInstance;
  port: number;
  /** The setting that chose the port, for the message when it is taken. */
  setting: 'HTTP_PORT' | 'METRICS_PORT';
}

/** The HTTP server this process serves (API and ops, or only metrics and health), not yet listening. */
async function buildHttp(
  ctx: PipelineContext,
  options: ServiceOptions,
  metrics: Metrics,
  ready: () => Promise<boolean>,
): Promise<HttpServer | undefined> {
  const { config } = ctx;
  if (config.roles.has('http')) {
    const app = await createHttpServer({
      ctx,
      ready,
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
    return { app, port: config.http.port, setting: 'HTTP_PORT' };
  }
  if (config.metricsPort === undefined) return undefined;
  const app = createOpsServer({ metrics, ready, deployment: ctx.deployment });
  return { app, port: config.metricsPort, setting: 'METRICS_PORT' };
}

/** Listens; a port held by another process is a typed error naming it, not a raw EADDRINUSE. */
async function listen(http: HttpServer, config: Readonly<Config>): Promise<string> {
  try {
    return await http.app.listen({ host: config.http.host, port: http.port });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    throw new AppError(
      'HTTP_PORT_IN_USE',
      `${http.setting}=${http.port}: ${config.http.host}:${http.port} is already in use by another process; stop that process or set ${http.setting} to a free port`,
      { cause: err, context: { host: config.http.host, port: http.port } },
    );
  }
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
  ctx.deployment.onChange(
    logErrors(logger, 'data-loss report', (now: DeploymentStatus, before: DeploymentStatus) => {
      if (now.kind === 'lost') {
        logger.error(
          { reason: now.reason, lostEpoch: now.lostEpoch },
          'DATA LOST: Redis lost this deployment’s data; no poll, apply or delivery runs until an operator runs `fedreg-watch recover` (see README, "When Redis loses its data")',
        );
        ctx.observer.emit('redis.data-lost', { reason: now.reason });
      } else if (now.kind === 'intact' && before.kind === 'lost') {
        ctx.observer.emit('redis.data-restored', { epoch: now.epoch });
      }
    }),
  );
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
  ctx.deployment.onChange(
    logErrors(ctx.logger, 'resumption after recovery', (now: DeploymentStatus, before: DeploymentStatus) => {
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
    }),
  );
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const status = await ctx.deployment.check(0);
      if (status.kind === 'lost' && options.schedulers) {
        // Nothing is scheduled on a store that lost its data; a poll in flight at the loss may
        // have written its scheduler back as it finished.
        for (const id of await removeSchedulers(ctx.queues, plans))
          ctx.logger.warn({ scheduler: id }, 'job scheduler found on a store that lost its data: removed it');
      }
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

/**
 * A deployment-status listener whose error is logged: it is called from inside the status check
 * that a job's guard, a request or the store watch is making, and must not fail it unseen.
 */
function logErrors<A extends unknown[]>(logger: Logger, what: string, listener: (...args: A) => void) {
  return (...args: A): void => {
    try {
      listener(...args);
    } catch (err) {
      logger.error(
        { listener: what, err: err instanceof Error ? err.message : String(err) },
        'a deployment-status listener failed; going on',
      );
    }
  };
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

export type { Role };
/** Kept here for the commands that build a context of their own (backfill, recover). */
export { runSteps };
