import { join, resolve } from 'node:path';
import { DEFAULT_REDIS_URL, loadConfig, type Config } from '../config.js';
import { pingRedis, redisServerBinary, startLocalRedis } from '../store/local-redis.js';
import type { CommandIO } from './io.js';

/**
 * The first run needs a Redis. When none answers at the configured URL and the URL is the
 * default (nobody pointed us anywhere), start a local redis-server with AOF under the data folder
 * and say so; with no redis-server on the machine, stop with a message that says how to get one.
 * The started server outlives this process, so `state import` and `start` share it.
 */
export async function ensureRedis(config: Readonly<Config>, io: CommandIO): Promise<boolean> {
  if (await pingRedis(config.redisUrl)) return true;
  if (!config.startLocalRedis || config.redisUrl !== DEFAULT_REDIS_URL) {
    io.stderr.write(
      `fedreg-watch: no Redis answers at ${redact(config.redisUrl)}.\n` +
        '  Start one (docker compose up -d redis), or unset REDIS_URL to let fedreg-watch start a local one.\n',
    );
    return false;
  }
  const binary = redisServerBinary();
  if (!binary) {
    io.stderr.write(
      'fedreg-watch: no Redis answers at 127.0.0.1:6379 and redis-server is not installed.\n' +
        '  Get one with:  docker compose up -d redis\n' +
        '  or install your distribution\u2019s package:  sudo apt-get install redis-server  (Debian/Ubuntu)\n',
    );
    return false;
  }
  const dir = resolve(join(config.dataDir, 'redis'));
  const port = Number(new URL(config.redisUrl).port || 6379);
  await startLocalRedis({ dir, port, binary, detached: true });
  io.stderr.write(
    `fedreg-watch: no Redis was running, so I started redis-server on 127.0.0.1:${port} (AOF on, data in ${dir}).\n` +
      '  It keeps running after fedreg-watch stops; stop it with: redis-cli -p ' +
      `${port} shutdown\n`,
  );
  return true;
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * What every command that talks to Redis does first: read the configuration (every problem at
 * once; exit 78) and make sure a Redis answers (exit 69). Returns the configuration, or the exit
 * code to return.
 */
export async function configWithRedis(
  env: NodeJS.ProcessEnv,
  io: CommandIO,
): Promise<Readonly<Config> | number> {
  let config: Readonly<Config>;
  try {
    config = loadConfig(env);
  } catch (err) {
    io.stderr.write(`fedreg-watch: ${(err as Error).message}\n`);
    return 78;
  }
  return (await ensureRedis(config, io)) ? config : 69;
}
