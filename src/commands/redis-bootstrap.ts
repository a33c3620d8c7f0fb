import { join, resolve } from 'node:path';
import { loadConfig, type Config } from '../config.js';
import { pingRedis, redisServerBinary, startLocalRedis } from '../store/local-redis.js';
import { describeTarget, pingTarget } from '../store/redis.js';
import type { CommandIO } from './io.js';

/**
 * The first run needs a Redis. When none answers at the configured URL, the URL names this
 * machine (127.0.0.1 or localhost, no password) and starting one is allowed (the default when
 * REDIS_URL is unset, or START_LOCAL_REDIS=true), start a redis-server with AOF under the data
 * folder on that port and say so; with no redis-server on the machine, stop with a message that
 * says how to get one. The started server outlives this process, so `state import` and `start`
 * share it.
 */
export async function ensureRedis(config: Readonly<Config>, io: CommandIO): Promise<boolean> {
  // A cluster or a Sentinel group is the operator's: never start one, say which did not answer.
  if (config.redis.kind !== 'standalone') {
    if (await pingTarget(config.redis)) return true;
    io.stderr.write(`fedreg-watch: ${describeTarget(config.redis)} did not answer PING.\n`);
    return false;
  }
  if (await pingRedis(config.redisUrl)) return true;
  const url = new URL(config.redisUrl);
  const local =
    ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) && !url.password && url.protocol === 'redis:';
  if (!config.startLocalRedis || !local) {
    io.stderr.write(
      `fedreg-watch: no Redis answers at ${redact(config.redisUrl)}.\n` +
        '  Start one (docker compose up -d redis), or unset REDIS_URL to let fedreg-watch start a local one.\n',
    );
    return false;
  }
  const port = Number(url.port || 6379);
  const binary = redisServerBinary();
  if (!binary) {
    io.stderr.write(
      `fedreg-watch: no Redis answers at 127.0.0.1:${port} and redis-server is not installed.\n` +
        '  Get one with:  docker compose up -d redis\n' +
        '  or install your distribution\u2019s package:  sudo apt-get install redis-server  (Debian/Ubuntu)\n',
    );
    return false;
  }
  const dir = resolve(join(config.dataDir, port === 6379 ? 'redis' : `redis-${port}`));
  await startLocalRedis({ dir, port, binary, detached: true });
  io.stderr.write(
    `fedreg-watch: no Redis was running, so I started redis-server on 127.0.0.1:${port} (AOF on, data in ${dir}).\n` +
      `  It keeps running after fedreg-watch stops; stop it with: redis-cli -p ${port} shutdown\n`,
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
