import { readFile } from 'node:fs/promises';
import { parseSnapshot } from '../entity-list/snapshot.js';
import { addDays } from '../federal-register/dates.js';
import { DocumentCursor } from '../store/cursor.js';
import { createDeploymentGuard } from '../store/deployment-guard.js';
import { createKeys } from '../store/keys.js';
import { createRedis } from '../store/redis.js';
import { StateStore } from '../store/state.js';
import { refusal, type CommandIO } from './io.js';
import { configWithRedis } from './redis-bootstrap.js';

/**
 * `fedreg-watch state import SNAPSHOT.json [--force]`: stores a snapshot in Redis as the state at
 * its `asOf`; polling starts the day after. `fedreg-watch state show`: the state's date and size.
 */
const USAGE = 'usage: fedreg-watch state import SNAPSHOT.json [--force]\n       fedreg-watch state show\n';

export async function stateCommand(
  argv: string[],
  io: CommandIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'import' && sub !== 'show') {
    io.stderr.write(USAGE);
    return 64;
  }
  const config = await configWithRedis(env, io);
  if (typeof config === 'number') return config;
  const redis = createRedis(config.redis, 'client');
  const keys = createKeys(config.redisPrefix);
  const state = new StateStore(redis, keys);
  try {
    if (sub === 'show') {
      const meta = await state.meta();
      if (!meta.asOf) {
        io.stdout.write('no state imported\n');
        return 1;
      }
      const entries = await state.entryCount();
      io.stdout.write(JSON.stringify({ ...meta, entries }, null, 2) + '\n');
      return 0;
    }
    const file = rest.find((a) => !a.startsWith('--'));
    if (!file) {
      io.stderr.write(USAGE);
      return 64;
    }
    const snapshot = parseSnapshot(JSON.parse(await readFile(file, 'utf8')) as unknown, file);
    // On a Redis that lost this deployment's data, importing is half a recovery: `recover` does it all.
    const deployment = createDeploymentGuard(redis, keys, {
      redis: config.redis,
      dataDir: config.dataDir,
      now: Date.now,
      author: 'state import',
    });
    const status = await deployment.check(0);
    if (status.kind === 'lost') {
      io.stderr.write(
        `error [REDIS_DATA_LOST]: ${status.reason}.
  Recover with: fedreg-watch recover --snapshot ${file} (see README, "When Redis loses its data")
`,
      );
      return 2;
    }
    await state.importBaseline(snapshot, { force: rest.includes('--force'), now: Date.now() });
    // Polling resumes from the day after the snapshot, with nothing processed yet.
    await new DocumentCursor(redis, {
      prefix: keys.federalRegister,
      startDate: addDays(snapshot.asOf, 1),
    }).clear();
    io.stdout.write(
      `imported ${snapshot.entries.length} entries as of ${snapshot.asOf}; polling starts ${addDays(snapshot.asOf, 1)}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof SyntaxError) {
      io.stderr.write(`error [SNAPSHOT_INVALID]: ${rest[0]}: not JSON (${err.message})\n`);
      return 2;
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      io.stderr.write(`error [INPUT_INVALID]: ${rest[0]}: no such file\n`);
      return 2;
    }
    return refusal(io, err);
  } finally {
    redis.disconnect();
  }
}
