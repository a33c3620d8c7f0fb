/**
 * Editorial changes are not changes, in the service: the real eCFR list of 2026-03-25 as the state,
 * then eCFR's 2026-07-23 rendering of the same words. Every listing of the real list is kept in
 * Redis; the new version passes the circuit breaker; reconciliation reports no drift; the editorial
 * differences are counted and reach only subscribers who name the opt-in type.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { EVENT_TYPES, type CloudEvent } from '../../src/events/cloudevent.js';
import { validateEvent } from '../../src/events/validate.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { considerSnapshot, reconcile } from '../../src/pipeline/snapshots.js';
import { createReplayServer, type ReplayServer } from '../../src/replay/server.js';
import { buildContext, contextClosers, runSteps } from '../../src/service.js';
import { createLogger } from '../../src/observe/logger.js';
import { createHttpServer } from '../../src/http/server.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { matchesFilter } from '../../src/store/subscriptions.js';
import { realList } from '../entity-list/real-list.js';
import { DEV_CORPUS } from '../support/fixtures.js';
import { dropPrefix, importBaseline, testConfig, uniquePrefix } from '../support/service.js';

const redisUrl = inject('redisUrl');
const march = realList('2026-03-25');
const july = realList('2026-07-23');
let replay: ReplayServer;
let ctx: PipelineContext;
let prefix: string;

beforeEach(async () => {
  prefix = uniquePrefix('edit');
  replay = await createReplayServer({
    corpusDir: DEV_CORPUS,
    now: '2026-07-24T00:00:00Z',
    host: '127.0.0.1',
  });
  const dir = mkdtempSync(join(tmpdir(), 'fedreg-editorial-'));
  writeFileSync(join(dir, 'march.json'), JSON.stringify(march));
  await importBaseline(redisUrl, prefix, join(dir, 'march.json'));
  ctx = buildContext(testConfig(redisUrl, prefix, replay.apiBase), {
    logger: createLogger('silent'),
    now: () => replay.now(),
  });
});

afterEach(async () => {
  await runSteps(ctx.logger, contextClosers(ctx));
  await replay.close();
  await dropPrefix(redisUrl, prefix);
});

async function logged(): Promise<CloudEvent[]> {
  return (await ctx.events.page('0', 100_000)).events.map((e) => e.event);
}

describe('the real eCFR pair in the service (Redis)', () => {
  it('keeps every listing of the real list in the state, names listed twice included', async () => {
    const { snapshot } = await ctx.state.read();
    expect(snapshot.entries).toHaveLength(march.entries.length);
    const zurmat = snapshot.entries.filter((e) => e.name === 'Zurmat General Trading');
    expect(zurmat).toHaveLength(2);
  });

  it('counts the editorial differences, reports no drift, and logs only opt-in editorial events', async () => {
    const metrics = createMetrics({ observer: ctx.observer, queues: ctx.queues });
    const counted: Array<{ against: string; differences: number }> = [];
    ctx.observer.on('diff.editorial', (e) =>
      counted.push({ against: e.against, differences: e.differences }),
    );

    expect(await considerSnapshot(ctx, 'ecfr', march)).toBe('accepted');
    expect(await reconcile(ctx, 'ecfr')).toBe(0);
    expect(await logged()).toEqual([]);

    expect(await considerSnapshot(ctx, 'ecfr', july)).toBe('accepted');
    expect(await reconcile(ctx, 'ecfr')).toBe(0);

    const events = await logged();
    expect(events.filter((e) => e.type === EVENT_TYPES.drift)).toEqual([]);
    expect(events.filter((e) => e.type === EVENT_TYPES.entryRevised)).toEqual([]);
    expect(events.filter((e) => e.type === EVENT_TYPES.anomaly)).toEqual([]);
    const editorial = events.filter((e) => e.type === EVENT_TYPES.entryEditorial);
    expect(editorial.length).toBeGreaterThan(100);
    expect(editorial).toHaveLength(events.length);
    for (const e of editorial.slice(0, 20)) expect(validateEvent(e)).toEqual({ valid: true });
    expect(counted).toEqual([
      { against: 'previous', differences: editorial.length },
      { against: 'state', differences: editorial.length },
    ]);

    // Only a subscription that names the type gets them; "all types" and wildcards do not.
    const sample = editorial[0]!;
    expect(matchesFilter({}, sample)).toBe(false);
    expect(matchesFilter({ types: ['gov.bis.entitylist.entry.*'] }, sample)).toBe(false);
    expect(matchesFilter({ types: ['gov.bis.entitylist.*'] }, sample)).toBe(false);
    expect(matchesFilter({ types: [EVENT_TYPES.entryEditorial] }, sample)).toBe(true);
    expect(
      matchesFilter(
        { types: [EVENT_TYPES.entryEditorial], countries: [(sample.data as { country: string }).country] },
        sample,
      ),
    ).toBe(true);
    // The state is what the documents made it: an editorial re-rendering by eCFR does not change it.
    expect((await ctx.state.read()).snapshot.entries).toHaveLength(march.entries.length);

    // Counted in the metric, by source and by what the list was compared with.
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      `fedreg_editorial_differences_total{source="ecfr",against="previous"} ${editorial.length}`,
    );
    expect(text).toContain(
      `fedreg_editorial_differences_total{source="ecfr",against="state"} ${editorial.length}`,
    );
    metrics.close();

    // The feed leaves them out unless asked for by name.
    const app = await createHttpServer({ ctx, ready: async () => true });
    try {
      const feed = await app.inject({ method: 'GET', url: '/v1/events?limit=100000' });
      expect((feed.json() as { events: CloudEvent[] }).events).toEqual([]);
      const asked = await app.inject({
        method: 'GET',
        url: `/v1/events?limit=100000&types=${EVENT_TYPES.entryEditorial}`,
      });
      expect((asked.json() as { events: CloudEvent[] }).events).toHaveLength(editorial.length);
    } finally {
      await app.close();
    }
  });
});
