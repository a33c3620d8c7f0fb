import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplayServer, type ReplayServer } from '../../src/replay/server.js';
import { runCli } from '../support/cli.js';
import { DEV_CORPUS, readSnapshot } from '../support/fixtures.js';
import { referenceRun } from '../support/reference.js';
import { FAST_LIMITS, uniquePrefix } from '../support/service.js';
import { ask, startCluster, type LocalCluster } from '../support/topology.js';

/**
 * The commands that write to Redis outside the service (`state import`, `state show`, `backfill`)
 * on a Redis Cluster, given REDIS_CLUSTER_NODES only (REDIS_URL names nothing that answers), and
 * what they leave there: every key in the one slot of the prefix's hash tag.
 */
describe('the command line on a Redis Cluster', () => {
  let cluster: LocalCluster;
  let replay: ReplayServer;
  beforeAll(async () => {
    cluster = await startCluster();
    replay = await createReplayServer({
      corpusDir: DEV_CORPUS,
      now: '2035-01-01T00:00:00Z',
      host: '127.0.0.1',
    });
  }, 90_000);
  afterAll(async () => {
    await replay?.close();
    await cluster?.stop();
  });

  it('imports, shows and backfills, keeping every key in one slot', async () => {
    const prefix = uniquePrefix('clcli');
    const env = {
      REDIS_URL: 'redis://127.0.0.1:1',
      START_LOCAL_REDIS: 'false',
      REDIS_CLUSTER_NODES: cluster.env,
      REDIS_PREFIX: prefix,
      FR_API_BASE_URL: replay.apiBase,
      FR_RATE_MARGIN_MS: '50',
      ...FAST_LIMITS,
    };
    const imported = await runCli(['state', 'import', join(DEV_CORPUS, 'baseline.json')], { env });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const backfill = await runCli(['backfill', '--since', '2016-03-22'], { env, timeoutMs: 120_000 });
    expect(backfill.code).toBe(0);
    const final = readSnapshot(join(DEV_CORPUS, 'final.json'));
    expect(backfill.stdout).toMatch(
      new RegExp(`the list is now as of +${final.asOf}, ${referenceRun().state.entries.length} entries`),
    );
    const shown = await runCli(['state', 'show'], { env });
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ asOf: final.asOf, entries: final.entries.length });

    // Every key the commands wrote is in the slot of the prefix: the whole cluster holds no other.
    const slot = Number(await ask(cluster.nodes[0]!.port, 'CLUSTER', 'KEYSLOT', prefix));
    const owner = await cluster.primaryFor(prefix);
    const inSlot = Number(await ask(owner, 'CLUSTER', 'COUNTKEYSINSLOT', String(slot)));
    let total = 0;
    for (const n of cluster.nodes) {
      const role = (await ask(n.port, 'ROLE')) as [string];
      if (role[0] === 'master') total += Number(await ask(n.port, 'DBSIZE'));
    }
    expect(inSlot).toBeGreaterThan(20);
    expect(total).toBe(inSlot);
  }, 200_000);

  it('says which cluster did not answer', async () => {
    const res = await runCli(['state', 'show'], {
      env: { REDIS_URL: 'redis://127.0.0.1:1', REDIS_CLUSTER_NODES: '127.0.0.1:1,127.0.0.1:2' },
    });
    expect(res.code).toBe(69);
    expect(res.stderr).toMatch(/the Redis Cluster at 127\.0\.0\.1:1, 127\.0\.0\.1:2 did not answer PING/);
  });
});
