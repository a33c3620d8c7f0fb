import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createReplayServer, type ReplayServer } from '../../src/replay/server.js';
import { runCli } from '../support/cli.js';
import { DEV_CORPUS, readSnapshot } from '../support/fixtures.js';
import { referenceRun } from '../support/reference.js';
import { dropPrefix, FAST_LIMITS, importBaseline, uniquePrefix } from '../support/service.js';

const redisUrl = inject('redisUrl');

describe('fedreg-watch demo (bounded, as CI runs it)', () => {
  it('plays the timeline to October 2019 and exits 0 with every event verified', async () => {
    // The demo's service reads its rate budgets and job lock from the environment: the tests' fast ones.
    const res = await runCli(['demo', '--until', '2019-10-09', '--pace', '0'], {
      env: FAST_LIMITS,
      timeoutMs: 180_000,
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(
      /\+ ADDED {6}CHINA, PEOPLE'S REPUBLIC OF: Hangzhou Hikvision Digital Technology Co\., Ltd\. \(84 FR 54002\)/,
    );
    expect(res.stdout).toMatch(/\+ ADDED {6}CHINA, PEOPLE'S REPUBLIC OF: Dahua Technology/);
    expect(res.stdout).toMatch(/ON PUBLIC INSPECTION {2}FR Doc 2019-22210/);
    const done =
      /Done: (\d+) rules applied, (\d+) events logged, (\d+) received and verified, (\d+) refused signatures/.exec(
        res.stdout,
      );
    expect(done).not.toBeNull();
    expect(Number(done![1])).toBe(8);
    expect(done![2]).toBe(done![3]);
    expect(done![4]).toBe('0');
    expect(res.stdout).toMatch(/queue dashboard +http:\/\/127\.0\.0\.1:\d+\/admin\/queues/);
  }, 200_000);
});

describe('fedreg-watch backfill', () => {
  let replay: ReplayServer;
  let prefix: string;
  beforeAll(async () => {
    prefix = uniquePrefix('bf');
    replay = await createReplayServer({
      corpusDir: DEV_CORPUS,
      now: '2035-01-01T00:00:00Z',
      host: '127.0.0.1',
    });
    await importBaseline(redisUrl, prefix);
  });
  afterAll(async () => {
    await replay.close();
    await dropPrefix(redisUrl, prefix);
  });

  it('walks a date range and applies what it finds, then says what it did', async () => {
    const env = {
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      FR_API_BASE_URL: replay.apiBase,
      FR_RATE_MARGIN_MS: '50',
      ...FAST_LIMITS,
    };
    const first = await runCli(['backfill', '--since', '2016-03-22', '--until', '2019-12-31'], {
      env,
      timeoutMs: 120_000,
    });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/documents found +8 \(0 already known\)/);
    expect(first.stdout).toMatch(/applied +8/);
    expect(first.stdout).toMatch(/the list is now as of +2019-10-09, 310 entries/);

    // The rest of the timeline; what is already known is not applied again.
    const second = await runCli(['backfill', '--since', '2016-03-22'], { env, timeoutMs: 120_000 });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/documents found +14 \(8 already known\)/);
    expect(second.stdout).toMatch(/applied +6/);
    const final = readSnapshot(join(DEV_CORPUS, 'final.json'));
    expect(second.stdout).toMatch(
      new RegExp(`the list is now as of +${final.asOf}, ${referenceRun().state.entries.length} entries`),
    );
  }, 200_000);

  it('refuses dates it cannot read', async () => {
    const res = await runCli(['backfill', '--since', 'last tuesday']);
    expect(res.code).toBe(64);
    expect(res.stderr).toMatch(/--since \(and --until\) must be dates/);
  });
});
