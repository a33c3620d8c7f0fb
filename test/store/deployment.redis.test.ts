import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDeploymentGuard, type DeploymentGuard } from '../../src/store/deployment-guard.js';
import { judgeDeployment, type DeploymentMarker } from '../../src/store/deployment.js';
import { createKeys } from '../../src/store/keys.js';
import { startLocalRedis, type LocalRedis } from '../../src/store/local-redis.js';
import { createRedis } from '../../src/store/redis.js';
import { StateStore } from '../../src/store/state.js';

/**
 * The deployment marker and the local record against a redis-server of this file's own (it is
 * FLUSHALLed, as a Redis that lost its data is), and the judgement itself as a pure function.
 */
const KEY = '{t}:deployment';
const marker = (epoch: string, createdBy: DeploymentMarker['createdBy'] = 'start'): DeploymentMarker => ({
  epoch,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy,
});

describe('judgeDeployment', () => {
  it('takes an empty Redis with no record for a first run, and one with data but no marker for an older deployment', () => {
    expect(judgeDeployment({ hasData: false, markerKey: KEY })).toEqual({ kind: 'first-run' });
    expect(judgeDeployment({ hasData: true, markerKey: KEY })).toEqual({ kind: 'adopt' });
  });

  it('calls a missing marker a loss when this process or the local record knew it', () => {
    const running = judgeDeployment({ known: 'dep_a', hasData: false, markerKey: KEY });
    expect(running).toMatchObject({ kind: 'lost', lostEpoch: 'dep_a' });
    expect(running.kind === 'lost' && running.reason).toMatch(/lost this deployment's data.*dep_a/);
    expect(judgeDeployment({ recorded: 'dep_a', hasData: false, markerKey: KEY })).toMatchObject({
      kind: 'lost',
      lostEpoch: 'dep_a',
    });
    // Leftovers that BullMQ writes back do not make it a first run either.
    expect(judgeDeployment({ recorded: 'dep_a', hasData: true, markerKey: KEY }).kind).toBe('lost');
  });

  it('accepts a new epoch only from an operator, and a recorded loss until recovery', () => {
    expect(
      judgeDeployment({ marker: marker('dep_b'), known: 'dep_a', hasData: true, markerKey: KEY }).kind,
    ).toBe('lost');
    expect(
      judgeDeployment({ marker: marker('dep_b', 'recover'), known: 'dep_a', hasData: true, markerKey: KEY }),
    ).toEqual({ kind: 'intact', epoch: 'dep_b' });
    expect(
      judgeDeployment({
        marker: marker('dep_b', 'state import'),
        recorded: 'dep_a',
        hasData: true,
        markerKey: KEY,
      }),
    ).toEqual({ kind: 'intact', epoch: 'dep_b' });
    expect(
      judgeDeployment({
        marker: { ...marker('dep_a'), lostAt: '2026-01-02T00:00:00.000Z', lostReason: 'gone' },
        known: 'dep_a',
        hasData: true,
        markerKey: KEY,
      }),
    ).toMatchObject({ kind: 'lost', reason: 'gone' });
    expect(
      judgeDeployment({ marker: marker('dep_a'), known: 'dep_a', hasData: true, markerKey: KEY }),
    ).toEqual({
      kind: 'intact',
      epoch: 'dep_a',
    });
  });
});

describe('DeploymentGuard against a Redis that loses its data', () => {
  let redis: LocalRedis;
  let dir: string;
  let client: ReturnType<typeof createRedis>;
  const keys = createKeys('{dep}');
  const guard = (dataDir = join(dir, 'data')): DeploymentGuard =>
    createDeploymentGuard(client, keys, {
      redis: { kind: 'standalone', url: redis.url },
      dataDir,
      now: Date.now,
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fedreg-deployment-'));
    redis = await startLocalRedis({ dir, appendOnly: false });
    client = createRedis(redis.url, 'client');
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await client.flushall();
    rmSync(join(dir, 'data'), { recursive: true, force: true });
  });

  it('writes a marker and a local record on a first run, and finds a FLUSHALL while running', async () => {
    const g = guard();
    const first = await g.check(0);
    expect(first.kind).toBe('intact');
    const epoch = first.kind === 'intact' ? first.epoch : '';
    expect(await client.hget(keys.deployment, 'epoch')).toBe(epoch);
    const changes: string[] = [];
    g.onChange((now) => changes.push(now.kind));

    await client.flushall();
    const after = await g.check(0);
    expect(after).toMatchObject({ kind: 'lost', lostEpoch: epoch });
    expect(changes).toEqual(['lost']);
    // Written into Redis, so every process sharing it sees the loss.
    expect(await client.hget(keys.deployment, 'lostEpoch')).toBe(epoch);
    expect(await client.hget(keys.deployment, 'lostAt')).toMatch(/^\d{4}-/);
  });

  it('finds at start a Redis emptied while no process ran, from the local record', async () => {
    const epoch = ((await guard().check(0)) as { epoch: string }).epoch;
    await client.flushall(); // nobody is running to see it
    const starting = guard();
    expect(await starting.check(0)).toMatchObject({ kind: 'lost', lostEpoch: epoch });
    expect(starting.isLost()).toBe(true);
    // Without the local record (another DATA_DIR), the same empty Redis is a first run.
    await client.flushall();
    expect((await guard(join(dir, 'elsewhere')).check(0)).kind).toBe('intact');
  });

  it('adopts data written before markers existed, and calls a marker re-made by a starting process a loss', async () => {
    await new StateStore(client, keys).importBaseline(
      { asOf: '2026-01-01', entries: [] },
      { now: Date.now() },
    );
    const g = guard(join(dir, 'other'));
    const status = await g.check(0);
    expect(status.kind).toBe('intact');
    expect(await client.hget(keys.deployment, 'createdBy')).toBe('adopted');

    // Redis emptied; a process with no record (a worker in a fresh container) starts and marks it anew.
    await client.flushall();
    expect((await guard(join(dir, 'fresh-container')).check(0)).kind).toBe('intact');
    // The process that knew the old epoch is not fooled.
    expect((await g.check(0)).kind).toBe('lost');
  });

  it('is intact again for everyone once an operator writes a new epoch', async () => {
    const running = guard();
    const epoch = ((await running.check(0)) as { epoch: string }).epoch;
    await client.flushall();
    expect((await running.check(0)).kind).toBe('lost');
    const other = guard(join(dir, 'data'));
    expect((await other.check(0)).kind).toBe('lost');

    const fresh = await running.store.replace('recover', Date.now(), epoch);
    expect(await running.check(0)).toEqual({ kind: 'intact', epoch: fresh.epoch });
    expect(await other.check(0)).toEqual({ kind: 'intact', epoch: fresh.epoch });
    expect(await client.hget(keys.deployment, 'recoveredFrom')).toBe(epoch);
    expect(await client.hexists(keys.deployment, 'lostAt')).toBe(0);
    // The local record follows: a later start on this Redis is intact.
    expect(await guard().check(0)).toEqual({ kind: 'intact', epoch: fresh.epoch });
  });
});
