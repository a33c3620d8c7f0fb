import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, Worker as BullWorker } from 'bullmq';
import type { Worker } from 'node:worker_threads';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config.js';
import { signatureHeader } from '../src/delivery/signing.js';
import type { CloudEvent } from '../src/events/cloudevent.js';
import { createLogger } from '../src/observe/logger.js';
import { PipelineObserver } from '../src/observe/pipeline-events.js';
import { createReplayServer } from '../src/replay/server.js';
import { startService } from '../src/service.js';
import { createKeys } from '../src/store/keys.js';
import { startLocalRedis } from '../src/store/local-redis.js';
import { createRedis } from '../src/store/redis.js';
import { StateStore } from '../src/store/state.js';
import { SubscriptionStore } from '../src/store/subscriptions.js';
import { percentile, type Benchmark, type BenchRow } from './harness.js';
import { eventBody, pool, startReceivers, stats } from './webhooks.js';

/**
 * The pipeline under load, against its limits, measured in one run:
 *  1. fan-out through the queues (fan-out job → one BullMQ delivery job per event × subscription →
 *     signed POST) to 100 subscriptions, side by side with a bare undici POST loop to the same
 *     receivers at the same concurrency (the limit). Goal: ≥ 0.5 of the bare loop, ≥ 2,000/s.
 *  2. source → webhook latency on the replay server: from the moment a document becomes visible
 *     to the moment its events reach a receiver, for each document of the dev timeline. Goal:
 *     p50 ≤ poll interval + 1 s, p99 ≤ poll interval + 3 s.
 * Each uses a private redis-server (AOF on, as in production).
 */
const SUBSCRIPTIONS = 100;
const EVENTS = Number(process.env.BENCH_FANOUT_EVENTS ?? 40);
const CONCURRENCY = 64;
const POLL_INTERVAL_MS = 1000;
const CORPUS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'corpus', 'dev');

async function privateRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'fedreg-bench-redis-'));
  const redis = await startLocalRedis({ dir, appendOnly: process.env.BENCH_AOF !== '0' });
  return {
    url: redis.url,
    stop: async () => (await redis.stop(), rmSync(dir, { recursive: true, force: true })),
  };
}

function env(redisUrl: string, extra: Record<string, string> = {}) {
  return loadConfig({
    REDIS_URL: redisUrl,
    REDIS_PREFIX: '{bench}',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    ADMIN_TOKEN: 'bench-admin-token-000',
    WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
    DELIVERY_CONCURRENCY: process.env.BENCH_DELIVERY_CONCURRENCY ?? String(CONCURRENCY),
    PUBLIC_INSPECTION_ENABLED: 'false',
    ECFR_ENABLED: 'false',
    CSL_ENABLED: 'false',
    START_LOCAL_REDIS: 'false',
    LOG_LEVEL: 'silent',
    ...extra,
  });
}

