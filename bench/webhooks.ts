import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { Agent, request } from 'undici';
import { createWebhookSender } from '../src/delivery/sender.js';
import { generateSecret, verify } from '../src/delivery/signing.js';
import { percentile, type Benchmark, type BenchRow } from './harness.js';

/**
 * Webhook sender throughput: `send` fanning events out to local receivers, side by side with a bare
 * undici `request` POST loop to the same receivers at the same concurrency (the limit: no signing,
 * no SSRF guard, no outcome classification). The receivers run in a worker thread so they do not
 * share the sender's event loop. The queue-based fan-out is measured separately by the pipeline.
 */

export interface WebhooksBenchOptions {
  /** Subscriptions, one receiver server (origin) each. */
  subscriptions?: number;
  /** Events; each goes to every subscription. */
  events?: number;
  /** Deliveries in flight at once, for both loops. */
  concurrency?: number;
  /** Alternating rounds per side, so drift (GC, CPU boost) hits both alike. */
  rounds?: number;
}

interface Delivery {
  url: string;
  secret: string;
  eventId: string;
  body: string;
}

interface Sample {
  headers: Record<string, string>;
  body: string;
  at: number;
}

// CommonJS, evaluated in a worker thread: one node:http server per subscription, answering 204
// after reading the body, and keeping the first signed request of each for a signature check.
const RECEIVERS = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const counts = new Array(workerData.count).fill(0);
const samples = new Array(workerData.count).fill(null);
const servers = [];
let listening = 0;
for (let i = 0; i < workerData.count; i++) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      counts[i]++;
      if (samples[i] === null && req.headers['webhook-signature']) {
        samples[i] = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      }
      res.writeHead(204);
      res.end();
    });
  });
  server.keepAliveTimeout = 60000;
  servers.push(server);
  server.listen(0, '127.0.0.1', () => {
    if (++listening === workerData.count) parentPort.postMessage({ ports: servers.map((s) => s.address().port) });
  });
}
parentPort.on('message', (msg) => {
  if (msg === 'stats') parentPort.postMessage({ counts, samples });
  if (msg === 'close') {
    for (const s of servers) { s.closeAllConnections(); s.close(); }
    parentPort.close();
  }
});
`;

export async function startReceivers(count: number): Promise<{ ports: number[]; worker: Worker }> {
  const worker = new Worker(RECEIVERS, { eval: true, workerData: { count } });
  const ports = await new Promise<number[]>((resolve, reject) => {
    worker.once('message', (m: { ports: number[] }) => resolve(m.ports));
    worker.once('error', reject);
  });
  return { ports, worker };
}

export function stats(worker: Worker): Promise<{ counts: number[]; samples: Array<Sample | null> }> {
  return new Promise((resolve) => {
    worker.once('message', resolve);
    worker.postMessage('stats');
  });
}

/**
 * Runs `fn` over `items` with at most `limit` in flight; returns per-item latency (ms), wall time and
 * the main event loop's busy time (ms), which the receivers' thread does not count in.
 */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  const latencies = new Array<number>(items.length);
  let next = 0;
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const start = performance.now();
      await fn(items[i]!);
      latencies[i] = performance.now() - start;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  const wallMs = performance.now() - t0;
  return { latencies, wallMs, busyMs: performance.eventLoopUtilization(elu0).active };
}

export function eventBody(i: number): string {
  // About the size of a real entry.added event.
  return JSON.stringify({
    specversion: '1.0',
    id: `evt_${i.toString(16).padStart(8, '0')}`,
    source: 'https://www.federalregister.gov/documents/2019-22210',
    type: 'gov.bis.entitylist.entry.added',
    subject: `CHINA, PEOPLE'S REPUBLIC OF|dahua technology ${i}`,
    time: '2019-10-09T00:00:00Z',
    datacontenttype: 'application/json',
    data: {
      entry: {
        country: "CHINA, PEOPLE'S REPUBLIC OF",
        name: `Dahua Technology ${i}`,
        aliases: ['Zhejiang Dahua Technology Co., Ltd.'],
        addresses: ['No. 1199 Bin’an Road, Binjiang District, Hangzhou, Zhejiang, China'],
        licenseRequirement: 'For all items subject to the EAR. (See § 744.11 of the EAR)',
        licenseReviewPolicy: 'Presumption of denial.',
        federalRegisterCitations: ['84 FR 54002, 10/9/19'],
      },
      documentNumber: '2019-22210',
      citation: '84 FR 54002',
      publicationDate: '2019-10-09',
      effectiveDate: '2019-10-09',
    },
  });
}

