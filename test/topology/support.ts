import { join } from 'node:path';
import type { RedisTarget } from '../../src/config.js';
import { seededRandom } from '../../src/replay/faults.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedis } from '../../src/store/redis.js';
import {
  delay,
  END_OF_TIMELINE,
  expectedIds,
  plainReceiver,
  receivedIds,
  receiversComplete,
  redeliveries,
  referenceProblems,
  serviceEnv,
  startReplay,
  Steps,
  subscribe,
  waitReady,
  documentLists,
  type TrialReceiver,
} from '../faults/support.js';
import { runCli } from '../support/cli.js';
import { DEV_CORPUS } from '../support/fixtures.js';
import { spawnService } from '../support/processes.js';
import type { Reference } from '../support/reference.js';
import { uniquePrefix, waitFor } from '../support/service.js';
import { serviceQueues } from '../support/wait.js';
import { startCluster, startSentinelGroup, stopProcess, type Node } from '../support/topology.js';

/**
 * The failover trial, shared by `test/topology/*.service.test.ts` (CI-sized: one failover) and
 * `scripts/fault-trials.mjs --topology` (full scale: several per run). The service runs as a real
 * process on a local Redis Cluster (3 primaries, a replica each) or a primary + replica watched by
 * three Sentinels, given only REDIS_CLUSTER_NODES or REDIS_SENTINELS (REDIS_URL points at nothing),
 * the baseline imported with the `state import` command on the same topology. While the dev
 * timeline is delivered, the primary holding the service's slot is SIGKILLed, its replica takes
 * over, the killed node is started again (it rejoins as a replica), and the next failover hits the
 * new primary. The verdict is the fault trials' one: log, state and receivers exactly as a
 * fault-free run, no id logged twice.
 */
export type TopologyKind = 'cluster' | 'sentinel';

export interface FailoverRecord {
  /** The port of the primary killed. */
  killed: number;
  /** Receipts when it was killed. */
  receipts: number;
  logLength: number;
  /** From the SIGKILL until the topology named another primary, ms. */
  promotedMs?: number;
  /** From the SIGKILL until a write to the service's slot, through the client the service uses, succeeded. */
  writableMs?: number;
  /** From the SIGKILL until the next new receipt after Redis took writes again, ms. */
  recoverMs?: number;
}

export interface TopologyRunResult {
  kind: TopologyKind;
  seed: number;
  failovers: FailoverRecord[];
  problems: string[];
  redeliveries: number;
  durationMs: number;
}

export interface TopologyRunOptions {
  kind: TopologyKind;
  reference: Reference;
  failovers: number;
  seed: number;
  completeWithinMs?: number;
  log?: (line: string) => void;
}

/** A topology started for one run: what the service is given, and how to find and kill its primary. */
interface Topology {
  env: Record<string, string>;
  target: RedisTarget;
  primary(prefix: string): Promise<number>;
  /** Whether every watcher (each Sentinel; the cluster's nodes) names `port` no more. */
  settled(prefix: string, killed: number): Promise<boolean>;
  node(port: number): Node;
  stop(): Promise<void>;
}

async function startTopology(kind: TopologyKind): Promise<Topology> {
  if (kind === 'cluster') {
    const cluster = await startCluster();
    const target: RedisTarget = {
      kind: 'cluster',
      nodes: cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })),
    };
    return {
      env: { REDIS_CLUSTER_NODES: cluster.env },
      target,
      primary: (prefix) => cluster.primaryFor(prefix),
      settled: async (prefix, killed) => (await cluster.primaryFor(prefix)) !== killed,
      node: (port) => cluster.nodes.find((n) => n.port === port)!,
      stop: () => cluster.stop(),
    };
  }
  const group = await startSentinelGroup({ name: 'fedreg' });
  return {
    env: { REDIS_SENTINELS: group.env, REDIS_SENTINEL_NAME: group.name },
    target: {
      kind: 'sentinel',
      name: group.name,
      sentinels: group.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
    },
    primary: () => group.primaryPort(),
    settled: async (_prefix, killed) =>
      (await Promise.all(group.sentinels.map((s) => group.primaryPort(s.port)))).every((p) => p !== killed),
    node: (port) => [group.primary, group.replica].find((n) => n.port === port)!,
    stop: () => group.stop(),
  };
}

