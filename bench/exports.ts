/**
 * Exports of the list (issue 11): `GET /v1/exports/csl.csv` and `/v1/exports/ftm.jsonl` over real
 * HTTP from the service's own server on a private Redis, at today's size (about 3,500 entries) and
 * ten times that, grown from the dev corpus's final list as bench/apply-diff.ts grows it.
 *
 * - time to first byte: request sent → first body chunk received (the export is streamed, so this
 *   stays small while the total grows with the list);
 * - total: request sent → last byte (reading the list from Redis, building rows, writing them);
 * - the format's own cost in process: draining the export's chunks, against `JSON.stringify` of the
 *   same rows (the CSV rows as objects; the FollowTheMoney entities) — the ratio is the price of
 *   the CSV writer and of streaming over the cheapest serialisation there is.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { loadConfig } from '../src/config.js';
import type { Snapshot } from '../src/entity-list/types.js';
import { cslCsvRow } from '../src/exports/csl.js';
import { ftmEntities } from '../src/exports/ftm.js';
import { exportChunks } from '../src/exports/stream.js';
import { createHttpServer } from '../src/http/server.js';
import { buildContext, contextClosers } from '../src/service.js';
import { startLocalRedis } from '../src/store/local-redis.js';
import { grow } from './apply-diff.js';
import { timeIt, type Benchmark, type BenchRow } from './harness.js';

const GROUP = 'exports';
const SIZES = [3_500, 35_000];
const ITERATIONS = Number(process.env.BENCH_EXPORT_ITERATIONS ?? 7);
const FINAL = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'test',
  'fixtures',
  'corpus',
  'dev',
  'final.json',
);

const ROUTES = [
  { path: '/v1/exports/csl.csv', format: 'csl-csv' as const },
  { path: '/v1/exports/ftm.jsonl', format: 'ftm' as const },
];

async function fetchTimed(url: string): Promise<{ ttfb: number; total: number; bytes: number }> {
  const t0 = process.hrtime.bigint();
  const res = await request(url);
  let ttfb = -1;
  let bytes = 0;
  for await (const chunk of res.body) {
    if (ttfb < 0) ttfb = Number(process.hrtime.bigint() - t0) / 1e6;
    bytes += (chunk as Buffer).length;
  }
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
  return { ttfb, total: Number(process.hrtime.bigint() - t0) / 1e6, bytes };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function drain(chunks: AsyncGenerator<string>): Promise<number> {
  let n = 0;
  for await (const c of chunks) n += c.length;
  return n;
}

export const benchmark: Benchmark = {
  name: 'exports',
  async run(): Promise<BenchRow[]> {
    const dir = mkdtempSync(join(tmpdir(), 'fedreg-bench-exports-'));
    const redis = await startLocalRedis({ dir, appendOnly: false });
    const final = JSON.parse(readFileSync(FINAL, 'utf8')) as Snapshot;
    const rows: BenchRow[] = [];
    try {
      for (const size of SIZES) {
        const list = grow(final, size);
        const label = `${list.entries.length.toLocaleString('en-US')} entries`;
        const config = loadConfig({
          REDIS_URL: redis.url,
          REDIS_PREFIX: `{bench-exports-${size}}`,
          START_LOCAL_REDIS: 'false',
          LOG_LEVEL: 'silent',
        });
        const ctx = buildContext(config);
        await ctx.state.importBaseline(list, { now: Date.now(), force: true });
        try {
          for (const route of ROUTES) {
            // A server of its own per route, so that its first request reads the list from Redis.
            const app = await createHttpServer({ ctx, ready: async () => true });
            const base = await app.listen({ host: '127.0.0.1', port: 0 });
            // The first request after a change of the list reads it from Redis; later ones find it parsed.
            const cold = await fetchTimed(`${base}${route.path}`);
            const runs = [];
            for (let i = 0; i < ITERATIONS; i++) runs.push(await fetchTimed(`${base}${route.path}`));
            const ttfb = median(runs.map((r) => r.ttfb));
            const total = median(runs.map((r) => r.total));
            const inProcess = await timeIt(
              () => drain(exportChunks(route.format, list.entries)),
              ITERATIONS,
              1,
            );
            const stringify = await timeIt(
              () =>
                JSON.stringify(
                  route.format === 'csl-csv'
                    ? list.entries.map((e) => cslCsvRow(e))
                    : list.entries.flatMap((e) => ftmEntities(e)),
                ).length,
              ITERATIONS,
              1,
            );
            rows.push(
              {
                group: GROUP,
                name: `GET ${route.path}, ${label}: first request after a change, TTFB / total`,
                value: round(cold.ttfb),
                unit: 'ms',
                note: `total ${round(cold.total)} ms (list read from Redis)`,
              },
              {
                group: GROUP,
                name: `GET ${route.path}, ${label}: time to first byte`,
                value: round(ttfb),
                unit: 'ms (median)',
                ratio: round(ttfb / total),
                note: `of the total; ${(runs[0]!.bytes / 1e6).toFixed(1)} MB`,
              },
              {
                group: GROUP,
                name: `GET ${route.path}, ${label}: total`,
                value: round(total),
                unit: 'ms (median)',
                note: 'over HTTP, list already parsed',
              },
              {
                group: GROUP,
                name: `${route.format} rows built and written, ${label}`,
                value: round(inProcess.median),
                unit: 'ms (median)',
                ratio: round(inProcess.median / stringify.median),
                note: `vs the same rows built and JSON.stringify'd at once: ${round(stringify.median)} ms`,
              },
            );
            await app.close();
          }
        } finally {
          for (const [, step] of contextClosers(ctx)) await step().catch(() => {});
        }
      }
    } finally {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
