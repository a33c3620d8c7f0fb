import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/observe/logger.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { DOWNLOADS_WHEN_TRUNCATED, processDocument } from '../../src/pipeline/document.js';
import { pollPublished } from '../../src/pipeline/poll.js';
import { createReplayServer, type ReplayServer } from '../../src/replay/server.js';
import { buildContext, contextClosers, runSteps } from '../../src/service.js';
import { DEV_CORPUS } from '../support/fixtures.js';
import { dropPrefix, importBaseline, testConfig, uniquePrefix } from '../support/service.js';

/**
 * The document stage on a download that ends early but is well framed (a proxy or a failing
 * server cutting the body short): the document is fetched again rather than quarantined as bad
 * XML; only XML that ends early on every download is quarantined, with XML_TRUNCATED.
 */
const redisUrl = inject('redisUrl');
const signal = new AbortController().signal;
let replay: ReplayServer;
let ctx: PipelineContext;
let prefix: string;

beforeEach(async () => {
  prefix = uniquePrefix('trunc');
  // The first document of the timeline only.
  replay = await createReplayServer({
    corpusDir: DEV_CORPUS,
    now: '2016-03-22T12:00:00Z',
    host: '127.0.0.1',
  });
  await importBaseline(redisUrl, prefix);
  ctx = buildContext(testConfig(redisUrl, prefix, replay.apiBase), { logger: createLogger('silent') });
});

afterEach(async () => {
  await runSteps(ctx.logger, contextClosers(ctx));
  await replay.close();
  await dropPrefix(redisUrl, prefix);
});

describe('a truncated download', () => {
  it('is downloaded again, not quarantined', async () => {
    const { discovered } = await pollPublished(ctx, signal);
    expect(discovered).toEqual(['2016-06777']);
    replay.faults.add([{ kind: 'xml', truncate: 'clean', count: 1 }]);
    expect(await processDocument(ctx, '2016-06777', signal)).toBe('extracted');
    expect(replay.stats.report().byKind.xml?.count).toBe(2);
  });

  it('is quarantined as XML_TRUNCATED when every download ends early', async () => {
    await pollPublished(ctx, signal);
    replay.faults.add([{ kind: 'xml', truncate: 'clean' }]);
    expect(await processDocument(ctx, '2016-06777', signal)).toBe('quarantined');
    const record = await ctx.documents.get('2016-06777');
    expect(record?.error).toMatchObject({ code: 'XML_TRUNCATED', attempts: DOWNLOADS_WHEN_TRUNCATED });
    expect(replay.stats.report().byKind.xml?.count).toBe(DOWNLOADS_WHEN_TRUNCATED);
  });
});
