import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, redisServerBinary } from '../../src/store/local-redis.js';

/**
 * Redis topologies for tests and fault trials, started the way an operator would and the way
 * `grade.py e2e --cluster/--sentinel` does: plain `redis-server` processes on 127.0.0.1, on free
 * ports, AOF on, each stopped by its own pid, their folder removed at the end. No mocks.
 */

export interface Node {
  port: number;
  process: ChildProcess;
  /** Starts the node again on its port and folder (after a kill): it rejoins as a replica. */
  restart(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 10000 > 65535 || taken.has(port) || taken.has(port + 10000)) continue;
    if (await canBind(port + 10000)) return port;
  }
}

/** A redis-server (or, with `--sentinel` args, a Sentinel) that can be killed and started again. */
function startNode(port: number, args: string[]): Node {
  const binary = redisServerBinary();
  if (!binary) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const node: Node = {
    port,
    process: spawn(binary, args, { stdio: 'ignore' }),
    async restart() {
      await stopProcess(node.process, 'SIGKILL');
      node.process = spawn(binary, args, { stdio: 'ignore' });
      await until(`redis-server on ${port} again`, async () => (await ask(port, 'PING')) === 'PONG', 10_000);
    },
  };
  return node;
}

function serverArgs(dir: string, port: number, extra: string[]): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    ...extra,
  ];
}

/** SIGKILL (a crash) or SIGTERM, then wait for the process to be gone. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}

/** One command to one server, on a connection of its own (never retried). */
export async function ask(port: number, ...args: string[]): Promise<unknown> {
  const r = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  r.on('error', () => {});
  try {
    await r.connect();
    return await r.call(args[0]!, ...args.slice(1));
  } finally {
    r.disconnect();
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

// ---- Redis Cluster ---------------------------------------------------------------------------

export interface LocalCluster {
  nodes: Node[];
  /** `REDIS_CLUSTER_NODES` for the service. */
  env: string;
  /** The port of the primary serving `key`'s slot now. */
  primaryFor(key: string): Promise<number>;
  /** SIGKILLs the node on `port` (its replica takes over after cluster-node-timeout). */
  kill(port: number): Promise<void>;
  /** Waits until every slot is served again (`cluster_state:ok` as `port` sees it). */
  waitOk(port: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `primaries` primaries with a replica each, created with `redis-cli --cluster create` (as an
 * operator does, and as grade.py does). `nodeTimeoutMs` is cluster-node-timeout: how long a primary
 * must be unreachable before its replica is promoted.
 */
export async function startCluster(
  options: { primaries?: number; nodeTimeoutMs?: number } = {},
): Promise<LocalCluster> {
  const primaries = options.primaries ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'fedreg-cluster-'));
  const nodes: Node[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => stopProcess(n.process)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const taken = new Set<number>();
    for (let i = 0; i < primaries * 2; i++) {
      const port = await clusterPort(taken);
      taken.add(port).add(port + 10000);
      const nodeDir = join(dir, String(port));
      mkdirSync(nodeDir, { recursive: true });
      nodes.push(
        startNode(
          port,
          serverArgs(nodeDir, port, [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-node-timeout',
            String(options.nodeTimeoutMs ?? 3_000),
            '--cluster-replica-validity-factor',
            '0',
          ]),
        ),
      );
    }
    for (const n of nodes)
      await until(`redis-server on ${n.port}`, async () => (await ask(n.port, 'PING')) === 'PONG', 10_000);
    const created = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (created.status !== 0)
      throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    await until(
      'the cluster to form, every replica linked',
      async () => {
        const info = String(await ask(nodes[0]!.port, 'CLUSTER', 'INFO'));
        const links = await Promise.all(nodes.map((n) => ask(n.port, 'INFO', 'replication')));
        const linked = links.filter(
          (l) => /role:slave/.test(String(l)) && /master_link_status:up/.test(String(l)),
        );
        return /cluster_state:ok/.test(info) && linked.length === primaries;
      },
      30_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const alive = (): Node[] =>
    nodes.filter((n) => n.process.exitCode === null && n.process.signalCode === null);
  const cluster: LocalCluster = {
    nodes,
    env: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    async primaryFor(key) {
      const port = alive()[0]!.port;
      const slot = Number(await ask(port, 'CLUSTER', 'KEYSLOT', key));
      const shards = (await ask(port, 'CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
      const shard = shards.find(([from, to]) => from <= slot && slot <= to);
      if (!shard) throw new Error(`no node serves slot ${slot}`);
      return Number(shard[2][1]);
    },
    async kill(port) {
      const node = nodes.find((n) => n.port === port);
      if (!node) throw new Error(`no cluster node on ${port}`);
      await stopProcess(node.process, 'SIGKILL');
    },
    async waitOk(port, timeoutMs = 30_000) {
      await until(
        'cluster_state:ok',
        async () => /cluster_state:ok/.test(String(await ask(port, 'CLUSTER', 'INFO'))),
        timeoutMs,
      );
    },
    stop,
  };
  return cluster;
}

// ---- Sentinel --------------------------------------------------------------------------------

export interface LocalSentinelGroup {
  name: string;
  primary: Node;
  replica: Node;
  sentinels: Node[];
  /** `REDIS_SENTINELS` for the service. */
  env: string;
  /** The port a Sentinel (the first, unless told) names as the primary now. */
  primaryPort(sentinelPort?: number): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A primary, one replica and three Sentinels (quorum 2) watching it under `name`, as grade.py's
 * `--sentinel` starts them. `downAfterMs` is how long the primary must not answer before the
 * Sentinels agree it is down and promote the replica.
 */
export async function startSentinelGroup(
  options: { name?: string; downAfterMs?: number } = {},
): Promise<LocalSentinelGroup> {
  const name = options.name ?? 'fedreg';
  const dir = mkdtempSync(join(tmpdir(), 'fedreg-sentinel-'));
  const all: Node[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(all.map((n) => stopProcess(n.process)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const start = async (label: string, extra: string[]): Promise<Node> => {
      const port = await freePort();
      const nodeDir = join(dir, `${label}-${port}`);
      mkdirSync(nodeDir, { recursive: true });
      const node = startNode(port, serverArgs(nodeDir, port, extra));
      all.push(node);
      return node;
    };
    const primary = await start('primary', []);
    const replica = await start('replica', ['--replicaof', '127.0.0.1', String(primary.port)]);
    const sentinels: Node[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
          `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 2_000}`,
          `sentinel failover-timeout ${name} 10000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      const node = startNode(port, [conf, '--sentinel']);
      all.push(node);
      sentinels.push(node);
    }
    await until(
      'the replica linked and known to Sentinel',
      async () => {
        const link = String(await ask(replica.port, 'INFO', 'replication'));
        const known = JSON.stringify(await ask(sentinels[0]!.port, 'SENTINEL', 'REPLICAS', name));
        return /master_link_status:up/.test(link) && known.includes(String(replica.port));
      },
      30_000,
    );
    return {
      name,
      primary,
      replica,
      sentinels,
      env: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
      async primaryPort(sentinelPort = sentinels[0]!.port) {
        const addr = (await ask(sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[];
        return Number(addr[1]);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