export async function runFailoverTrial(options: TopologyRunOptions): Promise<TopologyRunResult> {
  const { kind, reference } = options;
  const log = options.log ?? (() => undefined);
  const rng = seededRandom(options.seed);
  const started = Date.now();
  const steps = new Steps();
  const failovers: FailoverRecord[] = [];
  let finished = false;
  let output = (): string => '';
  try {
    const topology = await startTopology(kind);
    steps.add(() => topology.stop());
    const prefix = uniquePrefix(kind === 'cluster' ? 'cl' : 'sn');
    const replay = await startReplay();
    steps.add(() => replay.close());
    // Nothing answers at REDIS_URL: a run that ignored the topology could not pass.
    const env = serviceEnv('redis://127.0.0.1:1', prefix, replay, topology.env);
    const imported = await runCli(['state', 'import', join(DEV_CORPUS, 'baseline.json')], {
      env: { ...env, START_LOCAL_REDIS: 'false' },
      timeoutMs: 60_000,
    });
    if (imported.code !== 0) throw new Error(`state import on the ${kind} failed: ${imported.stderr}`);

    const redis = createRedis(topology.target, 'client');
    steps.add(async () => redis.disconnect());
    const events = createKeys(prefix).events;
    const logLength = async (): Promise<number> => redis.xlen(events).catch(() => -1);

    const all = await plainReceiver(() => Math.floor(rng() * 30));
    const russia = await plainReceiver();
    steps.add(() => all.close());
    steps.add(() => russia.close());
    const service = await spawnService(env);
    output = service.output;
    steps.add(() => service.kill('SIGKILL'));
    await waitReady(service.api);
    const receivers: TrialReceiver[] = [
      { name: 'all', receiver: all, subscription: await subscribe(service.api, all.url) },
      {
        name: 'russia',
        receiver: russia,
        subscription: await subscribe(service.api, russia.url, { countries: ['RUSSIA'] }),
      },
    ];
    const total = receivers.reduce((n, r) => n + expectedIds(reference, r.subscription?.filter).length, 0);
    const receipts = (): number => receivers.reduce((n, r) => n + receivedIds(r.receiver).size, 0);
    const complete = async (): Promise<boolean> =>
      (await logLength()) >= reference.events.length && receiversComplete(reference, receivers);
    replay.setNow(END_OF_TIMELINE);

    for (let k = 0; k < options.failovers; k++) {
      // Somewhere in the deliveries still to come (the first at about a third, as grade.py does).
      const now = receipts();
      const left = Math.max(1, total - now);
      // With nothing left to deliver, the primary is killed at once: the service must still survive it.
      const threshold =
        now >= total
          ? now
          : k === 0 && options.failovers === 1
            ? Math.max(1, Math.floor(total / 3))
            : now + 1 + Math.floor(rng() * Math.max(1, left / (options.failovers - k + 1)));
      await waitFor(`receipts ≥ ${threshold}`, () => (receipts() >= threshold ? true : undefined), 180_000);
      const victim = await topology.primary(prefix);
      const record: FailoverRecord = { killed: victim, receipts: receipts(), logLength: await logLength() };
      const killedAt = Date.now();
      await stopProcess(topology.node(victim).process, 'SIGKILL');
      failovers.push(record);
      log(
        `failover ${k + 1}/${options.failovers}: SIGKILL primary :${victim} at ${record.receipts} receipts`,
      );
      // Recovery, as the service sees it: a write to its slot through the same client succeeds
      // again (queued or retried by ioredis meanwhile), then the pipeline delivers something new.
      const recovered = (async () => {
        for (;;) {
          try {
            await redis.set(`${prefix}:failover-probe`, String(killedAt));
            break;
          } catch {
            await delay(50);
          }
        }
        record.writableMs = Date.now() - killedAt;
        const then = receipts();
        while (!finished && !(await complete())) {
          if (receipts() > then) {
            record.recoverMs = Date.now() - killedAt;
            return;
          }
          await delay(100);
        }
      })();
      await waitFor(
        'another primary',
        async () => ((await topology.primary(prefix).catch(() => victim)) !== victim ? true : undefined),
        60_000,
      );
      record.promotedMs = Date.now() - killedAt;
      // Started again before every Sentinel knows of the promotion, the old primary (a primary
      // until told otherwise) could be named by a lagging Sentinel; operators' supervisors restart
      // it later than this anyway.
      await waitFor('every watcher names the new primary', async () =>
        (await topology.settled(prefix, victim).catch(() => false)) ? true : undefined,
      );
      log(
        `  promoted after ${(record.promotedMs / 1000).toFixed(1)} s; starting :${victim} again as a replica`,
      );
      await topology.node(victim).restart();
      await recovered;
    }

    await waitFor(
      'the whole timeline logged and delivered',
      async () => ((await complete()) ? true : undefined),
      options.completeWithinMs ?? 240_000,
    );
    // Deliveries still in flight (a retry of a receipt already counted) land before the verdict.
    const queues = serviceQueues(topology.target, prefix);
    steps.add(() => queues.close());
    await queues.drained(60_000);
    const problems = await referenceProblems(service.api, reference, receivers);
    const docs = await documentLists(service.api);
    if (docs.pending.length > 0) problems.push(`documents still pending: ${docs.pending.join(', ')}`);
    if (docs.quarantined.length > 0) problems.push(`documents quarantined: ${docs.quarantined.join(', ')}`);
    return {
      kind,
      seed: options.seed,
      failovers,
      problems,
      redeliveries: redeliveries(receivers),
      durationMs: Date.now() - started,
    };
  } catch (err) {
    const tail = output().split('\n').slice(-15).join('\n');
    return {
      kind,
      seed: options.seed,
      failovers,
      problems: [`run failed: ${err instanceof Error ? err.message : String(err)}`, ...(tail ? [tail] : [])],
      redeliveries: 0,
      durationMs: Date.now() - started,
    };
  } finally {
    finished = true;
    await steps.run();
  }
}

/** One failover's figures in words: promotion, writes accepted again, pipeline delivering again. */
export function describeFailover(f: FailoverRecord): string {
  const s = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
  return `promoted ${s(f.promotedMs)}, writable ${s(f.writableMs)}, delivering again ${s(f.recoverMs)}`;
}
