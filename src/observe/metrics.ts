import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RedisClient } from '../store/redis.js';
import { DeadLetterStore } from '../store/dead-letters.js';
import { DocumentStore } from '../store/documents.js';
import { SourceStore } from '../store/sources.js';
import type { Keys } from '../store/keys.js';
import type { PipelineEventMap, PipelineEventName, PipelineObserver } from './pipeline-events.js';

/**
 * Prometheus metrics for ops. The pipeline's figures come from the typed pipeline events (the
 * same stream logs and tests subscribe to). What is a state rather than a happening (jobs in the
 * queues, a held list, quarantined documents, dead letters) is read from Redis when Prometheus
 * scrapes, so it holds for every process sharing that Redis and survives restarts.
 *
 * Every label value comes from a bounded set: sources, queue names and job states are fixed;
 * event types, reason and anomaly codes are enumerations in the code; subscription ids are created
 * by an admin, one per receiver. A guard still caps each label at `maxLabelValues` distinct values
 * (later ones are reported as "other"), so a bug upstream cannot blow up Prometheus.
 */

/** What the metrics read from a queue: a BullMQ `Queue` has all of it. */
export type MeasuredQueue = Pick<Queue, 'name' | 'getJobCounts' | 'isPaused'>;

/** One source's list held by the mass-change circuit breaker, as stored in Redis. */
export interface HeldDiff {
  removals: number;
}

/**
 * Readers of the state in Redis, called at scrape time. Each is optional; the gauges of a reader
 * not given are absent (held diffs then follow this process's events).
 */
export interface StateProbe {
  /** One key per snapshot source (`ecfr`, `csl`): its held diff, or undefined when none is held. */
  heldDiffs?: () => Promise<Readonly<Record<string, HeldDiff | undefined>>>;
  /** Documents quarantined now, awaiting an operator. */
  quarantinedDocuments?: () => Promise<number>;
  /** Deliveries in the dead-letter list now. */
  deadLetters?: () => Promise<number>;
}

export interface MetricsOptions {
  observer: PipelineObserver;
  /** Every queue of the pipeline (`createQueues(...)`); labelled by queue name. */
  queues: Readonly<Record<string, MeasuredQueue>>;
  /** Prefix of the pipeline's metric names (default `fedreg_`); process metrics keep their standard names. */
  prefix?: string;
  /** The state gauges' readers; see `StateProbe`. */
  probe?: StateProbe;
  /** Cap on distinct values per label fed by pipeline events (default 1000). */
  maxLabelValues?: number;
  /** How long a scrape waits for Redis before reporting what it reads there as unknown (default 2000 ms). */
  scrapeTimeoutMs?: number;
}

export interface Metrics {
  registry: Registry;
  /** The exposition in Prometheus text format, with its content type. */
  render(): Promise<{ contentType: string; body: string }>;
  /** Stops listening to the pipeline; the registry keeps the figures it had. */
  close(): void;
}

/** BullMQ's job states. A paused queue keeps its jobs in `waiting` (BullMQ ≥ 5): see `queue_paused`. */
export const QUEUE_JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const;

