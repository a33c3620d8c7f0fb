import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createDeploymentGuard } from '../store/deployment-guard.js';
import { createKeys } from '../store/keys.js';
import { createRedis } from '../store/redis.js';
import { SubscriptionStore, type ExportedSubscription } from '../store/subscriptions.js';
import { refusal, type CommandIO } from './io.js';
import { configWithRedis } from './redis-bootstrap.js';

/**
 * `fedreg-watch subscriptions export [--out FILE] [--plaintext]` and `subscriptions import FILE`:
 * the subscriptions with their secrets, for getting them back after Redis lost its data (run the
 * export on a schedule; `recover --subscriptions FILE` imports it). With SECRETS_KEY set the
 * secrets stay encrypted in the file, as in Redis, and only open with that key (or one listed in
 * SECRETS_KEY_PREVIOUS); without it the export refuses unless told --plaintext.
 */
const USAGE =
  'usage: fedreg-watch subscriptions export [--out FILE] [--plaintext]\n       fedreg-watch subscriptions import FILE\n';
const FORMAT = 'fedreg-watch-subscriptions';

interface ExportFile {
  format: typeof FORMAT;
  version: 1;
  exportedAt: string;
  secrets: 'aes-256-gcm' | 'plain';
  subscriptions: ExportedSubscription[];
}

export async function subscriptionsCommand(
  argv: string[],
  io: CommandIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [sub, ...rest] = argv;
  let values: { out?: string; plaintext?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { out: { type: 'string' }, plaintext: { type: 'boolean' } },
    }));
  } catch (err) {
    io.stderr.write(`fedreg-watch subscriptions: ${(err as Error).message}\n${USAGE}`);
    return 64;
  }
  if ((sub !== 'export' && sub !== 'import') || (sub === 'import' && positionals.length !== 1)) {
    io.stderr.write(USAGE);
    return 64;
  }
  const items = sub === 'import' ? await readSubscriptionsExport(positionals[0]!, io) : [];
  if (typeof items === 'number') return items;
  const config = await configWithRedis(env, io);
  if (typeof config === 'number') return config;
  const redis = createRedis(config.redis, 'client');
  const keys = createKeys(config.redisPrefix);
  const store = new SubscriptionStore(redis, keys, { keys: config.secretsKeys });
  try {
    if (sub === 'export') {
      if (!store.encrypting && !values.plaintext) {
        io.stderr.write(
          'fedreg-watch subscriptions export: SECRETS_KEY is not set, so the file would hold every webhook secret in clear.\n' +
            '  Set SECRETS_KEY (secrets are then encrypted in Redis and in the export), or pass --plaintext and keep the file safe.\n',
        );
        return 2;
      }
      const file: ExportFile = {
        format: FORMAT,
        version: 1,
        exportedAt: new Date().toISOString(),
        secrets: store.encrypting ? 'aes-256-gcm' : 'plain',
        subscriptions: await store.exportAll(),
      };
      const text = JSON.stringify(file, null, 2) + '\n';
      if (values.out) await writeFile(values.out, text, { mode: 0o600 });
      else io.stdout.write(text);
      io.stderr.write(
        `exported ${file.subscriptions.length} subscription(s)${values.out ? ` to ${values.out}` : ''}\n`,
      );
      return 0;
    }
    const deployment = createDeploymentGuard(redis, keys, {
      redis: config.redis,
      dataDir: config.dataDir,
      now: Date.now,
    });
    const status = await deployment.check(0);
    if (status.kind === 'lost') {
      io.stderr.write(
        `error [REDIS_DATA_LOST]: ${status.reason}.\n  Recover with: fedreg-watch recover ... --subscriptions ${positionals[0]}\n`,
      );
      return 2;
    }
    const n = await store.importAll(items, Date.now());
    io.stdout.write(`imported ${n} subscription(s)\n`);
    return 0;
  } catch (err) {
    return refusal(io, err);
  } finally {
    redis.disconnect();
  }
}

/** Reads an export written by `subscriptions export`; an exit code when it cannot. */
export async function readSubscriptionsExport(
  path: string,
  io: CommandIO,
): Promise<ExportedSubscription[] | number> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<ExportFile>;
    if (parsed.format !== FORMAT || parsed.version !== 1 || !Array.isArray(parsed.subscriptions)) {
      io.stderr.write(
        `error [INPUT_INVALID]: ${path}: not a subscriptions export (expected "format": "${FORMAT}", "version": 1)\n`,
      );
      return 2;
    }
    return parsed.subscriptions;
  } catch (err) {
    io.stderr.write(`error [INPUT_INVALID]: ${path}: ${(err as Error).message}\n`);
    return 2;
  }
}
