import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FederalRegisterClient } from '../src/federal-register/client.js';
import { MemoryConditionalStore } from '../src/http-client/conditional-store.js';
import { RateBudget } from '../src/http-client/rate-budget.js';
import { createReplayServer } from '../src/replay/server.js';
import type { Benchmark, BenchRow } from './harness.js';

/**
 * The Federal Register client against the replay server on 127.0.0.1: what a conditional poll
 * saves (cold vs warm search, side by side), and the request rate the budget actually allows,
 * measured at the server.
 */

// bench/ compiles to dist/bench, so the fixtures are two levels up from here.
const DEV = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'corpus', 'dev');

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

export const benchmark: Benchmark = {
  name: 'fr-client',
  async run(): Promise<BenchRow[]> {
    const server = await createReplayServer({ corpusDir: DEV, now: '2035-01-01T00:00:00Z' });
    const rows: BenchRow[] = [];
    const signal = (): AbortSignal => AbortSignal.timeout(120_000);
    try {
      // Conditional polling: the same search twice, budget out of the way so only HTTP is timed.
      const free = new RateBudget({ limit: 10_000, windowMs: 1000 });
      const client = new FederalRegisterClient({
        baseUrl: server.apiBase,
        perPage: 3,
        apiBudget: free,
        xmlBudget: free,
        http: { conditionalStore: new MemoryConditionalStore() },
      });
      const cold = await timed(() => client.entityListCandidates({ since: '2016-01-01', signal: signal() }));
      const requestsCold = server.stats.report().byKind.search?.count ?? 0;
      const warm = await timed(() => client.entityListCandidates({ since: '2016-01-01', signal: signal() }));
      const statuses = server.stats.report().byKind.search?.statuses ?? {};
      rows.push(
        {
          group: 'fr-client',
          name: `search, cold (${cold.value.pages} pages of 3)`,
          value: cold.ms,
          unit: 'ms',
        },
        {
          group: 'fr-client',
          name: 'search, unchanged (all 304)',
          value: warm.ms,
          unit: 'ms',
          ratio: warm.ms / cold.ms,
          note: `${warm.value.notModifiedPages}/${warm.value.pages} pages 304; ${requestsCold} + ${statuses['304'] ?? 0} requests`,
        },
      );
      await client.close();

      // The rate budget as shipped: 40 document GETs and 5 XML downloads at once.
      server.stats.reset();
      const budgeted = new FederalRegisterClient({ baseUrl: server.apiBase });
      const numbers = server.corpus.documents.map((d) => d.number);
      const work = Array.from({ length: 40 }, (_, i) =>
        budgeted.getDocument(numbers[i % numbers.length]!, { signal: signal() }),
      );
      const xml = server.corpus.documents
        .slice(0, 5)
        .map((d) => budgeted.getFullTextXmlBytes(d.xmlUrlPath, { signal: signal() }));
      const all = await timed(() => Promise.all([...work, ...xml]));
      const report = server.stats.report();
      rows.push(
        {
          group: 'fr-client',
          name: 'API requests in any 1 s (45 at once)',
          value: report.api.maxPerSecond,
          unit: 'req',
          goal: '≤ 5',
        },
        {
          group: 'fr-client',
          name: 'XML downloads in any 1 s',
          value: report.byKind.xml?.maxPerSecond ?? 0,
          unit: 'req',
          goal: '≤ 1',
        },
        {
          group: 'fr-client',
          name: 'sustained API rate',
          value: (45 / all.ms) * 1000,
          unit: 'req/s',
          note: '5 per 1.1 s window',
        },
      );
      await budgeted.close();
    } finally {
      await server.close();
    }
    return rows;
  },
};
