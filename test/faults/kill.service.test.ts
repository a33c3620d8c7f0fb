import { describe, expect, inject, it } from 'vitest';
import { referenceRun } from '../support/reference.js';
import { runKillTrial } from './support.js';

/**
 * Fault trial 1: the service process killed with SIGKILL at random moments (while documents are
 * being applied, while deliveries are in flight, during start-up) and started again, over the dev
 * timeline. Nothing is lost, no id is logged twice, the state is the fault-free one, and receivers
 * see each change under one id (perhaps more than once).
 *
 * CI-sized: three runs side by side, two kills each. Each kill costs BullMQ's stalled-job
 * detection (JOB_LOCK_MS, here the tests' 4 s checked every second; 15 s and 5 s in production)
 * before the jobs in flight are taken up again, so the runs go in parallel to share that wait.
 * `scripts/fault-trials.mjs` runs 50 kills.
 */
const redisUrl = inject('redisUrl');
const reference = referenceRun();
const SEEDS = [7001, 7002, 7003];
const KILLS_PER_RUN = 2;

describe('fault trial: SIGKILL at random moments', () => {
  it(`loses nothing over ${SEEDS.length * KILLS_PER_RUN} kills in ${SEEDS.length} runs`, async () => {
    const results = await Promise.all(
      SEEDS.map((seed) =>
        runKillTrial({ redisUrl, reference, kills: KILLS_PER_RUN, seed, completeWithinMs: 180_000 }),
      ),
    );
    const kills = results.flatMap((r) => r.kills);
    console.log(
      `SIGKILL: ${kills.length} kills (${kills.map((k) => `${k.point}${k.duringStartup ? '/start-up' : ''}`).join(', ')}), ` +
        `${results.reduce((n, r) => n + r.processes, 0)} processes, ` +
        `${results.reduce((n, r) => n + r.redeliveries, 0)} receipts repeated, ` +
        `recovery ${kills.map((k) => (k.recoverMs === undefined ? '-' : `${(k.recoverMs / 1000).toFixed(1)} s`)).join(', ')}, ` +
        `peak RSS ${results.map((r) => r.peakRssMb?.toFixed(0)).join('/')} MB`,
    );
    expect(results.map((r) => ({ seed: r.seed, problems: r.problems }))).toEqual(
      SEEDS.map((seed) => ({ seed, problems: [] })),
    );
    expect(kills).toHaveLength(SEEDS.length * KILLS_PER_RUN);
  }, 420_000);
});
