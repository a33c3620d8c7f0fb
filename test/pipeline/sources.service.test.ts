import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { EVENT_TYPES, type CloudEvent } from '../../src/events/cloudevent.js';
import { validateEvent } from '../../src/events/validate.js';
import type { Snapshot } from '../../src/entity-list/types.js';
import { drainApplyLine } from '../../src/pipeline/apply.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { processDocument } from '../../src/pipeline/document.js';
import { pollPublished } from '../../src/pipeline/poll.js';
import { pollPublicInspection } from '../../src/pipeline/public-inspection.js';
import {
  considerSnapshot,
  heldSnapshot,
  pollSnapshotSource,
  reconcile,
  releaseHeld,
} from '../../src/pipeline/snapshots.js';
import { createReplayServer, type ReplayServer } from '../../src/replay/server.js';
import { buildContext, contextClosers, runSteps } from '../../src/service.js';
import { createLogger } from '../../src/observe/logger.js';
import { DEV_CORPUS, readSnapshot } from '../support/fixtures.js';
import { dropPrefix, importBaseline, testConfig, uniquePrefix } from '../support/service.js';

/**
 * The pipeline's stages for public inspection and the Commerce lists, driven one step at a time
 * against the replay server and a real Redis (no workers: each call is one job's work).
 */
const redisUrl = inject('redisUrl');
const signal = new AbortController().signal;
let replay: ReplayServer;
let ctx: PipelineContext;
let prefix: string;

