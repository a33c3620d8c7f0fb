import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CloudEvent } from '../../src/events/cloudevent.js';
import { createLogger } from '../../src/observe/logger.js';
import { PipelineObserver } from '../../src/observe/pipeline-events.js';
import { closeQueues, createQueues, type Queues } from '../../src/queues/index.js';
import { createReplayServer, type ReplayServer } from '../../src/replay/server.js';
import { startService, type Service } from '../../src/service.js';
import { createRedis } from '../../src/store/redis.js';
import { parseExposition, samples, value, type Sample } from '../observe/exposition.js';
import { checkMetrics, ensurePromtool } from '../observe/promtool.js';
import { corpusDocuments, DEV_CORPUS, readSnapshot } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import {
  ADMIN_TOKEN,
  dropPrefix,
  importBaseline,
  testConfig,
  uniquePrefix,
  waitFor,
} from '../support/service.js';

/**
 * Service tier: the dev timeline replayed through the running service, then GET /metrics. Every
 * figure is checked against what the service itself says happened (the event log, the documents'
 * status) and what the receivers on 127.0.0.1 saw, and the exposition passes promtool.
 */
const redisUrl = inject('redisUrl');

let promtool: string;
let replay: ReplayServer;
let service: Service;
let metricsRedis: Redis;
let metricsQueues: Queues;
let prefix: string;
let ok: Receiver;
let flaky: Receiver;
const subscriptionOf = new Map<Receiver, string>();
let startedAt: number;

let s: Sample[];
let exposition: string;
let feed: CloudEvent[];

beforeAll(async () => {
  promtool = ensurePromtool();
  startedAt = Date.now();
  prefix = uniquePrefix('fw-test');
  const baseline = readSnapshot(join(DEV_CORPUS, 'baseline.json'));
  replay = await createReplayServer({
    corpusDir: DEV_CORPUS,
    now: `${baseline.asOf}T23:59:59Z`,
    host: '127.0.0.1',
  });
  await importBaseline(redisUrl, prefix);
  const config = testConfig(redisUrl, prefix, replay.apiBase);

  // The service's own metrics and ops routes, as `start` serves them. Queue figures come from
  // Redis, so queue objects of the test's own see the service's jobs too.
  const observer = new PipelineObserver();
  metricsRedis = createRedis(redisUrl, 'worker');
  metricsQueues = createQueues(metricsRedis, prefix);
  service = await startService({ config, observer, logger: createLogger(config.logLevel) });

  ok = await startReceiver();
  const attempts = new Map<string, number>();
  flaky = await startReceiver((r, res) => {
    const id = String(r.headers['webhook-id']);
    const n = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, n);
    res.writeHead(n <= 2 ? 503 : 200).end();
  });
  for (const receiver of [ok, flaky]) {
    const res = await request(`${service.url}/v1/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${receiver.url}/hook` }),
    });
    expect(res.statusCode).toBe(201);
    subscriptionOf.set(receiver, ((await res.body.json()) as { id: string }).id);
  }

  replay.setNow(Date.parse('2035-01-01T00:00:00Z'));
  const entryEvents = corpusDocuments().reduce((n, d) => n + d.expected.changes.length, 0);
  const delivered = (r: Receiver) => new Set(okIds(r)).size;
  await waitFor(
    'every entry event delivered to both receivers',
    () => (delivered(ok) >= entryEvents && delivered(flaky) >= entryEvents) || undefined,
    120_000,
  );
  await waitFor('no document pending, no delivery or fan-out left to run', async () => {
    const docs = await getJson<{ pending: string[] }>('/v1/documents');
    const counts = await Promise.all(
      [metricsQueues.deliver, metricsQueues.fanout, metricsQueues.apply, metricsQueues.document].map((q) =>
        q.getJobCounts('waiting', 'delayed', 'active', 'prioritized'),
      ),
    );
    const busy = counts.some((c) => Object.values(c).some((n) => n > 0));
    return docs.pending.length === 0 && !busy ? true : undefined;
  });

  const res = await request(`${service.url}/metrics`);
  expect(res.statusCode).toBe(200);
  exposition = await res.body.text();
  s = parseExposition(exposition);
  feed = (await getJson<{ events: CloudEvent[] }>('/v1/events?limit=100000')).events;
}, 300_000);

afterAll(async () => {
  await service?.close();
  if (metricsQueues) await closeQueues(metricsQueues);
  await metricsRedis?.quit();
  await replay?.close();
  await Promise.all([ok, flaky].map((r) => r?.close()));
  if (prefix) await dropPrefix(redisUrl, prefix);
});

async function getJson<T>(path: string): Promise<T> {
  const res = await request(`${service.url}${path}`);
  expect(res.statusCode, path).toBe(200);
  return (await res.body.json()) as T;
}

/** Event ids of the requests a receiver answered with a 2xx (the ok receiver answers all so). */
function okIds(r: Receiver): string[] {
  return answered(r, 'ok').map((x) => String(x.headers['webhook-id']));
}

/** The flaky receiver answers the first two requests for an id with 503, the third with 200. */
function answered(r: Receiver, how: 'ok' | 'retry'): Receiver['received'] {
  if (r === ok) return how === 'ok' ? r.received : [];
  const seen = new Map<string, number>();
  return r.received.filter((x) => {
    const id = String(x.headers['webhook-id']);
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    return how === 'ok' ? n > 2 : n <= 2;
  });
}