const PROMTOOL_REJECTED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Webhook attempts: 50 ms to the default 15 s timeout. */
const DELIVERY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];
/** Discovery by a poll to a receiver's 2xx: seconds when all goes well, hours behind retries. */
const SOURCE_TO_WEBHOOK_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600, 86_400];
const EXTRACTION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(options: MetricsOptions): Metrics {
  const { observer, queues } = options;
  const p = options.prefix ?? 'fedreg_';
  const cap = options.maxLabelValues ?? 1000;
  const scrapeTimeoutMs = options.scrapeTimeoutMs ?? 2000;
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  // Gauges named like counters: `promtool check metrics` rejects them, and each is the sum over
  // the `type` label of its namesake without the suffix (nodejs_active_handles{type} …).
  for (const name of PROMTOOL_REJECTED_DEFAULTS) registry.removeSingleMetric(name);

  const label = boundedLabels(cap);

  // --- Polls and documents ------------------------------------------------------------------
  const polls = new Counter({
    name: `${p}polls_total`,
    help: 'Polls of a source that completed',
    labelNames: ['source'],
    registers,
  });
  const pollFailures = new Counter({
    name: `${p}poll_failures_total`,
    help: 'Polls of a source that failed, by error code (the job is retried)',
    labelNames: ['source', 'code'],
    registers,
  });
  const lastPoll = new Gauge({
    name: `${p}last_successful_poll_timestamp_seconds`,
    help: 'Unix time of the last poll of a source that completed (reported by this process)',
    labelNames: ['source'],
    registers,
  });
  const discovered = new Counter({
    name: `${p}documents_discovered_total`,
    help: 'Federal Register documents seen for the first time, by how they were found',
    labelNames: ['via'],
    registers,
  });
  const extracted = new Counter({
    name: `${p}documents_extracted_total`,
    help: 'Documents whose rule text was read, by whether they change the Entity List',
    labelNames: ['entity_list_change'],
    registers,
  });
  const extractionWarnings = new Counter({
    name: `${p}extraction_warnings_total`,
    help: 'Warnings raised while reading amendatory instructions',
    registers,
  });
  const extractionDuration = new Histogram({
    name: `${p}document_extraction_duration_seconds`,
    help: 'Time to extract the Entity List changes of one document',
    buckets: EXTRACTION_BUCKETS,
    registers,
  });
  const applied = new Counter({
    name: `${p}documents_applied_total`,
    help: 'Documents applied to the state',
    registers,
  });
  const quarantined = new Counter({
    name: `${p}documents_quarantined_total`,
    help: 'Documents taken out of line for an operator, by reason code',
    labelNames: ['code'],
    registers,
  });

  // --- Events, anomalies, snapshots ---------------------------------------------------------
  const appended = new Counter({
    name: `${p}events_appended_total`,
    help: 'Change events appended to the event log, by CloudEvents type',
    labelNames: ['type'],
    registers,
  });
  const anomalies = new Counter({
    name: `${p}anomalies_total`,
    help: 'Anomalies reported (events of type gov.bis.entitylist.anomaly), by code',
    labelNames: ['code'],
    registers,
  });
  const probe = options.probe ?? {};
  const heldGauge = new Gauge({
    name: `${p}held_diffs`,
    help: 'Whether a source list is held by the mass-change circuit breaker, awaiting an operator (1) or not (0)',
    labelNames: ['source'],
    registers,
    ...(probe.heldDiffs ? { collect: () => readProbe() } : {}),
  });
  const heldRemovals = new Gauge({
    name: `${p}held_diff_removals`,
    help: 'Entries the held list of a source would remove',
    labelNames: ['source'],
    registers,
    ...(probe.heldDiffs ? { collect: () => readProbe() } : {}),
  });
  const drift = new Counter({
    name: `${p}drift_differences_total`,
    help: 'Differences found between the derived state and a source list by reconciliation',
    labelNames: ['source'],
    registers,
  });
  const editorial = new Counter({
    name: `${p}editorial_differences_total`,
    help: 'Entries whose text differs only in punctuation, spacing, line breaks, markup or case (same words) between a source list and its previous version or the derived state; not drift, not revisions',
    labelNames: ['source', 'against'],
    registers,
  });
  const driftReports = new Counter({
    name: `${p}drift_reports_total`,
    help: 'Reconciliations that found the derived state and a source list differing',
    labelNames: ['source'],
    registers,
  });

  // --- Deliveries ---------------------------------------------------------------------------
  const deliveries = new Counter({
    name: `${p}deliveries_total`,
    help: 'Webhook delivery attempts, by subscription and outcome',
    labelNames: ['subscription', 'outcome'],
    registers,
  });
  const deliveryDuration = new Histogram({
    name: `${p}delivery_duration_seconds`,
    help: 'Duration of one webhook delivery attempt, by subscription',
    labelNames: ['subscription'],
    buckets: DELIVERY_BUCKETS,
    registers,
  });
  const sourceToWebhook = new Histogram({
    name: `${p}source_to_webhook_seconds`,
    help: "From a document's discovery by a poll to a receiver's 2xx for its event (first attempts)",
    buckets: SOURCE_TO_WEBHOOK_BUCKETS,
    registers,
  });
  const deadLettered = new Counter({
    name: `${p}deliveries_dead_lettered_total`,
    help: 'Deliveries given up and kept in the dead-letter list, by subscription',
    labelNames: ['subscription'],
    registers,
  });
  const disabled = new Counter({
    name: `${p}subscriptions_disabled_total`,
    help: 'Subscriptions disabled (410 Gone, or failing for too long)',
    labelNames: ['subscription'],
    registers,
  });

  // --- Redis: data loss, durability, schedulers ---------------------------------------------
  const dataLost = new Gauge({
    name: `${p}redis_data_lost`,
    help: 'Whether Redis lost the deployment data and the service waits for `fedreg-watch recover` (1) or not (0)',
    registers,
  });
  dataLost.set(0);
  const dataLosses = new Counter({
    name: `${p}redis_data_losses_detected_total`,
    help: 'Times this process found that Redis lost the deployment data',
    registers,
  });
  const durability = new Gauge({
    name: `${p}redis_durability_problem`,
    help: 'Problems found in the Redis configuration at start (no-persistence, may-evict, unchecked): 1 when found',
    labelNames: ['problem'],
    registers,
  });
  const schedulersRecreated = new Counter({
    name: `${p}job_schedulers_recreated_total`,
    help: 'Job schedulers found missing in Redis and created again',
    labelNames: ['scheduler'],
    registers,
  });

  // --- Queues, read from Redis at scrape time -----------------------------------------------
  const queueJobs = new Gauge({
    name: `${p}queue_jobs`,
    help: 'Jobs in a BullMQ queue, by state (read from Redis at scrape time)',
    labelNames: ['queue', 'state'],
    registers,
    collect: () => readQueues(),
  });
  const queuePaused = new Gauge({
    name: `${p}queue_paused`,
    help: 'Whether a BullMQ queue is paused (1) or not (0)',
    labelNames: ['queue'],
    registers,
    collect: () => readQueues(),
  });
  const queuesUp = new Gauge({
    name: `${p}queue_metrics_up`,
    help: 'Whether the last scrape could read the queues from Redis (1) or not (0)',
    registers,
    collect: () => readQueues(),
  });

  // Gauges collected together in one scrape share one read of Redis.
  const readQueues = shared(async () => {
    const list = Object.values(queues);
    try {
      const results = await withTimeout(
        Promise.all(
          list.map(async (q) => ({
            name: q.name,
            counts: await q.getJobCounts(...QUEUE_JOB_STATES),
            paused: await q.isPaused(),
          })),
        ),
        scrapeTimeoutMs,
        `queue metrics: Redis did not answer within ${scrapeTimeoutMs} ms`,
      );
      for (const { name, counts, paused } of results) {
        for (const state of QUEUE_JOB_STATES) queueJobs.set({ queue: name, state }, counts[state] ?? 0);
        queuePaused.set({ queue: name }, paused ? 1 : 0);
      }
      queuesUp.set(1);
    } catch {
      // Figures from an earlier scrape would look current: report none, and say why.
      queueJobs.reset();
      queuePaused.reset();
      queuesUp.set(0);
    }
  });

  // --- Held diffs: Redis when a probe is given, else this process's events -------------------
  const heldThisPoll = new Set<string>();
  const heldSources = new Set<string>();
  const setHeld = (source: string, removals: number | undefined): void => {
    const s = label('source', source);
    heldSources.add(s);
    heldGauge.set({ source: s }, removals === undefined ? 0 : 1);
    heldRemovals.set({ source: s }, removals ?? 0);
  };

  // --- The rest of the state, when the probe reads it ----------------------------------------
  const stateGauge = (name: string, help: string): Gauge => {
    // Set to NaN, not 0, when Redis does not answer: an unknown count must not read as all clear.
    const gauge = new Gauge({ name, help, registers, collect: () => readProbe() });
    gauge.set(Number.NaN);
    return gauge;
  };
  const quarantinedNow = probe.quarantinedDocuments
    ? stateGauge(
        `${p}documents_quarantined`,
        'Documents quarantined now, awaiting an operator (read from Redis)',
      )
    : undefined;
  const deadLettersNow = probe.deadLetters
    ? stateGauge(`${p}dead_letters`, 'Deliveries in the dead-letter list now (read from Redis)')
    : undefined;
  const stateUp =
    Object.keys(probe).length > 0
      ? new Gauge({
          name: `${p}state_metrics_up`,
          help: 'Whether the last scrape could read the state gauges from Redis (1) or not (0)',
          registers,
          collect: () => readProbe(),
        })
      : undefined;

  const readProbe = shared(async () => {
    const read = async <T>(
      reader: (() => Promise<T>) | undefined,
      apply: (v: T) => void,
      unknown: () => void,
    ) => {
      if (!reader) return true;
      try {
        apply(await withTimeout(reader(), scrapeTimeoutMs, 'state: Redis did not answer'));
        return true;
      } catch {
        unknown();
        return false;
      }
    };
    const results = await Promise.all([
      read(
        probe.heldDiffs,
        (held) => {
          for (const [source, diff] of Object.entries(held)) setHeld(source, diff?.removals);
        },
        () => {}, // keep what the events said
      ),
      read(
        probe.quarantinedDocuments,
        (n) => quarantinedNow?.set(n),
        () => quarantinedNow?.set(Number.NaN),
      ),
      read(
        probe.deadLetters,
        (n) => deadLettersNow?.set(n),
        () => deadLettersNow?.set(Number.NaN),
      ),
    ]);
    stateUp?.set(results.every(Boolean) ? 1 : 0);
  });

  // --- Subscriptions to the pipeline's events -----------------------------------------------
  const unsubscribe: Array<() => void> = [];
  const on = <K extends PipelineEventName>(name: K, listener: (e: PipelineEventMap[K]) => void): void => {
    unsubscribe.push(observer.on(name, listener));
  };

  on('poll.succeeded', (e) => {
    const source = label('source', e.source);
    polls.inc({ source });
    lastPoll.set({ source }, e.at / 1000);
    // A snapshot poll that held nothing has accepted its list, which clears an earlier hold.
    if (heldThisPoll.delete(e.source)) return;
    if (heldSources.has(source)) setHeld(e.source, undefined);
  });
  on('poll.failed', (e) =>
    pollFailures.inc({ source: label('source', e.source), code: label('code', e.code) }),
  );
  on('document.discovered', (e) => discovered.inc({ via: label('via', e.via) }));
  on('document.extracted', (e) => {
    extracted.inc({ entity_list_change: String(e.isEntityListChange) });
    if (e.warnings > 0) extractionWarnings.inc(e.warnings);
    extractionDuration.observe(e.durationMs / 1000);
  });
  on('document.applied', () => applied.inc());
  on('document.quarantined', (e) => quarantined.inc({ code: label('code', e.code) }));
  on('event.appended', (e) => appended.inc({ type: label('type', e.type) }));
  // `source` of an anomaly is a document number or a source URI: unbounded, so not a label.
  on('anomaly', (e) => anomalies.inc({ code: label('code', e.code) }));
  on('diff.held', (e) => {
    heldThisPoll.add(e.source);
    setHeld(e.source, e.removals);
  });
  on('diff.released', (e) => setHeld(e.source, undefined));
  on('diff.editorial', (e) =>
    editorial.inc({ source: label('source', e.source), against: e.against }, e.differences),
  );
  on('drift', (e) => {
    const source = label('source', e.source);
    drift.inc({ source }, e.differences);
    driftReports.inc({ source });
  });
  on('delivery.attempted', (e) => {
    const subscription = label('subscription', e.subscriptionId);
    deliveries.inc({ subscription, outcome: e.outcome });
    deliveryDuration.observe({ subscription }, e.durationMs / 1000);
    if (e.sourceToWebhookMs !== undefined && e.sourceToWebhookMs >= 0) {
      sourceToWebhook.observe(e.sourceToWebhookMs / 1000);
    }
  });
  on('delivery.dead-lettered', (e) =>
    deadLettered.inc({ subscription: label('subscription', e.subscriptionId) }),
  );
  on('subscription.disabled', (e) => disabled.inc({ subscription: label('subscription', e.subscriptionId) }));
  on('redis.data-lost', () => {
    dataLost.set(1);
    dataLosses.inc();
  });
  on('redis.data-restored', () => dataLost.set(0));
  on('redis.durability', (e) => {
    for (const problem of ['no-persistence', 'may-evict', 'unchecked'])
      durability.set({ problem }, e.problems.includes(problem) ? 1 : 0);
  });
  on('scheduler.recreated', (e) => schedulersRecreated.inc({ scheduler: label('scheduler', e.scheduler) }));

  return {
    registry,
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    close() {
      for (const off of unsubscribe.splice(0)) off();
    },
  };
}

