import { createServer } from 'node:net';
import { UnrecoverableError, Worker } from 'bullmq';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerOpsRoutes } from '../../src/http/ops.js';
import { createMetrics, QUEUE_JOB_STATES, redisStateProbe, type Metrics } from '../../src/observe/metrics.js';
import { PipelineObserver } from '../../src/observe/pipeline-events.js';
import { closeQueues, createQueues, QUEUE_NAMES, type Queues } from '../../src/queues/index.js';
import { DeadLetterStore } from '../../src/store/dead-letters.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedis } from '../../src/store/redis.js';
import { dropPrefix, uniquePrefix, waitFor } from '../support/service.js';
import { parseExposition, samples, value, type Sample } from './exposition.js';
import { checkMetrics, ensurePromtool } from './promtool.js';

/**
 * Redis tier: a PipelineObserver driven through a scripted run and real BullMQ queues in a real
 * Redis (a prefix of their own), read back through GET /metrics from a real fastify server on
 * 127.0.0.1, and checked by `promtool check metrics`.
 */
const redisUrl = inject('redisUrl');

let promtool: string;
let redis: Redis;
let prefix: string;
let queues: Queues;
let observer: PipelineObserver;
let metrics: Metrics;
let app: FastifyInstance;
let base: string;

const T0 = Date.parse('2019-10-09T12:00:00Z');
const SUB_A = 'sub_a1b2c3';
const SUB_B = 'sub_d4e5f6';

beforeAll(async () => {
  promtool = ensurePromtool();
  redis = createRedis(redisUrl, 'worker');
  prefix = uniquePrefix('fw-test');
  queues = createQueues(redis, prefix);
  observer = new PipelineObserver();
  metrics = createMetrics({ observer, queues });
  app = Fastify();
  await registerOpsRoutes(app, { metrics, queues, adminToken: 'an-admin-token-for-tests' });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  await fillQueues();
  playPipeline();
}, 300_000);

afterAll(async () => {
  metrics?.close();
  await app?.close();
  if (queues) await closeQueues(queues);
  if (prefix) await dropPrefix(redisUrl, prefix);
  await redis?.quit();
});

/** Jobs in known states: waiting, delayed, paused, one completed and one failed by a real worker. */
async function fillQueues(): Promise<void> {
  for (const n of ['2019-22210', '2019-22211', '2019-22849']) {
    await queues.document.add('document', { v: 1, documentNumber: n }, { jobId: `doc-${n}` });
  }
  await queues.deliver.add(
    'deliver',
    { v: 1, eventId: 'e1', subscriptionId: SUB_A, attempt: 1 },
    { delay: 3_600_000 },
  );
  await queues.fanout.pause();
  await queues.fanout.add('fanout', { v: 1 });
  await queues.fanout.add('fanout', { v: 1 });

  await queues.reconcile.add('reconcile', { v: 1, source: 'ecfr' });
  await queues.reconcile.add('reconcile', { v: 1, source: 'csl' });
  const worker = new Worker(
    'reconcile',
    async (job) => {
      if ((job.data as { source: string }).source === 'csl') throw new UnrecoverableError('CSL unreadable');
      return 0;
    },
    { connection: createRedis(redisUrl, 'worker'), prefix },
  );
  try {
    await waitFor('one reconcile job completed and one failed', async () => {
      const c = await queues.reconcile.getJobCounts('completed', 'failed');
      return c.completed === 1 && c.failed === 1 ? true : undefined;
    });
  } finally {
    await worker.close();
  }
}

