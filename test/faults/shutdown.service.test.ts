import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalRedis } from '../../src/store/local-redis.js';
import { spawnService } from '../support/processes.js';
import { importBaseline, uniquePrefix } from '../support/service.js';
import { delay, END_OF_TIMELINE, serviceEnv, startReplay, Steps, waitReady } from './support.js';

/**
 * Shutdown when Redis has gone away first (a supervisor stopping everything at once): the
 * graceful close cannot finish, so the process exits at SHUTDOWN_TIMEOUT_MS, or at once on a
 * second signal, rather than hang on Redis reconnects.
 */
const steps = new Steps();
afterEach(() => steps.run());

async function serviceWithoutRedis(): Promise<Awaited<ReturnType<typeof spawnService>>> {
  const dir = mkdtempSync(join(tmpdir(), 'fedreg-shutdown-'));
  steps.add(async () => rmSync(dir, { recursive: true, force: true }));
  const redis = await startLocalRedis({ dir, appendOnly: true });
  steps.add(() => redis.stop());
  const prefix = uniquePrefix('sd');
  const replay = await startReplay();
  steps.add(() => replay.close());
  await importBaseline(redis.url, prefix);
  const p = await spawnService(
    serviceEnv(redis.url, prefix, replay, { SHUTDOWN_TIMEOUT_MS: '3000', LOG_LEVEL: 'info' }),
  );
  steps.add(() => p.kill('SIGKILL'));
  await waitReady(p.api);
  replay.setNow(END_OF_TIMELINE);
  await delay(1_000);
  await redis.stop();
  await delay(500);
  return p;
}

describe('shutdown with Redis gone', () => {
  it('exits at the shutdown deadline, saying why', async () => {
    const p = await serviceWithoutRedis();
    const signalled = Date.now();
    p.child.kill('SIGTERM');
    const code = await Promise.race([p.exited, delay(15_000).then(() => 'still running')]);
    const tookMs = Date.now() - signalled;
    expect(code).toBe(1);
    expect(tookMs).toBeGreaterThanOrEqual(2_900);
    expect(tookMs).toBeLessThan(10_000);
    expect(p.output()).toMatch(/"reason":"the 3000 ms shutdown deadline","msg":"shutdown did not finish/);
    // Connection errors are logged once per worker and message every 10 s, not at every reconnect.
    expect(
      p.output().match(/"queue":"deliver","err":"connect ECONNREFUSED[^"]*","msg":"worker error"/g) ?? [],
    ).toHaveLength(1);
    // BullMQ's connection errors go through the logger, not raw to stderr.
    expect(p.output()).not.toMatch(/^Error: connect ECONNREFUSED/m);
  }, 60_000);

  it('exits at once on a second signal', async () => {
    const p = await serviceWithoutRedis();
    p.child.kill('SIGTERM');
    await delay(300);
    expect(p.child.exitCode).toBeNull(); // the close cannot finish without Redis
    const signalled = Date.now();
    p.child.kill('SIGTERM');
    const code = await Promise.race([p.exited, delay(10_000).then(() => 'still running')]);
    expect(code).toBe(1);
    expect(Date.now() - signalled).toBeLessThan(2_000);
    expect(p.output()).toMatch(/a second SIGTERM/);
  }, 60_000);
});
