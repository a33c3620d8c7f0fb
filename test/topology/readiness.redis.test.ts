import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answersFor, createRedis, type RedisClient } from '../../src/store/redis.js';
import { startCluster, type LocalCluster } from '../support/topology.js';
import { waitFor } from '../support/wait.js';

/**
 * Readiness on a Redis Cluster asks the primary holding the deployment's hash slot, not whichever
 * node a PING would reach: with that primary gone (and not yet replaced), other nodes still answer
 * for their slots, and the service is not ready.
 */
describe('readiness on a Redis Cluster', () => {
  let cluster: LocalCluster;
  let client: RedisClient;
  beforeAll(async () => {
    // A long node timeout: the killed primary's replica is not promoted during the test.
    cluster = await startCluster({ primaries: 3, nodeTimeoutMs: 60_000 });
    client = createRedis(
      { kind: 'cluster', nodes: cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })) },
      'client',
    );
    await waitFor(() => client.status === 'ready', { what: 'the cluster client ready', timeout: 20_000 });
  }, 120_000);
  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('is not ready when the primary of the deployment slot is down, while other slots answer', async () => {
    const ours = '{fw-ready}:deployment';
    const port = await cluster.primaryFor(ours);
    let other = '';
    for (let i = 0; other === ''; i++) {
      const candidate = `{fw-other-${i}}:deployment`;
      if ((await cluster.primaryFor(candidate)) !== port) other = candidate;
    }
    expect(await answersFor(client, ours)).toBe(true);
    expect(await answersFor(client, other)).toBe(true);

    await cluster.kill(port);
    await waitFor(async () => !(await answersFor(client, ours)), {
      what: 'readiness to fail with the slot primary down',
      timeout: 15_000,
    });
    expect(await answersFor(client, other)).toBe(true);
  }, 60_000);
});
