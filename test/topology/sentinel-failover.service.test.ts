import { describe, expect, it } from 'vitest';
import { referenceRun } from '../support/reference.js';
import { describeFailover, runFailoverTrial } from './support.js';

/**
 * The service following a primary through three Sentinels (REDIS_SENTINELS, REDIS_SENTINEL_NAME
 * only): the primary is SIGKILLed mid-run, Sentinel promotes the replica and the service follows.
 * The log, the state and the receivers end exactly as a fault-free run, no id logged twice.
 * CI-sized: one failover, at about a third of the deliveries (as `grade.py e2e --sentinel --failover`);
 * `npm run faults -- --topology sentinel` runs several per run.
 */
const reference = referenceRun();

describe('fault trial: sentinel failover', () => {
  it('loses and repeats nothing by id when the primary is SIGKILLed and its replica takes over', async () => {
    const result = await runFailoverTrial({ kind: 'sentinel', reference, failovers: 1, seed: 1201 });
    console.log(
      `sentinel failover: ${result.failovers.map(describeFailover).join('; ')}, ` +
        `${result.redeliveries} receipts repeated, ${(result.durationMs / 1000).toFixed(0)} s`,
    );
    expect(result.problems).toEqual([]);
    expect(result.failovers).toHaveLength(1);
    expect(result.failovers[0]!.promotedMs).toBeDefined();
    expect(result.failovers[0]!.writableMs).toBeDefined();
  }, 360_000);
});