/** What the pipeline reports for one published-documents poll and its deliveries. */
function playPipeline(): void {
  observer.emit('poll.succeeded', { source: 'published', at: T0, documents: 3 });
  observer.emit('poll.succeeded', { source: 'published', at: T0 + 300_000, documents: 0 });
  observer.emit('poll.failed', { source: 'ecfr', code: 'FR_HTTP_STATUS' });
  for (const n of ['2019-22210', '2019-22211', '2019-22849']) {
    observer.emit('document.discovered', { documentNumber: n, via: 'poll' });
    observer.emit('document.extracted', {
      documentNumber: n,
      changes: 10,
      warnings: n === '2019-22849' ? 2 : 0,
      durationMs: 40,
      isEntityListChange: true,
    });
  }
  observer.emit('document.discovered', { documentNumber: '2019-22300', via: 'public-inspection' });
  observer.emit('document.applied', {
    documentNumber: '2019-22210',
    publicationDate: '2019-10-09',
    appended: 4,
    discoveredAt: T0,
  });
  observer.emit('document.applied', {
    documentNumber: '2019-22211',
    publicationDate: '2019-10-09',
    appended: 1,
    discoveredAt: T0,
  });
  observer.emit('document.quarantined', { documentNumber: '2019-22849', code: 'XML_INVALID' });
  for (let i = 0; i < 3; i++) {
    observer.emit('event.appended', {
      type: 'gov.bis.entitylist.entry.added',
      id: `a${i}`,
      sourceSeenAt: T0,
    });
  }
  observer.emit('event.appended', { type: 'gov.bis.entitylist.rule.published', id: 'r1', sourceSeenAt: T0 });
  observer.emit('event.appended', { type: 'gov.bis.entitylist.anomaly', id: 'x1' });
  observer.emit('anomaly', { code: 'EL_UNKNOWN_ENTRY', source: '2019-22211' });

  observer.emit('delivery.attempted', {
    subscriptionId: SUB_A,
    eventType: 'gov.bis.entitylist.entry.added',
    outcome: 'delivered',
    durationMs: 120,
    status: 200,
    sourceToWebhookMs: 4_000,
  });
  observer.emit('delivery.attempted', {
    subscriptionId: SUB_A,
    eventType: 'gov.bis.entitylist.entry.added',
    outcome: 'delivered',
    durationMs: 80,
    status: 204,
    sourceToWebhookMs: 45_000,
  });
  observer.emit('delivery.attempted', {
    subscriptionId: SUB_B,
    eventType: 'gov.bis.entitylist.entry.added',
    outcome: 'retry',
    durationMs: 15_000,
  });
  observer.emit('delivery.attempted', {
    subscriptionId: SUB_B,
    eventType: 'gov.bis.entitylist.entry.added',
    outcome: 'gone',
    durationMs: 30,
    status: 410,
  });
  observer.emit('subscription.disabled', { subscriptionId: SUB_B, reason: 'the receiver answered 410 Gone' });
  observer.emit('delivery.dead-lettered', { subscriptionId: SUB_B, eventId: 'a0', reason: '410 Gone' });

  observer.emit('diff.held', { source: 'csl', removals: 400, listSize: 3000 });
  observer.emit('poll.succeeded', { source: 'csl', at: T0 + 1000, documents: 2600 });
  observer.emit('drift', { source: 'ecfr', differences: 3 });
}

async function scrape(): Promise<{ contentType: string; body: string; samples: Sample[] }> {
  const res = await request(`${base}/metrics`);
  expect(res.statusCode).toBe(200);
  const body = await res.body.text();
  return { contentType: String(res.headers['content-type']), body, samples: parseExposition(body) };
}

