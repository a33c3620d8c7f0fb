import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { createReplayServer, type ReplayServer } from '../../src/replay/server.js';
import { startService, type Service } from '../../src/service.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedis } from '../../src/store/redis.js';
import { StateStore } from '../../src/store/state.js';
import { createLogger } from '../../src/observe/logger.js';
import { DEV_CORPUS, readSnapshot } from './fixtures.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A key prefix of its own for each test, with a hash tag like production's. */
export function uniquePrefix(label = 'fw'): string {
  return `{${label}-${randomBytes(5).toString('hex')}}`;
}

/**
 * Production's rate budgets and job lock are made to be waited out: 1 XML download a second, and a
 * killed worker's jobs taken up 15-20 s later. Against a local replay server tests lower them
 * (every service a test starts gets these unless it says otherwise); the tests of the rate limits
 * themselves set `PRODUCTION_RATE_LIMITS`.
 */
export const FAST_LIMITS: Readonly<Record<string, string>> = {
  FR_API_REQUESTS_PER_SECOND: '200',
  FR_XML_REQUESTS_PER_SECOND: '100',
  SOURCES_REQUESTS_PER_SECOND: '100',
  // The lock outlives event-loop stalls of a loaded 2-core machine; the check every second finds a
  // killed worker's jobs within about 5 s instead of 20.
  JOB_LOCK_MS: '4000',
  JOB_STALLED_INTERVAL_MS: '1000',
};

/** The configuration's default rate budgets, spelled out by the tests that check they are kept. */
export const PRODUCTION_RATE_LIMITS: Readonly<Record<string, string>> = {
  FR_API_REQUESTS_PER_SECOND: '5',
  FR_XML_REQUESTS_PER_SECOND: '1',
  SOURCES_REQUESTS_PER_SECOND: '1',
};

/** Configuration as the environment would give it, for a test's Redis prefix and replay server. */
export function testConfig(
  redisUrl: string,
  prefix: string,
  apiBase: string,
  env: Record<string, string> = {},
): Readonly<Config> {
  return loadConfig({
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    FR_API_BASE_URL: apiBase,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    ADMIN_TOKEN,
    POLL_INTERVAL_MS: '200',
    PUBLIC_INSPECTION_ENABLED: 'false',
    ECFR_ENABLED: 'false',
    CSL_ENABLED: 'false',
    WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
    WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,400ms,800ms',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...FAST_LIMITS,
    ...env,
  });
}

/** Imports a snapshot the way `state import` does. */
export async function importBaseline(
  redisUrl: string,
  prefix: string,
  snapshotPath = join(DEV_CORPUS, 'baseline.json'),
): Promise<void> {
  const redis = createRedis(redisUrl, 'client');
  try {
    await new StateStore(redis, createKeys(prefix)).importBaseline(readSnapshot(snapshotPath), {
      now: Date.now(),
    });
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key under a test's prefix (never FLUSHDB: other tests share the server). */
export async function dropPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = createRedis(redisUrl, 'client');
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export interface Harness {
  replay: ReplayServer;
  service: Service;
  config: Readonly<Config>;
  api: string;
  close(): Promise<void>;
}

/** The dev timeline's replay server at the baseline date, its baseline imported, and the service running. */
export async function startHarness(redisUrl: string, env: Record<string, string> = {}): Promise<Harness> {
  const prefix = uniquePrefix();
  const baseline = readSnapshot(join(DEV_CORPUS, 'baseline.json'));
  const replay = await createReplayServer({
    corpusDir: DEV_CORPUS,
    now: `${baseline.asOf}T23:59:59Z`,
    host: '127.0.0.1',
  });
  await importBaseline(redisUrl, prefix);
  const config = testConfig(redisUrl, prefix, replay.apiBase, env);
  const service = await startService({ config, logger: createLogger(config.logLevel) });
  return {
    replay,
    service,
    config,
    api: service.url!,
    async close() {
      await service.close();
      await replay.close();
      await dropPrefix(redisUrl, prefix);
    },
  };
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