export function createWebhooksBenchmark(options: WebhooksBenchOptions = {}): Benchmark {
  const subscriptions = options.subscriptions ?? 100;
  const events = options.events ?? 2_000;
  const concurrency = options.concurrency ?? 64;
  const rounds = options.rounds ?? 4;

  return {
    name: 'webhooks',
    async run(): Promise<BenchRow[]> {
      const { ports, worker } = await startReceivers(subscriptions);
      const subs = ports.map((port, i) => ({
        url: `http://127.0.0.1:${port}/hooks/${i}`,
        secret: generateSecret(),
      }));
      const deliveries: Delivery[] = [];
      for (let e = 0; e < events; e++) {
        const body = eventBody(e);
        const eventId = `evt_${e.toString(16).padStart(8, '0')}`;
        for (const s of subs) deliveries.push({ url: s.url, secret: s.secret, eventId, body });
      }

      const bare = new Agent();
      const sender = createWebhookSender({ allowedNetworks: '127.0.0.0/8' });
      let failures = 0;
      const bareOne = async (d: Delivery): Promise<void> => {
        const res = await request(d.url, {
          dispatcher: bare,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: d.body,
        });
        await res.body.dump();
        if (res.statusCode !== 204) failures++;
      };
      const senderOne = async (d: Delivery): Promise<void> => {
        const outcome = await sender.send({
          url: d.url,
          eventId: d.eventId,
          body: d.body,
          secret: d.secret,
          now: Date.now(),
        });
        if (outcome.kind !== 'delivered') failures++;
      };

      try {
        // Warm both: connections, JIT.
        const warm = deliveries.slice(0, Math.min(deliveries.length, subscriptions * 20));
        await pool(warm, concurrency, bareOne);
        await pool(warm, concurrency, senderOne);

        const side = {
          bare: { lat: [] as number[], ms: 0, busy: 0 },
          sender: { lat: [] as number[], ms: 0, busy: 0 },
        };
        const per = Math.ceil(deliveries.length / rounds);
        for (let r = 0; r < rounds; r++) {
          const slice = deliveries.slice(r * per, (r + 1) * per);
          const order = r % 2 === 0 ? (['bare', 'sender'] as const) : (['sender', 'bare'] as const);
          for (const which of order) {
            const { latencies, wallMs, busyMs } = await pool(
              slice,
              concurrency,
              which === 'bare' ? bareOne : senderOne,
            );
            for (const l of latencies) side[which].lat.push(l);
            side[which].ms += wallMs;
            side[which].busy += busyMs;
          }
        }

        const { counts, samples } = await stats(worker);
        const received = counts.reduce((a, b) => a + b, 0);
        const expected = 2 * (deliveries.length + warm.length);
        const checked = samples.filter((s): s is Sample => s !== null);
        const valid = checked.filter(
          (s, i) => verify({ headers: s.headers, body: s.body, secrets: [subs[i]!.secret], now: s.at }).ok,
        ).length;

        const rate = (s: { lat: number[]; ms: number }): number => s.lat.length / (s.ms / 1000);
        const cpuUs = (s: { lat: number[]; busy: number }): number => (s.busy * 1000) / s.lat.length;
        const bareRate = rate(side.bare);
        const senderRate = rate(side.sender);
        const setup = `${subscriptions} subscriptions × ${events} events = ${deliveries.length} deliveries/side, concurrency ${concurrency}, ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? '?'})`;
        const check = `receivers got ${received}/${expected} requests, ${failures} failed; ${valid}/${checked.length} sampled signatures valid`;
        return [
          {
            group: 'webhooks',
            name: 'bare undici POST loop (limit)',
            value: bareRate,
            unit: 'deliveries/s',
            note: setup,
          },
          {
            group: 'webhooks',
            name: 'sender.send fan-out',
            value: senderRate,
            unit: 'deliveries/s',
            ratio: senderRate / bareRate,
            goal: 'ratio ≥ 0.5, ≥ 2,000/s',
            note: check,
          },
          {
            group: 'webhooks',
            name: 'bare main-thread time',
            value: cpuUs(side.bare),
            unit: 'µs/delivery',
            note: 'event-loop busy time; steadier than rates on a shared machine',
          },
          {
            group: 'webhooks',
            name: 'sender main-thread time',
            value: cpuUs(side.sender),
            unit: 'µs/delivery',
            ratio: cpuUs(side.sender) / cpuUs(side.bare),
          },
          { group: 'webhooks', name: 'bare p50 latency', value: percentile(side.bare.lat, 50), unit: 'ms' },
          {
            group: 'webhooks',
            name: 'sender p50 latency',
            value: percentile(side.sender.lat, 50),
            unit: 'ms',
            ratio: percentile(side.sender.lat, 50) / percentile(side.bare.lat, 50),
          },
          { group: 'webhooks', name: 'bare p99 latency', value: percentile(side.bare.lat, 99), unit: 'ms' },
          {
            group: 'webhooks',
            name: 'sender p99 latency',
            value: percentile(side.sender.lat, 99),
            unit: 'ms',
            ratio: percentile(side.sender.lat, 99) / percentile(side.bare.lat, 99),
          },
        ];
      } finally {
        await Promise.allSettled([sender.close(), bare.close()]);
        worker.postMessage('close');
        await worker.terminate();
      }
    },
  };
}

export const benchmark: Benchmark = createWebhooksBenchmark();
