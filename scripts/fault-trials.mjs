#!/usr/bin/env node
/**
 * The long version of the SIGKILL fault trial (issue 7 §1; `test/faults/kill.service.test.ts` runs
 * six kills in CI): runs of the dev timeline in which the service process is killed with SIGKILL at
 * random moments and started again, and each run's own redis-server (AOF on) is restarted now and
 * then, until N service processes have been killed. Each run must end exactly as a fault-free run
 * (`referenceRun()`): the same event log in the same order without duplicate ids, the same state,
 * and every receiver holding exactly its events under the same ids.
 *
 *   node scripts/fault-trials.mjs [--kills 50] [--per-run 3] [--parallel 3] [--seed 1]
 *                                 [--no-redis-restarts] [--json report.json]
 *                                 [--topology cluster,sentinel|none] [--failovers 6] [--failovers-per-run 3]
 *
 * Then the Redis failover trials (issue 12; `test/topology/*-failover.service.test.ts` runs one
 * failover of each in CI): the service on a local Redis Cluster (3 primaries, a replica each) and on
 * a primary + replica under three Sentinels; the primary holding the service's slot is SIGKILLed
 * mid-run, its replica promoted, the old primary started again as a replica, and again, until
 * `--failovers` primaries per topology have been killed. Each run must end as the fault-free one.
 * `--kills 0` runs only the failover trials, `--topology none` only the SIGKILL trial.
 *
 * Needs redis-server on the PATH. Prints one line per fault and a summary; exits 1 if any run
 * differs from the reference. See docs/fault-trials.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runnerImport } from 'vite';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const { values: args } = parseArgs({
  options: {
    kills: { type: 'string', default: '50' },
    'per-run': { type: 'string', default: '3' },
    parallel: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    'no-redis-restarts': { type: 'boolean', default: false },
    topology: { type: 'string', default: 'cluster,sentinel' },
    failovers: { type: 'string', default: '6' },
    'failovers-per-run': { type: 'string', default: '3' },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'node scripts/fault-trials.mjs [--kills 50] [--per-run 3] [--parallel 3] [--seed 1] [--no-redis-restarts] [--json FILE]\n',
  );
  process.exit(0);
}
const target = positive('kills', 0);
const perRun = positive('per-run');
const parallel = positive('parallel');
const firstSeed = Number(args.seed);
const restartRedis = !args['no-redis-restarts'];
const topologies = args.topology === 'none' ? [] : args.topology.split(',').map((t) => t.trim());
for (const t of topologies) {
  if (t !== 'cluster' && t !== 'sentinel') {
    process.stderr.write(`fault-trials: --topology takes cluster, sentinel or none, got ${t}\n`);
    process.exit(2);
  }
}
const failoversTarget = positive('failovers');
const failoversPerRun = positive('failovers-per-run');

function positive(name, min = 1) {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`fault-trials: --${name} must be a positive integer, got ${args[name]}\n`);
    process.exit(2);
  }
  return n;
}

// The service runs as `node dist/workers/all.js`: build it as the test suite does.
const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(1);

// The trials are TypeScript shared with the test suite; vite runs them as they are.
const load = async (path) =>
  (await runnerImport(join(ROOT, path), { configFile: false, logLevel: 'silent', root: ROOT })).module;
const trials = await load('test/faults/support.ts');
const { referenceRun } = await load('test/support/reference.ts');
const { startLocalRedis, redisServerBinary } = await import(
  pathToFileURL(join(ROOT, 'dist', 'src', 'store', 'local-redis.js')).href
);
if (!redisServerBinary()) {
  process.stderr.write('fault-trials: redis-server is not installed (apt-get install redis-server)\n');
  process.exit(2);
}

const reference = referenceRun();
const started = Date.now();
const results = [];
let sigkills = 0;
let nextSeed = firstSeed;
const say = (line) => process.stdout.write(`${line}\n`);
// With --kills 0 only the failover trials run: nothing to say about SIGKILLs.
const sayKill = (line) => {
  if (target > 0) say(line);
};
sayKill(
  `fault trials: ${target} SIGKILLs, ${perRun} faults a run, ${parallel} runs at a time, ` +
    `Redis restarts ${restartRedis ? 'on' : 'off'}, seeds from ${firstSeed}`,
);

/** One run on a redis-server of its own, so that restarting it touches no other run. */
async function oneRun(seed) {
  const dir = mkdtempSync(join(tmpdir(), `fedreg-fault-trials-${seed}-`));
  let redis = await startLocalRedis({ dir, appendOnly: true });
  try {
    const result = await trials.runKillTrial({
      redisUrl: redis.url,
      reference,
      kills: perRun,
      seed,
      ...(restartRedis
        ? {
            restartRedis: async () => {
              await redis.stop();
              await trials.delay(1_000);
              redis = await startLocalRedis({ dir, port: redis.port, appendOnly: true });
            },
          }
        : {}),
      log: (line) => sayKill(`  [seed ${seed}] ${line}`),
    });
    const verdict = result.problems.length === 0 ? 'as the reference' : `${result.problems.length} PROBLEMS`;
    sayKill(
      `run seed ${seed}: ${verdict}; ${result.kills.length} faults, ${result.processes} processes, ` +
        `${(result.durationMs / 1000).toFixed(0)} s`,
    );
    for (const p of result.problems) sayKill(`  [seed ${seed}] ${p}`);
    return result;
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Runs go `parallel` at a time (each kill waits ~30-60 s for BullMQ's stalled-job check, so
// running side by side costs little) until `target` service processes have been killed.
const inFlight = new Set();
const planned = () =>
  sigkills + [...inFlight].length * perRun; /* upper bound: a run kills at most perRun processes */
while (sigkills < target) {
  while (inFlight.size < parallel && planned() < target) {
    const seed = nextSeed++;
    const run = oneRun(seed).then((result) => {
      results.push(result);
      sigkills += result.kills.filter((k) => k.point !== 'redis').length;
      inFlight.delete(run);
    });
    inFlight.add(run);
  }
  if (inFlight.size === 0) break;
  await Promise.race(inFlight);
}
await Promise.all(inFlight);

// ---- Summary ---------------------------------------------------------------------------------
const faults = results.flatMap((r) => r.kills);
const kills = faults.filter((k) => k.point !== 'redis');
const restarts = faults.filter((k) => k.point === 'redis');
const failed = results.filter((r) => r.problems.length > 0);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const quantiles = (xs) => {
  const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
  if (s.length === 0) return 'n/a';
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return `median ${seconds(at(0.5))}, p90 ${seconds(at(0.9))}, max ${seconds(s[s.length - 1])} (${s.length} measured)`;
};
const count = (xs, f) => xs.filter(f).length;
const summary = {
  sigkills: kills.length,
  redisRestarts: restarts.length,
  runs: results.length,
  runsAsReference: results.length - failed.length,
  killsAt: {
    log: count(kills, (k) => k.point === 'log' && !k.duringStartup),
    delivery: count(kills, (k) => k.point === 'delivery' && !k.duringStartup),
    startUp: count(kills, (k) => k.duringStartup),
  },
  receiptsRepeated: results.reduce((n, r) => n + r.redeliveries, 0),
  /** Processes that exited on their own (started while Redis was down: exit 69) and were restarted. */
  exitsOnTheirOwn: results.flatMap((r) => r.exits),
  peakRssMbMax: Math.max(0, ...results.map((r) => r.peakRssMb ?? 0)),
  durationMinutes: (Date.now() - started) / 60_000,
};
sayKill('');
sayKill(
  `fault trials: ${summary.sigkills} SIGKILLs and ${summary.redisRestarts} Redis restarts in ${summary.runs} runs`,
);
sayKill(
  `  outcome: ${summary.runsAsReference}/${summary.runs} runs exactly as the reference (log, state, receivers)` +
    (failed.length ? `; FAILED seeds ${failed.map((r) => r.seed).join(', ')}` : ''),
);
sayKill(
  `  SIGKILL moments: ${summary.killsAt.log} as the log grew, ${summary.killsAt.delivery} with deliveries in flight, ` +
    `${summary.killsAt.startUp} during start-up`,
);
sayKill(`  recovery after a SIGKILL: ${quantiles(kills.map((k) => k.recoverMs))}`);
if (restarts.length)
  sayKill(`  recovery after a Redis restart: ${quantiles(restarts.map((k) => k.recoverMs))}`);
sayKill(`  receipts repeated (at-least-once): ${summary.receiptsRepeated}`);
sayKill(
  `  processes that exited on their own and were started again: ${summary.exitsOnTheirOwn.length}` +
    (summary.exitsOnTheirOwn.length
      ? ` (exit codes ${[...new Set(summary.exitsOnTheirOwn)].join(', ')})`
      : ''),
);
sayKill(`  peak RSS of a service process: ${summary.peakRssMbMax.toFixed(0)} MB`);
sayKill(`  duration: ${summary.durationMinutes.toFixed(1)} min`);
// What the failed runs have in common: jobs BullMQ failed for good, by queue and reason.
const causes = new Map();
for (const r of failed) {
  const jobs = r.problems.flatMap((p) => [...p.matchAll(/failed (\w+) job \S+ after \S+ attempts: (.*)/g)]);
  const keys = new Set(jobs.map(([, queue, reason]) => `${queue} job failed: ${reason}`));
  if (keys.size === 0) keys.add(r.problems[0] ?? 'unknown');
  for (const k of keys) causes.set(k, (causes.get(k) ?? 0) + 1);
}
summary.failureCauses = Object.fromEntries(causes);
for (const [cause, n] of causes) sayKill(`  failed runs with ${cause}: ${n}`);

// ---- Redis failover trials -------------------------------------------------------------------
const { runFailoverTrial, describeFailover } = await load('test/topology/support.ts');
const topologyRuns = [];
for (const kind of topologies) {
  say('');
  say(
    `failover trials on ${kind === 'cluster' ? 'a Redis Cluster' : 'Sentinel'}: ${failoversTarget} failovers, ${failoversPerRun} a run`,
  );
  let killed = 0;
  let seed = firstSeed;
  while (killed < failoversTarget) {
    const n = Math.min(failoversPerRun, failoversTarget - killed);
    const runSeed = seed++;
    const result = await runFailoverTrial({
      kind,
      reference,
      failovers: n,
      seed: runSeed,
      log: (line) => say(`  [${kind} seed ${runSeed}] ${line}`),
    });
    topologyRuns.push(result);
    // A run that failed before its failovers still counts them, so the loop ends.
    killed += Math.max(result.failovers.length, result.problems.length > 0 ? n : 0);
    const verdict = result.problems.length === 0 ? 'as the reference' : `${result.problems.length} PROBLEMS`;
    say(
      `${kind} run seed ${runSeed}: ${verdict}; ${result.failovers.length} failovers ` +
        `(${result.failovers.map(describeFailover).join('; ')}), ${result.redeliveries} receipts repeated, ` +
        `${(result.durationMs / 1000).toFixed(0)} s`,
    );
    for (const p of result.problems) say(`  [${kind} seed ${runSeed}] ${p}`);
  }
}
const topologySummary = {};
for (const kind of topologies) {
  const runs = topologyRuns.filter((r) => r.kind === kind);
  const failovers = runs.flatMap((r) => r.failovers);
  topologySummary[kind] = {
    runs: runs.length,
    runsAsReference: runs.filter((r) => r.problems.length === 0).length,
    failovers: failovers.length,
    receiptsRepeated: runs.reduce((n, r) => n + r.redeliveries, 0),
  };
  say('');
  say(
    `${kind}: ${failovers.length} failovers in ${runs.length} runs, ${topologySummary[kind].runsAsReference}/${runs.length} exactly as the reference`,
  );
  say(`  replica promoted after: ${quantiles(failovers.map((f) => f.promotedMs))}`);
  say(`  writes accepted again after: ${quantiles(failovers.map((f) => f.writableMs))}`);
  say(`  delivering again after: ${quantiles(failovers.map((f) => f.recoverMs))}`);
  say(`  receipts repeated (at-least-once): ${topologySummary[kind].receiptsRepeated}`);
}
summary.topologies = topologySummary;
const topologyFailed = topologyRuns.filter((r) => r.problems.length > 0);

if (args.json) writeFileSync(args.json, JSON.stringify({ summary, results, topologyRuns }, null, 2));
process.exitCode = failed.length > 0 || topologyFailed.length > 0 ? 1 : 0;