beforeEach(async () => {
  prefix = uniquePrefix('src');
  replay = await createReplayServer({
    corpusDir: DEV_CORPUS,
    now: '2019-10-01T00:00:00Z',
    host: '127.0.0.1',
  });
  await importBaseline(redisUrl, prefix, join(DEV_CORPUS, 'baseline.json'));
  // The pipeline's clock follows the replay server's, as it would follow the real one in production.
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

/** Everything published up to the replay clock, applied: what the workers would have done. */
async function catchUp(): Promise<void> {
  const { discovered } = await pollPublished(ctx, signal);
  for (const n of discovered) await processDocument(ctx, n, signal);
  await drainApplyLine(ctx);
}

describe('public inspection', () => {
  it('warns before publication, then links the published document', async () => {
    // 2019-22210 was filed for inspection on 7 October 2019 for publication on the 9th.
    await catchUp();
    replay.setNow(Date.parse('2019-10-08T12:00:00Z'));
    expect(await pollPublicInspection(ctx, signal)).toBe(1);
    const [warning] = (await logged()).filter((e) => e.type === EVENT_TYPES.rulePublicInspection);
    expect(warning).toMatchObject({
      subject: '2019-22210',
      data: { documentNumber: '2019-22210', publicationDate: '2019-10-09', provisional: true },
    });
    // The inspection copy's text announces the additions a day early (its instruction names none).
    expect(warning!.data).toMatchObject({
      counts: { add: 28, revise: 0, remove: 0, correct: 0 },
      changes: [],
      unnamed: [{ action: 'add', country: "CHINA, PEOPLE'S REPUBLIC OF", count: 28 }],
    });
    expect(Date.parse((warning!.data as { filedAt: string }).filedAt)).toBeLessThan(
      Date.parse('2019-10-09T00:00:00Z'),
    );
    // Polling again while it is still on inspection says nothing new.
    expect(await pollPublicInspection(ctx, signal)).toBe(0);

    replay.setNow(Date.parse('2019-10-09T12:00:00Z'));
    await catchUp();
    await pollPublicInspection(ctx, signal);
    const pi = (await logged()).filter((e) => e.type === EVENT_TYPES.rulePublicInspection);
    expect(pi.map((e) => (e.data as { status?: string }).status ?? 'on_public_inspection')).toEqual([
      'on_public_inspection',
      'published',
    ]);
    expect(pi[1]!.data).toMatchObject({
      publishedDocumentNumber: '2019-22210',
      publishedCitation: '84 FR 54002',
    });
    for (const e of pi) expect(validateEvent(e)).toEqual({ valid: true });
  });

  it('names the entries a newer-style filing announces, and confirms them on publication', async () => {
    // 2024-10314's instructions quote every entry they add or revise.
    replay.setNow(Date.parse('2024-05-07T15:00:00Z'));
    await catchUp();
    await pollPublicInspection(ctx, signal);
    const early = (await logged()).filter((e) => e.type === EVENT_TYPES.rulePublicInspection);
    expect(early).toHaveLength(1);
    const announced = early[0]!.data as {
      changes: Array<{ action: string; name: string; confirmed?: boolean }>;
    };
    expect(early[0]!.data).toMatchObject({ documentNumber: '2024-10314', counts: { add: 46, revise: 2 } });
    expect(announced.changes).toHaveLength(48);
    expect(announced.changes).toContainEqual(
      expect.objectContaining({ action: 'add', country: 'RUSSIA', name: 'Gazprom Neft' }),
    );
    expect(announced.changes.every((c) => c.confirmed === undefined)).toBe(true);

    replay.setNow(Date.parse('2024-05-08T12:00:00Z'));
    await catchUp();
    await pollPublicInspection(ctx, signal);
    const pi = (await logged()).filter((e) => e.type === EVENT_TYPES.rulePublicInspection);
    expect(pi).toHaveLength(2);
    const settled = pi[1]!.data as { status: string; changes: Array<{ name: string; confirmed?: boolean }> };
    expect(settled.status).toBe('published');
    expect(settled.changes.map((c) => c.name)).toEqual(announced.changes.map((c) => c.name));
    expect(settled.changes.filter((c) => c.confirmed !== true)).toEqual([]);
    for (const e of pi) expect(validateEvent(e)).toEqual({ valid: true });
  });

  it('says so when a filing leaves inspection without being published', async () => {
    replay.setOverride('2019-22210', { withdrawnAt: Date.parse('2019-10-08T15:00:00Z') });
    replay.setNow(Date.parse('2019-10-08T12:00:00Z'));
    await pollPublicInspection(ctx, signal);
    replay.setNow(Date.parse('2019-10-08T16:00:00Z'));
    await pollPublicInspection(ctx, signal);
    const pi = (await logged()).filter((e) => e.type === EVENT_TYPES.rulePublicInspection);
    expect(pi.map((e) => (e.data as { status?: string }).status ?? 'on_public_inspection')).toEqual([
      'on_public_inspection',
      'withdrawn',
    ]);
    expect(pi[1]!.data).toMatchObject({
      status: 'withdrawn',
      reason: 'removed_before_scheduled_publication',
    });
  });
});

describe('Commerce lists: the circuit breaker and reconciliation', () => {
  it('reconciles the state with eCFR Supplement No. 4 and reports how far eCFR lags', async () => {
    // eCFR is read as of the day before "today": 2016-03-21, the baseline's date.
    replay.setNow(Date.parse('2016-03-22T12:00:00Z'));
    expect(await pollSnapshotSource(ctx, 'ecfr', signal)).toBe('accepted');
    await reconcile(ctx, 'ecfr');
    const missingBefore = (await logged())
      .filter((e) => e.type === EVENT_TYPES.drift)
      .flatMap((e) => (e.data as { differences: Array<{ kind: string }> }).differences)
      .filter((d) => d.kind === 'missing');
    expect(missingBefore).toEqual([]);

    // The state learns of 2016-06777 (eight additions under Russia, 22 March); eCFR has not yet.
    await catchUp();
    await reconcile(ctx, 'ecfr');
    const drifts = (await logged()).filter((e) => e.type === EVENT_TYPES.drift);
    const last = drifts[drifts.length - 1]!;
    const missing = (
      last.data as { differences: Array<{ kind: string; key: string; lagDays?: number }> }
    ).differences.filter((d) => d.kind === 'missing');
    expect(missing).toHaveLength(8);
    expect(missing.every((d) => d.key.startsWith('RUSSIA|'))).toBe(true);
    expect(validateEvent(last)).toEqual({ valid: true });
    // The same comparison again logs nothing new.
    const count = drifts.length;
    await reconcile(ctx, 'ecfr');
    expect((await logged()).filter((e) => e.type === EVENT_TYPES.drift)).toHaveLength(count);
  });

  it('holds a CSL list missing most of its rows: an anomaly, no removal reaches anyone, until released', async () => {
    const full = readSnapshot(join(DEV_CORPUS, 'baseline.json'));
    expect(await considerSnapshot(ctx, 'csl', full)).toBe('accepted');
    await reconcile(ctx, 'csl');
    const broken: Snapshot = { asOf: full.asOf, entries: full.entries.slice(0, 20) };
    expect(await considerSnapshot(ctx, 'csl', broken)).toBe('held');

    const events = await logged();
    const anomalies = events.filter((e) => e.type === EVENT_TYPES.anomaly);
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]!.data).toMatchObject({ code: 'EL_MASS_CHANGE_HELD', applied: false });
    expect(events.filter((e) => e.type === EVENT_TYPES.drift || e.type === EVENT_TYPES.entryRemoved)).toEqual(
      [],
    );
    expect((await heldSnapshot(ctx, 'csl'))?.removals).toBe(full.entries.length - 20);
    // The accepted list is still the full one: reconciliation finds nothing to report.
    expect(await reconcile(ctx, 'csl')).toBe(0);

    expect(await releaseHeld(ctx, 'csl')).toBe(true);
    expect(await heldSnapshot(ctx, 'csl')).toBeUndefined();
    expect(await reconcile(ctx, 'csl')).toBe(full.entries.length - 20);
  });
});

describe('a first run with no imported state', () => {
  it('seeds the state from eCFR Supplement No. 4 and polls from the next day', async () => {
    const fresh = uniquePrefix('seed');
    const seedCtx = buildContext(testConfig(redisUrl, fresh, replay.apiBase, { ECFR_ENABLED: 'true' }), {
      logger: createLogger('silent'),
      sourceNow: () => replay.now(),
    });
    try {
      // eCFR is read as of the day before the replay clock: 2019-10-08, the day before 2019-22210.
      replay.setNow(Date.parse('2019-10-09T12:00:00Z'));
      const outcome = await pollPublished(seedCtx, signal);
      expect(outcome.skipped).toMatch(/seeded from eCFR as of 2019-10-08/);
      const { snapshot } = await seedCtx.state.read();
      expect(snapshot.asOf).toBe('2019-10-08');
      expect(snapshot.entries.some((e) => e.name.startsWith('Hangzhou Hikvision'))).toBe(false);
      expect(snapshot.entries.length).toBeGreaterThan(250);

      // The next poll finds what was published after that date, 2019-22210 among it.
      const next = await pollPublished(seedCtx, signal);
      expect(next.discovered).toContain('2019-22210');
      expect(next.discovered.every((n) => n >= '2019-')).toBe(true);
    } finally {
      await runSteps(seedCtx.logger, contextClosers(seedCtx));
      await dropPrefix(redisUrl, fresh);
    }
  });
});
