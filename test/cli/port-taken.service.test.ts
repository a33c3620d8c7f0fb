import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { spawnService } from '../support/processes.js';
import { dropPrefix, uniquePrefix } from '../support/service.js';

/**
 * A port held by another process: the service does not run half-started (workers busy, nothing
 * served) but releases what it had acquired and exits on its own, with one line naming the port.
 */
const redisUrl = inject('redisUrl');
const prefix = uniquePrefix('port');
const dataDir = mkdtempSync(join(tmpdir(), 'fedreg-port-taken-'));
let holder: Server;
let port: number;

beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  port = (holder.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => holder.close(() => resolve()));
  await dropPrefix(redisUrl, prefix);
  rmSync(dataDir, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  REDIS_URL: redisUrl,
  REDIS_PREFIX: prefix,
  START_LOCAL_REDIS: 'false',
  DATA_DIR: dataDir,
  // Nothing may be fetched: the process must stop before any worker starts.
  FR_API_BASE_URL: 'http://127.0.0.1:9/api/v1',
  PUBLIC_INSPECTION_ENABLED: 'false',
  ECFR_ENABLED: 'false',
  CSL_ENABLED: 'false',
  HTTP_HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  ...extra,
});

describe('a port held by another process', () => {
  it('`fedreg-watch start` exits non-zero at once, naming the port, with no process left running', async () => {
    const started = Date.now();
    // The child is killed at the deadline: a process still running then exits with no code.
    const res = await runCli(['start'], { env: env({ HTTP_PORT: String(port) }), timeoutMs: 20_000 });
    expect(res.code, res.stderr).toBe(78);
    expect(Date.now() - started).toBeLessThan(20_000);
    const lines = res.stderr.split('\n').filter((l) => l.startsWith('fedreg-watch:'));
    expect(lines).toEqual([
      `fedreg-watch: error [HTTP_PORT_IN_USE]: HTTP_PORT=${port}: 127.0.0.1:${port} is already in use by another process; stop that process or set HTTP_PORT to a free port`,
    ]);
    // Node's raw listen error never reaches the user.
    expect(res.stderr).not.toMatch(/^Error: listen EADDRINUSE/m);
  });

  it('a worker entry point with its METRICS_PORT taken exits the same way', async () => {
    const p = await spawnService(env({ METRICS_PORT: String(port), HTTP_PORT: '0' }), 'document');
    const deadline = new Promise<'still running'>((resolve) => {
      const timer = setTimeout(() => resolve('still running'), 20_000);
      void p.exited.then(() => clearTimeout(timer));
    });
    try {
      const code = await Promise.race([p.exited, deadline]);
      expect(code, p.output()).toBe(78);
      expect(p.output()).toMatch(
        new RegExp(
          `^fedreg-watch: error \\[HTTP_PORT_IN_USE\\]: METRICS_PORT=${port}: 127\\.0\\.0\\.1:${port} is already in use`,
          'm',
        ),
      );
    } finally {
      await p.kill('SIGKILL');
    }
  });
});