describe('GET /metrics', () => {
  it('is Prometheus text that promtool accepts', async () => {
    const { contentType, body } = await scrape();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const check = checkMetrics(promtool, body);
    expect(check.output, `promtool check metrics:\n${check.output}`).toBe('');
    expect(check.ok).toBe(true);
  });

  it('counts every queue by state, read from Redis', async () => {
    const { samples: s } = await scrape();
    expect(value(s, 'fedreg_queue_metrics_up')).toBe(1);
    // Every queue, every state, once: dashboards and alerts never meet a missing series.
    expect(samples(s, 'fedreg_queue_jobs')).toHaveLength(QUEUE_NAMES.length * QUEUE_JOB_STATES.length);
    const jobs = (queue: string, state: string): number | undefined =>
      value(s, 'fedreg_queue_jobs', { queue, state });
    expect(jobs('document', 'waiting')).toBe(3);
    expect(jobs('deliver', 'delayed')).toBe(1);
    expect(jobs('deliver', 'waiting')).toBe(0);
    expect(jobs('fanout', 'waiting')).toBe(2);
    expect(jobs('reconcile', 'completed')).toBe(1);
    expect(jobs('reconcile', 'failed')).toBe(1);
    expect(jobs('poll', 'active')).toBe(0);
    expect(value(s, 'fedreg_queue_paused', { queue: 'fanout' })).toBe(1);
    expect(value(s, 'fedreg_queue_paused', { queue: 'document' })).toBe(0);
  });

  it('follows the queues from one scrape to the next', async () => {
    await queues.document.add(
      'document',
      { v: 1, documentNumber: '2019-23000' },
      { jobId: 'doc-2019-23000' },
    );
    // The same job id again: absorbed by BullMQ, so not counted twice.
    await queues.document.add(
      'document',
      { v: 1, documentNumber: '2019-23000' },
      { jobId: 'doc-2019-23000' },
    );
    const { samples: s } = await scrape();
    expect(value(s, 'fedreg_queue_jobs', { queue: 'document', state: 'waiting' })).toBe(4);
  });

  it('counts polls, documents, events and anomalies as the pipeline reported them', async () => {
    const { samples: s } = await scrape();
    expect(value(s, 'fedreg_polls_total', { source: 'published' })).toBe(2);
    expect(value(s, 'fedreg_poll_failures_total', { source: 'ecfr', code: 'FR_HTTP_STATUS' })).toBe(1);
    expect(value(s, 'fedreg_last_successful_poll_timestamp_seconds', { source: 'published' })).toBe(
      (T0 + 300_000) / 1000,
    );
    expect(value(s, 'fedreg_last_successful_poll_timestamp_seconds', { source: 'ecfr' })).toBeUndefined();
    expect(value(s, 'fedreg_documents_discovered_total', { via: 'poll' })).toBe(3);
    expect(value(s, 'fedreg_documents_discovered_total', { via: 'public-inspection' })).toBe(1);
    expect(value(s, 'fedreg_documents_extracted_total', { entity_list_change: 'true' })).toBe(3);
    expect(value(s, 'fedreg_extraction_warnings_total')).toBe(2);
    expect(value(s, 'fedreg_document_extraction_duration_seconds_count')).toBe(3);
    expect(value(s, 'fedreg_document_extraction_duration_seconds_sum')).toBeCloseTo(0.12, 9);
    expect(value(s, 'fedreg_documents_applied_total')).toBe(2);
    expect(value(s, 'fedreg_documents_quarantined_total', { code: 'XML_INVALID' })).toBe(1);
    expect(value(s, 'fedreg_events_appended_total', { type: 'gov.bis.entitylist.entry.added' })).toBe(3);
    expect(value(s, 'fedreg_events_appended_total', { type: 'gov.bis.entitylist.rule.published' })).toBe(1);
    expect(value(s, 'fedreg_events_appended_total', { type: 'gov.bis.entitylist.anomaly' })).toBe(1);
    expect(value(s, 'fedreg_anomalies_total', { code: 'EL_UNKNOWN_ENTRY' })).toBe(1);
    // An anomaly's source (a document number) never becomes a label.
    expect(samples(s, 'fedreg_anomalies_total').every((x) => !('source' in x.labels))).toBe(true);
    expect(value(s, 'fedreg_drift_differences_total', { source: 'ecfr' })).toBe(3);
    expect(value(s, 'fedreg_drift_reports_total', { source: 'ecfr' })).toBe(1);
  });

  it('counts deliveries by subscription and outcome, with latency histograms', async () => {
    const { samples: s } = await scrape();
    expect(value(s, 'fedreg_deliveries_total', { subscription: SUB_A, outcome: 'delivered' })).toBe(2);
    expect(value(s, 'fedreg_deliveries_total', { subscription: SUB_B, outcome: 'retry' })).toBe(1);
    expect(value(s, 'fedreg_deliveries_total', { subscription: SUB_B, outcome: 'gone' })).toBe(1);
    expect(
      value(s, 'fedreg_deliveries_total', { subscription: SUB_B, outcome: 'delivered' }),
    ).toBeUndefined();
    expect(value(s, 'fedreg_delivery_duration_seconds_count', { subscription: SUB_A })).toBe(2);
    expect(value(s, 'fedreg_delivery_duration_seconds_sum', { subscription: SUB_A })).toBeCloseTo(0.2, 9);
    expect(value(s, 'fedreg_delivery_duration_seconds_bucket', { subscription: SUB_B, le: '10' })).toBe(1);
    expect(value(s, 'fedreg_delivery_duration_seconds_bucket', { subscription: SUB_B, le: '15' })).toBe(2);
    expect(value(s, 'fedreg_source_to_webhook_seconds_count')).toBe(2);
    expect(value(s, 'fedreg_source_to_webhook_seconds_bucket', { le: '5' })).toBe(1);
    expect(value(s, 'fedreg_source_to_webhook_seconds_bucket', { le: '60' })).toBe(2);
    expect(value(s, 'fedreg_deliveries_dead_lettered_total', { subscription: SUB_B })).toBe(1);
    expect(value(s, 'fedreg_subscriptions_disabled_total', { subscription: SUB_B })).toBe(1);
  });

  it('shows a held diff until a later poll of its source holds nothing', async () => {
    let s = (await scrape()).samples;
    // Held, and the poll that held it does not clear it.
    expect(value(s, 'fedreg_held_diffs', { source: 'csl' })).toBe(1);
    expect(value(s, 'fedreg_held_diff_removals', { source: 'csl' })).toBe(400);
    observer.emit('poll.succeeded', { source: 'csl', at: T0 + 86_400_000, documents: 3000 });
    s = (await scrape()).samples;
    expect(value(s, 'fedreg_held_diffs', { source: 'csl' })).toBe(0);
    expect(value(s, 'fedreg_held_diff_removals', { source: 'csl' })).toBe(0);
    observer.emit('diff.held', { source: 'csl', removals: 500, listSize: 3000 });
    observer.emit('poll.succeeded', { source: 'csl', at: T0 + 2 * 86_400_000, documents: 2500 });
    expect(value((await scrape()).samples, 'fedreg_held_diffs', { source: 'csl' })).toBe(1);
    observer.emit('diff.released', { source: 'csl' });
    expect(value((await scrape()).samples, 'fedreg_held_diffs', { source: 'csl' })).toBe(0);
    // Published polls never hold anything: no series for them.
    expect(value(s, 'fedreg_held_diffs', { source: 'published' })).toBeUndefined();
  });
});

