import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  pingRedis,
  redisServerBinary,
  startLocalRedis,
  type LocalRedis,
} from '../../src/store/local-redis.js';

/**
 * Tests run against a real redis-server (no mocks). Use REDIS_URL or the default local one when it
 * answers; otherwise start our own, installing Debian's redis-server first where it is missing.
 */
let started: LocalRedis | undefined;
let dir: string | undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export async function setup(project: TestProject): Promise<void> {
  buildDist();
  const candidates = [process.env.REDIS_URL, 'redis://127.0.0.1:6379'].filter((u): u is string => !!u);
  for (const url of candidates) {
    if (await pingRedis(url)) {
      project.provide('redisUrl', url);
      return;
    }
  }
  if (!redisServerBinary()) installRedis();
  dir = mkdtempSync(join(tmpdir(), 'fedreg-test-redis-'));
  started = await startLocalRedis({ dir });
  project.provide('redisUrl', started.url);
}

export async function teardown(): Promise<void> {
  await started?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/**
 * Process-level tests (the CLI, the service under SIGKILL, the demo) run the built JavaScript, as
 * users do; build it once before any test starts so they never run a stale dist/. Incremental
 * (its record kept in dist/, so a removed dist/ is built whole): with nothing changed it takes 2 s
 * instead of 10, before any test can start.
 */
function buildDist(): void {
  const tsc = ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'];
  const incremental = ['--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'];
  const res = spawnSync(process.execPath, [...tsc, ...incremental], {
    stdio: 'inherit',
  });
  if (res.status !== 0)
    throw new Error('tsc -p tsconfig.build.json failed; fix the type errors above first.');
}

function installRedis(): void {
  const cmd = 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server';
  const asRoot = process.getuid?.() === 0 ? cmd : `sudo sh -c '${cmd}'`;
  const res = spawnSync('sh', ['-c', asRoot], { stdio: 'inherit' });
  if (res.status !== 0 || !redisServerBinary()) {
    throw new Error(
      'No Redis reachable and redis-server could not be installed (apt-get install redis-server).',
    );
  }
}
