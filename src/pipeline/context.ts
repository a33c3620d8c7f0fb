import type { RedisClient } from '../store/redis.js';
import type { Config } from '../config.js';
import type { WebhookSender } from '../delivery/sender.js';
import type { FederalRegisterClient } from '../federal-register/client.js';
import type { HttpFetcher } from '../http-client/http.js';
import type { RateLimiter } from '../http-client/rate-budget.js';
import type { Logger } from '../observe/logger.js';
import type { PipelineObserver } from '../observe/pipeline-events.js';
import type { Queues } from '../queues/index.js';
import type { DeadLetterStore } from '../store/dead-letters.js';
import type { DeploymentGuard } from '../store/deployment-guard.js';
import type { DocumentStore } from '../store/documents.js';
import type { EventLog } from '../store/event-log.js';
import type { Keys } from '../store/keys.js';
import type { SourceStore } from '../store/sources.js';
import type { StateStore } from '../store/state.js';
import type { SubscriptionStore } from '../store/subscriptions.js';

/**
 * Everything a pipeline stage needs, built once by the service from the configuration and passed
 * in. Stages never construct clients or read the environment; tests build a context with real
 * Redis, a replay server and local receivers.
 */
export interface PipelineContext {
  config: Readonly<Config>;
  /** Fails commands fast while Redis is away: stage code and HTTP. */
  redis: RedisClient;
  /** BullMQ's connection (never gives up a command). */
  bullmq: RedisClient;
  keys: Keys;
  queues: Queues;
  state: StateStore;
  events: EventLog;
  documents: DocumentStore;
  subscriptions: SubscriptionStore;
  /** Commerce's own lists (eCFR, CSL): accepted and held by the circuit breaker. */
  sourceLists: SourceStore;
  /** Deliveries that exhausted their retries, indexed by time and by subscription. */
  deadLetters: DeadLetterStore;
  /** Whether Redis still holds this deployment's data: work stops when it lost it. */
  deployment: DeploymentGuard;
  observer: PipelineObserver;
  logger: Logger;
  /** Wall clock in ms: signatures, delays, timestamps of our own records. */
  now: () => number;
  /**
   * What time it is in the Federal Register's world: which day's eCFR to read, when a filing left
   * public inspection. The wall clock in production; the replay server's clock in demos and tests.
   */
  sourceNow: () => number;
  frClient: FederalRegisterClient;
  /** eCFR and CSL downloads: their own fetcher and rate budget. */
  sources: { fetcher: HttpFetcher; budget: RateLimiter };
  sender: WebhookSender;
}