describe('createMetrics', () => {
  it('reads held diffs, quarantined documents and dead letters from Redis at scrape time', async () => {
    const keys = createKeys(prefix);
    const own = new PipelineObserver();
    const m = createMetrics({ observer: own, queues: {}, probe: redisStateProbe(redis, keys) });
    try {
      let s = parseExposition((await m.render()).body);
      expect(value(s, 'fedreg_state_metrics_up')).toBe(1);
      expect(value(s, 'fedreg_held_diffs', { source: 'ecfr' })).toBe(0);
      expect(value(s, 'fedreg_documents_quarantined')).toBe(0);
      expect(value(s, 'fedreg_dead_letters')).toBe(0);

      // Held and quarantined by other processes, before this one started: only Redis knows.
      await redis.set(
        keys.sourceHeld('ecfr'),
        JSON.stringify({ removals: 7, heldAt: '2024-01-01T00:00:00Z' }),
      );
      await redis.sadd(keys.docsQuarantined, '2019-22849', '2020-10000');
      await new DeadLetterStore(redis, keys).add({
        eventId: 'a0',
        subscriptionId: 'sub_a',
        attempts: 1,
        reason: 'HTTP 500',
        at: '2024-01-01T00:00:00.000Z',
      });
      s = parseExposition((await m.render()).body);
      expect(value(s, 'fedreg_held_diffs', { source: 'ecfr' })).toBe(1);
      expect(value(s, 'fedreg_held_diff_removals', { source: 'ecfr' })).toBe(7);
      expect(value(s, 'fedreg_held_diffs', { source: 'csl' })).toBe(0);
      expect(value(s, 'fedreg_documents_quarantined')).toBe(2);
      expect(value(s, 'fedreg_dead_letters')).toBe(1);

      // Released by an operator through another process: this one heard nothing, Redis says so.
      own.emit('diff.held', { source: 'ecfr', removals: 7, listSize: 100 });
      await redis.del(keys.sourceHeld('ecfr'));
      s = parseExposition((await m.render()).body);
      expect(value(s, 'fedreg_held_diffs', { source: 'ecfr' })).toBe(0);
    } finally {
      m.close();
    }
  });

  it('reports unknown, not zero, when the state cannot be read', async () => {
    const m = createMetrics({
      observer: new PipelineObserver(),
      queues: {},
      probe: {
        quarantinedDocuments: () => Promise.reject(new Error('Connection is closed.')),
        deadLetters: async () => 3,
      },
    });
    try {
      const { body } = await m.render();
      const s = parseExposition(body);
      expect(value(s, 'fedreg_state_metrics_up')).toBe(0);
      expect(value(s, 'fedreg_documents_quarantined')).toBeNaN();
      expect(value(s, 'fedreg_dead_letters')).toBe(3);
      expect(checkMetrics(promtool, body).ok).toBe(true);
    } finally {
      m.close();
    }
  });

  it('caps the distinct values of a label, reporting the rest as "other"', async () => {
    const own = new PipelineObserver();
    const m = createMetrics({ observer: own, queues: {}, maxLabelValues: 2 });
    try {
      for (const code of ['A', 'B', 'C', 'D', 'A']) own.emit('anomaly', { code, source: 'x' });
      const s = parseExposition((await m.render()).body);
      expect(samples(s, 'fedreg_anomalies_total').map((x) => [x.labels.code, x.value])).toEqual([
        ['A', 2],
        ['B', 1],
        ['other', 2],
      ]);
    } finally {
      m.close();
    }
  });

  it('says the queues are unreadable, and shows no stale counts, when Redis does not answer', async () => {
    const port = await closedPort();
    const away = createRedis(`redis://127.0.0.1:${port}`, 'worker');
    const awayQueues = createQueues(away, uniquePrefix('fw-test'));
    // Refused connections are the point here, not news.
    for (const q of Object.values(awayQueues)) q.on('error', () => {});
    const m = createMetrics({ observer: new PipelineObserver(), queues: awayQueues, scrapeTimeoutMs: 300 });
    try {
      const { body } = await m.render();
      const s = parseExposition(body);
      expect(value(s, 'fedreg_queue_metrics_up')).toBe(0);
      expect(samples(s, 'fedreg_queue_jobs')).toEqual([]);
      expect(checkMetrics(promtool, body).ok).toBe(true);
    } finally {
      m.close();
      away.disconnect();
      await closeQueues(awayQueues);
    }
  });

  it('stops counting when closed', async () => {
    const own = new PipelineObserver();
    const m = createMetrics({ observer: own, queues: {} });
    own.emit('document.applied', {
      documentNumber: 'x',
      publicationDate: '2020-01-01',
      appended: 0,
      discoveredAt: 0,
    });
    m.close();
    own.emit('document.applied', {
      documentNumber: 'y',
      publicationDate: '2020-01-01',
      appended: 0,
      discoveredAt: 0,
    });
    expect(value(parseExposition((await m.render()).body), 'fedreg_documents_applied_total')).toBe(1);
  });
});

describe("BullMQ's own exportPrometheusMetrics", () => {
  it('is not appended: one queue after another repeats HELP and TYPE, which promtool rejects', async () => {
    // Why /metrics carries fedreg_queue_jobs instead; this also shows promtool failing on bad input.
    const joined = `${await queues.document.exportPrometheusMetrics()}\n${await queues.deliver.exportPrometheusMetrics()}\n`;
    const check = checkMetrics(promtool, joined);
    expect(check.ok).toBe(false);
    expect(check.output).toMatch(/bullmq_job_count/);
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