/**
 * The probe over the service's Redis: held lists (`sources:<source>:held`, as the circuit breaker
 * stores them), the quarantine set and the dead-letter list. Give it the fail-fast client
 * connection, so a scrape during a Redis outage answers "unknown" instead of waiting.
 */
export function redisStateProbe(
  redis: RedisClient,
  keys: Keys,
  snapshotSources: readonly string[] = ['ecfr', 'csl'],
): StateProbe {
  const documents = new DocumentStore(redis, keys);
  const sources = new SourceStore(redis, keys);
  const deadLetters = new DeadLetterStore(redis, keys);
  return {
    heldDiffs: async () => {
      const removals = await sources.heldRemovals(snapshotSources);
      return Object.fromEntries(
        snapshotSources.map((s) => [s, removals[s] === undefined ? undefined : { removals: removals[s] }]),
      );
    },
    quarantinedDocuments: async () => (await documents.quarantined()).length,
    deadLetters: () => deadLetters.count(),
  };
}

/**
 * Label values as given while a label has fewer than `cap` distinct ones, then "other": the
 * guard that keeps a bug upstream (a free-text code, say) from creating series without end.
 */
function boundedLabels(cap: number): (label: string, value: string) => string {
  const seen = new Map<string, Set<string>>();
  return (label, value) => {
    let values = seen.get(label);
    if (!values) seen.set(label, (values = new Set()));
    if (values.has(value)) return value;
    if (values.size >= cap) return 'other';
    values.add(value);
    return value;
  };
}

/** One run of `read` at a time: callers arriving while it runs share its promise. */
function shared(read: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () =>
    (running ??= read().finally(() => {
      running = undefined;
    }));
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  // A read abandoned by the timeout still settles later; its rejection must not go unhandled.
  promise.catch(() => {});
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
