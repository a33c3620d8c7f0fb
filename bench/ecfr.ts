import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { XMLParser } from 'fast-xml-parser';
import { HttpFetcher } from '../src/http-client/http.js';
import { RateBudget } from '../src/http-client/rate-budget.js';
import { createReplayServer } from '../src/replay/server.js';
import { parseEcfrSupplement4 } from '../src/sources/ecfr.js';
import { fetchEcfrEntityList } from '../src/sources/fetch.js';
import { percentile, type Benchmark, type BenchRow } from './harness.js';

/**
 * Reading the real Entity List (eCFR part 744 of 2026-07-23, 2.5 MB, 3,411 entries) against a bare
 * fast-xml-parser parse of the same string (default options), alternately in the same run; peak
 * memory of each side in a process of its own; and the bootstrap path: the versioner route of the
 * replay server serving the real file, fetched and read as the service does.
 */
const HERE = dirname(fileURLToPath(import.meta.url));
// bench/ compiles to dist/bench, so the fixtures are two levels up from here.
const FILE = join(
  HERE,
  '..',
  '..',
  'test',
  'fixtures',
  'real',
  'ecfr',
  'part-744',
  'title-15-part-744-2026-07-23.xml.gz',
);

function measure(fn: () => unknown): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

interface ChildResult {
  ms: number;
  maxRssMb: number;
  baseRssMb: number;
  heapUsedMb: number;
  entries: number;
}

function child(mode: 'bare' | 'reader'): ChildResult {
  const out = execFileSync(process.execPath, [join(HERE, 'ecfr-child.js'), mode, FILE], { encoding: 'utf8' });
  return JSON.parse(out) as ChildResult;
}

export const benchmark: Benchmark = {
  name: 'ecfr',
  async run(): Promise<BenchRow[]> {
    const xml = gunzipSync(readFileSync(FILE)).toString('utf8');
    const mb = Buffer.byteLength(xml) / 1024 / 1024;
    const bare = (): unknown => new XMLParser().parse(xml);
    const ours = (): unknown => parseEcfrSupplement4(xml, { asOf: '2026-07-23' });
    for (let i = 0; i < 2; i++) {
      measure(bare);
      measure(ours);
    }
    const bareMs: number[] = [];
    const oursMs: number[] = [];
    for (let i = 0; i < 10; i++) {
      if (i % 2 === 0) {
        bareMs.push(measure(bare));
        oursMs.push(measure(ours));
      } else {
        oursMs.push(measure(ours));
        bareMs.push(measure(bare));
      }
    }
    const bareMed = percentile(bareMs, 50);
    const oursMed = percentile(oursMs, 50);
    const rows: BenchRow[] = [
      {
        group: 'ecfr',
        name: `bare XMLParser.parse: eCFR part 744 2026-07-23 (${mb.toFixed(1)} MB)`,
        value: bareMed,
        unit: 'ms',
      },
      {
        group: 'ecfr',
        name: 'parseEcfrSupplement4: the same, 3,411 entries',
        value: oursMed,
        unit: 'ms',
        ratio: oursMed / bareMed,
        note: `median of 10 alternating runs; ${(mb / (oursMed / 1000)).toFixed(1)} MB/s`,
      },
    ];

    const b = child('bare');
    const r = child('reader');
    rows.push(
      {
        group: 'ecfr',
        name: 'peak RSS, bare parse ×3 (own process)',
        value: b.maxRssMb,
        unit: 'MB',
        note: `${b.baseRssMb.toFixed(0)} MB after reading the file`,
      },
      {
        group: 'ecfr',
        name: 'peak RSS, reader ×3 (own process)',
        value: r.maxRssMb,
        unit: 'MB',
        ratio: r.maxRssMb / b.maxRssMb,
        note: `${r.entries} entries; ${r.baseRssMb.toFixed(0)} MB after reading the file`,
      },
    );

    // Bootstrap path: the replay server's versioner route serving the real file; fetch + read.
    const dir = mkdtempSync(join(tmpdir(), 'fw-bench-ecfr-'));
    mkdirSync(join(dir, 'api'));
    mkdirSync(join(dir, 'ecfr'));
    copyFileSync(FILE, join(dir, 'ecfr', '2026-07-23.xml.gz'));
    const server = await createReplayServer({ corpusDir: dir, now: '2026-07-24T12:00:00Z' });
    const fetcher = new HttpFetcher({ retry: { baseDelayMs: 10 } });
    try {
      const budget = new RateBudget({ limit: 10_000, windowMs: 1000 });
      const times: number[] = [];
      let entries = 0;
      for (let i = 0; i < 5; i++) {
        const t0 = process.hrtime.bigint();
        const got = await fetchEcfrEntityList(fetcher, {
          date: '2026-07-23',
          baseUrl: server.url,
          signal: AbortSignal.timeout(60_000),
          budget,
        });
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        entries = got.snapshot.entries.length;
      }
      rows.push({
        group: 'ecfr',
        name: 'bootstrap read: GET versioner part 744 from the replay server + read',
        value: percentile(times, 50),
        unit: 'ms',
        ratio: percentile(times, 50) / bareMed,
        note: `${entries} entries; median of 5; ratio against the bare parse`,
      });
    } finally {
      await fetcher.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