async function fanOutBench(): Promise<BenchRow[]> {
  const redis = await privateRedis();
  const { ports, worker } = await startReceivers(SUBSCRIPTIONS);
  const urls = ports.map((p) => `http://127.0.0.1:${p}/hook`);
  try {
    // Subscriptions and a log of events, as the apply stage would have left them.
    const client = createRedis(redis.url, 'client');
    const keys = createKeys('{bench}');
    const subs = new SubscriptionStore(client, keys);
    const secrets: string[] = [];
    for (const url of urls) secrets.push((await subs.create({ url }, '0-0', Date.now())).secret);
    const events = Array.from({ length: EVENTS }, (_, i) => JSON.parse(eventBody(i)) as CloudEvent).map(
      (e, i) => ({ ...e, id: `${i.toString(16).padStart(32, '0')}` }),
    );
    const state = new StateStore(client, keys);
    const total = EVENTS * SUBSCRIPTIONS;
    const received = async (): Promise<number> => (await stats(worker)).counts.reduce((a, b) => a + b, 0);

    // 1. Through the queues: one process running fan-out and delivery. A first event warms it up
    // (connections to every receiver, JIT) before the measured batch is logged and fanned out.
    const observer = new PipelineObserver();
    const durations: number[] = [];
    const warmup = { ...(JSON.parse(eventBody(EVENTS)) as CloudEvent), id: 'f'.repeat(32) };
    await state.appendEvents([warmup], { retentionMs: 365 * 86_400_000, now: Date.now() });
    const service = await startService({
      config: env(redis.url, { FEDREG_ROLES: 'fanout,deliver' }),
      observer,
      logger: createLogger('silent'),
    });
    while ((await received()) < SUBSCRIPTIONS) await new Promise((r) => setTimeout(r, 20));
    observer.on('delivery.attempted', (a) => durations.push(a.durationMs));
    await state.appendEvents(events, { retentionMs: 365 * 86_400_000, now: Date.now() });
    const t0 = performance.now();
    await service.ctx.queues.fanout.add('fanout', { v: 1 });
    const lastCursor = await service.ctx.events.lastCursor();
    let fannedOutMs: number | undefined;
    for (;;) {
      if (
        fannedOutMs === undefined &&
        (await service.ctx.redis.get(service.ctx.keys.fanoutCursor)) === lastCursor
      ) {
        fannedOutMs = performance.now() - t0;
      }
      if ((await received()) >= total + SUBSCRIPTIONS) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const queueMs = performance.now() - t0;
    await service.close();
    client.disconnect();

    // 1b. Where the cost is: BullMQ jobs whose processor is a bare signed POST (no pipeline code).
    const bullOnlyMs = await bullmqOnly(redis.url, deliveriesOf(events, urls, secrets), worker);

    // 2. The limit: a bare undici POST loop to the same receivers, same concurrency, same bodies.
    const agent = new Agent({ connections: 32, pipelining: 1 });
    await pool(deliveriesOf([warmup], urls, secrets), CONCURRENCY, (d) => post(agent, d));
    const bare = await pool(deliveriesOf(events, urls, secrets), CONCURRENCY, (d) => post(agent, d));
    await agent.close();

    const queueRate = total / (queueMs / 1000);
    const bareRate = total / (bare.wallMs / 1000);
    const bullRate = total / (bullOnlyMs / 1000);
    return [
      {
        group: 'webhooks (queue)',
        name: 'BullMQ jobs whose processor is a bare signed POST (the queue alone, no pipeline code)',
        value: bullRate,
        unit: 'deliveries/s',
        ratio: bullRate / bareRate,
      },
      {
        group: 'webhooks (queue)',
        name: `bare undici POST loop, ${total} deliveries, concurrency ${CONCURRENCY}`,
        value: bareRate,
        unit: 'deliveries/s',
        note: `p50 ${percentile(bare.latencies, 50).toFixed(1)} ms, p99 ${percentile(bare.latencies, 99).toFixed(1)} ms`,
      },
      {
        group: 'webhooks (queue)',
        name: `fan-out job → BullMQ delivery jobs → signed POST, ${SUBSCRIPTIONS} subscriptions × ${EVENTS} events`,
        value: queueRate,
        unit: 'deliveries/s',
        ratio: queueRate / bareRate,
        goal: 'ratio ≥ 0.5, ≥ 2,000/s',
        note: `p50 ${percentile(durations, 50).toFixed(1)} ms, p99 ${percentile(durations, 99).toFixed(1)} ms per request; fan-out job done after ${Math.round(fannedOutMs ?? queueMs)} ms`,
      },
    ];
  } finally {
    worker.postMessage('close');
    await redis.stop();
  }
}

interface Delivery {
  url: string;
  secret: string;
  id: string;
  body: string;
}

function deliveriesOf(events: CloudEvent[], urls: string[], secrets: string[]): Delivery[] {
  return events.flatMap((e) =>
    urls.map((url, i) => ({ url, secret: secrets[i]!, id: e.id, body: JSON.stringify(e) })),
  );
}

async function post(agent: Agent, d: Delivery): Promise<void> {
  const ts = Math.floor(Date.now() / 1000);
  const res = await request(d.url, {
    method: 'POST',
    dispatcher: agent,
    headers: {
      'content-type': 'application/json',
      'webhook-id': d.id,
      'webhook-timestamp': String(ts),
      'webhook-signature': signatureHeader({ id: d.id, timestamp: ts, body: d.body, secrets: [d.secret] }),
    },
    body: d.body,
  });
  await res.body.dump();
}

/** Wall time (ms) for BullMQ to run one job per delivery whose processor is just the signed POST. */
async function bullmqOnly(redisUrl: string, deliveries: Delivery[], receivers: Worker): Promise<number> {
  const connection = createRedis(redisUrl, 'worker');
  const queue = new Queue<Delivery>('bare', { connection, prefix: '{bench-bare}' });
  const agent = new Agent({ connections: 32, pipelining: 1 });
  const before = (await stats(receivers)).counts.reduce((a, b) => a + b, 0);
  await queue.addBulk(
    deliveries.map((d, i) => ({
      name: 'post',
      data: d,
      opts: { jobId: `b${i}`, removeOnComplete: { age: 3600, count: 200_000 } },
    })),
  );
  const t0 = performance.now();
  const worker = new BullWorker<Delivery>('bare', async (job) => post(agent, job.data), {
    connection,
    prefix: '{bench-bare}',
    concurrency: CONCURRENCY,
  });
  for (;;) {
    const { counts } = await stats(receivers);
    if (counts.reduce((a, b) => a + b, 0) - before >= deliveries.length) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const ms = performance.now() - t0;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await agent.close();
  connection.disconnect();
  return ms;
}

async function latencyBench(): Promise<BenchRow[]> {
  const redis = await privateRedis();
  const replay = await createReplayServer({
    corpusDir: CORPUS,
    now: '1990-01-01T00:00:00Z',
    host: '127.0.0.1',
  });
  const baseline = replay.corpus.baseline!;
  replay.setNow(Date.parse(`${baseline.asOf}T23:59:59Z`));
  const arrivals = new Map<string, number>();
  const { createServer } = await import('node:http');
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const e = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CloudEvent;
      const n = (e.data as { documentNumber?: string }).documentNumber;
      if (e.type === 'gov.bis.entitylist.rule.published' && n && !arrivals.has(n))
        arrivals.set(n, Date.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as { port: number }).port;
  try {
    const client = createRedis(redis.url, 'client');
    await new StateStore(client, createKeys('{bench}')).importBaseline(baseline, { now: Date.now() });
    await new SubscriptionStore(client, createKeys('{bench}')).create(
      { url: `http://127.0.0.1:${port}/hook` },
      '0-0',
      Date.now(),
    );
    client.disconnect();
    const service = await startService({
      config: env(redis.url, { FR_API_BASE_URL: replay.apiBase, POLL_INTERVAL_MS: String(POLL_INTERVAL_MS) }),
      logger: createLogger('silent'),
    });
    const latencies: number[] = [];
    const documents = replay.corpus.documents.filter((d) =>
      (d.record.agencies ?? []).some((a) => a.slug === 'industry-and-security-bureau'),
    );
    for (const doc of documents) {
      // The document becomes visible now; its rule.published event is the last of its events.
      replay.setNow(Date.parse(`${doc.publicationDate}T00:00:01Z`));
      const visibleAt = Date.now();
      while (!arrivals.has(doc.number)) await new Promise((r) => setTimeout(r, 10));
      latencies.push(arrivals.get(doc.number)! - visibleAt);
    }
    await service.close();
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    return [
      {
        group: 'latency',
        name: `source → webhook, ${latencies.length} documents, poll every ${POLL_INTERVAL_MS} ms (p50)`,
        value: p50 / 1000,
        unit: 's',
        ratio: p50 / (POLL_INTERVAL_MS + 1000),
        goal: `≤ ${(POLL_INTERVAL_MS + 1000) / 1000} s (ratio ≤ 1)`,
      },
      {
        group: 'latency',
        name: 'source → webhook (p99)',
        value: p99 / 1000,
        unit: 's',
        ratio: p99 / (POLL_INTERVAL_MS + 3000),
        goal: `≤ ${(POLL_INTERVAL_MS + 3000) / 1000} s (ratio ≤ 1)`,
        note: `max ${(Math.max(...latencies) / 1000).toFixed(2)} s`,
      },
    ];
  } finally {
    receiver.close();
    await replay.close();
    await redis.stop();
  }
}

export const benchmark: Benchmark = {
  name: 'pipeline',
  async run(): Promise<BenchRow[]> {
    return [...(await fanOutBench()), ...(await latencyBench())];
  },
};
