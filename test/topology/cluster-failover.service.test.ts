import { describe, expect, it } from 'vitest';
import { referenceRun } from '../support/reference.js';
import { describeFailover, runFailoverTrial } from './support.js';

/**
 * The service on a local Redis Cluster (3 primaries, a replica each), given REDIS_CLUSTER_NODES
 * only: the primary serving the {hash tag}'s slot is SIGKILLed mid-run and its replica promoted.
 * The log, the state and the receivers end exactly as a fault-free run, no id logged twice.
 * CI-sized: one failover, at about a third of the deliveries (as `grade.py e2e --cluster --failover`);
 * `npm run faults -- --topology cluster` runs several per run.
 */
const reference = referenceRun();

describe('fault trial: cluster failover', () => {
  it('loses and repeats nothing by id when the primary is SIGKILLed and its replica takes over', async () => {
    const result = await runFailoverTrial({ kind: 'cluster', reference, failovers: 1, seed: 1201 });
    console.log(
      `cluster failover: ${result.failovers.map(describeFailover).join('; ')}, ` +
        `${result.redeliveries} receipts repeated, ${(result.durationMs / 1000).toFixed(0)} s`,
    );
    expect(result.problems).toEqual([]);
    expect(result.failovers).toHaveLength(1);
    expect(result.failovers[0]!.promotedMs).toBeDefined();
    expect(result.failovers[0]!.writableMs).toBeDefined();
  }, 360_000);
});
