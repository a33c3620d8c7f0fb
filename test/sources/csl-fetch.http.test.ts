import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpFetcher } from '../../src/http-client/http.js';
import { MemoryConditionalStore } from '../../src/http-client/conditional-store.js';
import { fetchCslEntityList, sourcesBudget } from '../../src/sources/fetch.js';
import { REAL } from '../replay/helpers.js';

/** HTTP tier: the CSL fetcher against a local server that serves the real file with an ETag. */

const body = readFileSync(join(REAL, 'csl', 'watchman-csl-2023-11-30.csv'));
let server: Server;
let base: string;
const seen: Array<{ status: number }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.headers['if-none-match'] === '"csl-1"') {
      seen.push({ status: 304 });
      res.writeHead(304).end();
      return;
    }
    seen.push({ status: 200 });
    res
      .writeHead(200, { 'content-type': 'text/csv', etag: '"csl-1"', 'content-length': String(body.length) })
      .end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('CSL fetcher', () => {
  it('downloads and imports the CSV, then revalidates it with a 304', async () => {
    const fetcher = new HttpFetcher({ conditionalStore: new MemoryConditionalStore() });
    const budget = sourcesBudget();
    try {
      const opts = {
        url: `${base}/consolidated.csv`,
        asOf: '2023-11-30',
        signal: AbortSignal.timeout(30_000),
        budget,
      };
      const first = await fetchCslEntityList(fetcher, opts);
      expect(first.report.entries).toBe(977);
      const second = await fetchCslEntityList(fetcher, opts);
      expect(second.snapshot).toEqual(first.snapshot);
      expect(seen.map((s) => s.status)).toEqual([200, 304]);
    } finally {
      await fetcher.close();
    }
  });
});
