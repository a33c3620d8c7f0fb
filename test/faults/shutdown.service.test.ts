import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalRedis } from '../../src/store/local-redis.js';
import { spawnService } from '../support/processes.js';
import { importBaseline, uniquePrefix } from '../support/service.js';
import { waitFor } from '../support/wait.js';
import {
  delay,
  END_OF_TIMELINE,
  logLength,
  serviceEnv,
  startReplay,
  statusOf,
  Steps,
  waitReady,
} from './support.js';

/**
 * Shutdown when Redis has gone away first (a supervisor stopping everything at once): the
 * graceful close cannot finish, so the process exits at SHUTDOWN_TIMEOUT_MS, or at once on a
 * second signal, rather than hang on Redis reconnects.
 */
const steps = new Steps();
afterEach(() => steps.run());

const DELIVER_WORKER_ERROR = /"queue":"deliver","err":"connect ECONNREFUSED[^"]*","msg":"worker error"/;

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
  const length = logLength(redis.url, prefix);
  steps.add(async () => length.close());
  replay.setNow(END_OF_TIMELINE);
  // Work under way (events being logged), then Redis gone under it.
  await waitFor(async () => (await length.read()) > 0, { what: 'the first events logged', timeout: 30_000 });
  await redis.stop();
  // The service noticed: it answers not ready, and the delivery worker has logged its lost connection.
  await waitFor(async () => (await statusOf(`${p.api}/readyz`)) === 503, {
    what: '/readyz 503 with Redis gone',
  });
  await waitFor(() => DELIVER_WORKER_ERROR.test(p.output()), {
    what: 'the deliver worker logging its lost connection',
  });
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
    expect(p.output().match(new RegExp(DELIVER_WORKER_ERROR, 'g')) ?? []).toHaveLength(1);
    // BullMQ's connection errors go through the logger, not raw to stderr.
    expect(p.output()).not.toMatch(/^Error: connect ECONNREFUSED/m);
  }, 60_000);

  it('exits at once on a second signal', async () => {
    const p = await serviceWithoutRedis();
    p.child.kill('SIGTERM');
    await waitFor(() => /shutting down: finishing jobs in flight/.test(p.output()), {
      what: 'the graceful shutdown begun',
    });
    expect(p.child.exitCode).toBeNull(); // the close cannot finish without Redis
    const signalled = Date.now();
    p.child.kill('SIGTERM');
    const code = await Promise.race([p.exited, delay(10_000).then(() => 'still running')]);
    expect(code).toBe(1);
    expect(Date.now() - signalled).toBeLessThan(2_000);
    expect(p.output()).toMatch(/a second SIGTERM/);
  }, 60_000);
});
