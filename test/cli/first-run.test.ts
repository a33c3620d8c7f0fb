import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, pingRedis } from '../../src/store/local-redis.js';
import { runCli } from '../support/cli.js';
import { DEV_CORPUS } from '../support/fixtures.js';

/** The first run on a machine with no Redis running: the CLI starts one and says so. */
let port: number;
const dataDir = mkdtempSync(join(tmpdir(), 'fedreg-first-run-'));
afterAll(() => {
  if (port) spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a first run with no Redis', () => {
  it('starts a local redis-server with AOF under the data folder, says so, and uses it', async () => {
    port = await freePort();
    const env = { REDIS_URL: `redis://127.0.0.1:${port}`, START_LOCAL_REDIS: 'true', DATA_DIR: dataDir };
    expect(await pingRedis(env.REDIS_URL)).toBe(false);
    const imported = await runCli(['state', 'import', join(DEV_CORPUS, 'baseline.json')], { env });
    expect(imported.code).toBe(0);
    expect(imported.stderr).toMatch(
      new RegExp(`started redis-server on 127\\.0\\.0\\.1:${port} \\(AOF on, data in .*redis-${port}\\)`),
    );
    expect(imported.stdout).toMatch(/imported 236 entries as of 2016-03-21/);
    expect(existsSync(join(dataDir, `redis-${port}`))).toBe(true);
    // The server outlives the command: the next one finds it and says nothing about starting one.
    const shown = await runCli(['state', 'show'], { env });
    expect(shown.code).toBe(0);
    expect(shown.stderr).toBe('');
    expect(JSON.parse(shown.stdout)).toMatchObject({ asOf: '2016-03-21', entries: 236 });
  });

  it('says how to get a Redis when it may not start one', async () => {
    const env = { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, START_LOCAL_REDIS: 'false' };
    const res = await runCli(['state', 'show'], { env });
    expect(res.code).toBe(69);
    expect(res.stderr).toMatch(
      /no Redis answers at redis:\/\/127\.0\.0\.1:\d+\.\n {2}Start one \(docker compose up -d redis\)/,
    );
  });
});