const sum = (xs: Sample[]): number => xs.reduce((n, x) => n + x.value, 0);
const countBy = <T>(xs: T[], key: (x: T) => string): Map<string, number> => {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
};

describe('/metrics after the dev timeline', () => {
  it('passes promtool check metrics', () => {
    const check = checkMetrics(promtool, exposition);
    expect(check.output, `promtool check metrics:\n${check.output}`).toBe('');
    expect(check.ok).toBe(true);
  });

  it('counts the events in the log, type by type', () => {
    expect(feed.length).toBeGreaterThan(100);
    const inLog = countBy(feed, (e) => e.type);
    const counted = new Map(samples(s, 'fedreg_events_appended_total').map((x) => [x.labels.type!, x.value]));
    expect(counted).toEqual(inLog);
  });

  it('counts the anomalies in the log, code by code (the dev timeline has none)', () => {
    const anomalies = feed.filter((e) => e.type === 'gov.bis.entitylist.anomaly');
    const inLog = countBy(anomalies, (e) => (e.data as { code: string }).code);
    const counted = new Map(samples(s, 'fedreg_anomalies_total').map((x) => [x.labels.code!, x.value]));
    expect(counted).toEqual(inLog);
  });

  it('counts documents discovered, applied and quarantined as their records say', async () => {
    const docs = await getJson<{ count: number; quarantined: string[] }>('/v1/documents');
    expect(sum(samples(s, 'fedreg_documents_discovered_total'))).toBe(docs.count);
    // Not every document of the corpus answers the Entity List search; those never seen answer 404.
    const statuses = await Promise.all(
      corpusDocuments().map(async (d) => {
        const res = await request(`${service.url}/v1/documents/${d.number}`);
        return res.statusCode === 404
          ? (await res.body.dump(), 'unseen')
          : ((await res.body.json()) as { status: string }).status;
      }),
    );
    expect(statuses.length - statuses.filter((x) => x === 'unseen').length).toBe(docs.count);
    const applied = statuses.filter((x) => x === 'applied').length;
    expect(applied).toBeGreaterThan(0);
    expect(value(s, 'fedreg_documents_applied_total')).toBe(applied);
    expect(sum(samples(s, 'fedreg_documents_quarantined_total'))).toBe(docs.quarantined.length);
    expect(value(s, 'fedreg_documents_quarantined')).toBe(docs.quarantined.length);
    expect(sum(samples(s, 'fedreg_documents_extracted_total'))).toBe(docs.count);
  });

  it('counts deliveries per subscription and outcome as the receivers saw them', () => {
    for (const r of [ok, flaky]) {
      const subscription = subscriptionOf.get(r)!;
      const delivered = answered(r, 'ok').length;
      const retried = answered(r, 'retry').length;
      expect(delivered).toBeGreaterThan(0);
      expect(value(s, 'fedreg_deliveries_total', { subscription, outcome: 'delivered' })).toBe(delivered);
      expect(value(s, 'fedreg_deliveries_total', { subscription, outcome: 'retry' }) ?? 0).toBe(retried);
      expect(value(s, 'fedreg_delivery_duration_seconds_count', { subscription })).toBe(r.received.length);
    }
    expect(answered(flaky, 'retry').length).toBe(2 * answered(flaky, 'ok').length);
    // Every event got through in the end: nothing dead-lettered, nothing in the list.
    expect(samples(s, 'fedreg_deliveries_dead_lettered_total')).toEqual([]);
    expect(value(s, 'fedreg_dead_letters')).toBe(0);
  });

  it('measures source → webhook latency for first attempts that got through', () => {
    // The flaky receiver never takes a first attempt; the other takes every one.
    const measured = value(s, 'fedreg_source_to_webhook_seconds_count')!;
    expect(measured).toBeGreaterThan(0);
    expect(measured).toBeLessThanOrEqual(answered(ok, 'ok').length);
    expect(value(s, 'fedreg_source_to_webhook_seconds_bucket', { le: '+Inf' })).toBe(measured);
  });

  it('reports when the published documents were last polled', () => {
    const last = value(s, 'fedreg_last_successful_poll_timestamp_seconds', { source: 'published' })!;
    expect(last * 1000).toBeGreaterThanOrEqual(startedAt);
    expect(last * 1000).toBeLessThanOrEqual(Date.now());
    expect(value(s, 'fedreg_polls_total', { source: 'published' })).toBeGreaterThan(0);
  });

  it('reads every queue from Redis, drained once the run is over', () => {
    expect(value(s, 'fedreg_queue_metrics_up')).toBe(1);
    expect(value(s, 'fedreg_state_metrics_up')).toBe(1);
    expect(value(s, 'fedreg_held_diffs', { source: 'ecfr' })).toBe(0);
    for (const queue of ['document', 'apply', 'fanout', 'deliver']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed']) {
        expect(value(s, 'fedreg_queue_jobs', { queue, state }), `${queue} ${state}`).toBe(0);
      }
    }
    expect(value(s, 'fedreg_queue_jobs', { queue: 'deliver', state: 'completed' })).toBe(
      answered(ok, 'ok').length + answered(flaky, 'ok').length,
    );
  });
});
