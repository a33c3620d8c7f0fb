import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/events/cloudevent.js';
import { EventLog } from '../../src/store/event-log.js';
import { createKeys } from '../../src/store/keys.js';
import { startLocalRedis } from '../../src/store/local-redis.js';
import { createRedis } from '../../src/store/redis.js';
import { runCli } from '../support/cli.js';
import { DEV_CORPUS } from '../support/fixtures.js';
import { referenceRun } from '../support/reference.js';
import { uniquePrefix } from '../support/service.js';
import { END_OF_TIMELINE, eventsUpTo, serviceEnv, startReplay, Steps } from './support.js';

/**
 * `fedreg-watch recover` from the command line, with no service running: re-seeded from eCFR as
 * of the day before --since, it reads the Federal Register again from --since and logs every
 * change published since then with the id a run without the loss gives it; it refuses a store
 * that lost nothing, and a --since that does not follow the snapshot.
 */
const reference = referenceRun();
const steps = new Steps();
afterEach(() => steps.run());

describe('fedreg-watch recover', () => {
  it('re-seeds from eCFR and re-reads from --since, with the same event ids; refuses when nothing was lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedreg-recover-'));
    steps.add(async () => rmSync(dir, { recursive: true, force: true }));
    const redis = await startLocalRedis({ dir: join(dir, 'redis'), appendOnly: false });
    steps.add(() => redis.stop());
    const client = createRedis(redis.url, 'client');
    steps.add(async () => client.disconnect());
    const replay = await startReplay();
    steps.add(() => replay.close());
    replay.setNow(END_OF_TIMELINE);
    const prefix = uniquePrefix('recover');
    const keys = createKeys(prefix);
    const env = {
      ...serviceEnv(redis.url, prefix, replay),
      DATA_DIR: join(dir, 'data'),
      START_LOCAL_REDIS: 'false',
    };

    const baseline = join(DEV_CORPUS, 'baseline.json');
    const imported = await runCli(['state', 'import', baseline], { env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(await client.hget(keys.deployment, 'createdBy')).toBe('state import');

    // Nothing lost: recover refuses, and says how to force it.
    const refused = await runCli(['recover', '--snapshot', baseline], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/still holds this deployment's data.*\n.*--force/);
    // A --since that does not follow the snapshot would skip or repeat documents.
    const gap = await runCli(['recover', '--snapshot', baseline, '--since', '2020-01-01'], { env });
    expect(gap.code).toBe(64);
    expect(gap.stderr).toMatch(
      /as of 2016-03-21, so polling resumes on 2016-03-22; --since 2020-01-01 would skip/,
    );

    await client.flushall();
    const since = '2020-01-01';
    const recovered = await runCli(['recover', '--from-ecfr', '--since', since], { env, timeoutMs: 120_000 });
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stdout).toContain(`polling resumes from     ${since}`);
    expect(recovered.stdout).toContain('NO SUBSCRIPTIONS');
    expect(await client.hget(keys.deployment, 'createdBy')).toBe('recover');
    expect(await client.hexists(keys.deployment, 'lostAt')).toBe(0);
    expect(await client.hget(keys.stateMeta, 'baselineAsOf')).toBe('2019-12-31');

    const logged: CloudEvent[] = (await new EventLog(client, keys).page('0-0', 100_000)).events.map(
      (e) => e.event,
    );
    const before = new Set(eventsUpTo(reference, '2019-12-31').map((e) => e.id));
    const want = reference.events.filter((e) => !before.has(e.id)).map((e) => e.id);
    expect(want.length).toBeGreaterThan(0);
    expect(logged.map((e) => e.id)).toEqual(want);
    const entries = JSON.parse((await runCli(['state', 'show'], { env })).stdout) as { entries: number };
    expect(entries.entries).toBe(reference.state.entries.length);
  }, 180_000);
});
