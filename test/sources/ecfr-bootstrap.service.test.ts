import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entryKey } from '../../src/entity-list/identity.js';
import { createLogger } from '../../src/observe/logger.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { pollPublished } from '../../src/pipeline/poll.js';
import { createReplayServer, type ReplayServer } from '../../src/replay/server.js';
import { buildContext, contextClosers, runSteps } from '../../src/service.js';
import { parseEcfrSupplement4 } from '../../src/sources/ecfr.js';
import { dropPrefix, testConfig, uniquePrefix } from '../support/service.js';
import { REAL } from '../replay/helpers.js';

/**
 * A first run with no imported state and BOOTSTRAP_FROM_ECFR: the service reads the real eCFR list
 * of 2026-07-23 from the replay server (a corpus holding `ecfr/2026-07-23.xml.gz`, served as the
 * versioner serves part 744) and seeds its state with it. Real Redis, real HTTP.
 */
const redisUrl = inject('redisUrl');
const FIXTURE = join(REAL, 'ecfr', 'part-744', 'title-15-part-744-2026-07-23.xml.gz');

let dir: string;
let replay: ReplayServer;
let ctx: PipelineContext;
let prefix: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fw-ecfr-corpus-'));
  mkdirSync(join(dir, 'api'));
  mkdirSync(join(dir, 'ecfr'));
  copyFileSync(FIXTURE, join(dir, 'ecfr', '2026-07-23.xml.gz'));
  // The service reads eCFR as of the day before its clock.
  replay = await createReplayServer({ corpusDir: dir, now: '2026-07-24T12:00:00Z', host: '127.0.0.1' });
  prefix = uniquePrefix('ecfr');
  ctx = buildContext(
    testConfig(redisUrl, prefix, replay.apiBase, { ECFR_ENABLED: 'true', BOOTSTRAP_FROM_ECFR: 'true' }),
    { logger: createLogger('silent'), now: () => replay.now() },
  );
});

afterAll(async () => {
  await runSteps(ctx.logger, contextClosers(ctx));
  await replay.close();
  await dropPrefix(redisUrl, prefix);
  rmSync(dir, { recursive: true, force: true });
});

describe('bootstrap from the real eCFR list', () => {
  it('serves the real file byte for byte, and only from its date on', async () => {
    const xml = gunzipSync(readFileSync(FIXTURE));
    const on = await fetch(`${replay.url}/api/versioner/v1/full/2026-07-23/title-15.xml?part=744`);
    expect(on.status).toBe(200);
    expect(on.headers.get('content-type')).toBe('application/xml');
    expect(Buffer.from(await on.arrayBuffer()).equals(xml)).toBe(true);
    const before = await fetch(`${replay.url}/api/versioner/v1/full/2026-07-22/title-15.xml?part=744`);
    expect(before.status).toBe(404);
    await before.arrayBuffer();
  });

  it('seeds the state with the 3,411 entries of 2026-07-23 when none was imported', async () => {
    const outcome = await pollPublished(ctx, new AbortController().signal);
    expect(outcome).toMatchObject({ skipped: 'no state imported: seeded from eCFR as of 2026-07-23' });
    const { snapshot } = await ctx.state.read();
    expect(snapshot.asOf).toBe('2026-07-23');
    const direct = parseEcfrSupplement4(gunzipSync(readFileSync(FIXTURE)).toString('utf8'), {
      asOf: '2026-07-23',
    }).snapshot;
    expect(direct.entries).toHaveLength(3411);
    // The state holds one entry per key: every entry the reader gives, except where two share a key
    // (the real list repeats a few names under one destination; keeping those apart is identity's).
    const key = (e: { country: string; name: string }): string => entryKey(e.country, e.name);
    const keys = new Set(direct.entries.map(key));
    expect(snapshot.entries).toHaveLength(keys.size);
    expect(new Set(snapshot.entries.map(key))).toEqual(keys);
    expect(new Set(snapshot.entries.map((e) => e.country)).size).toBe(91);
  });
});
