import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { loadConfig } from '../config.js';
import { startDemoReceiver, describeEvent } from '../demo/receiver.js';
import { isIsoDate } from '../entity-list/snapshot.js';
import type { CloudEvent } from '../events/cloudevent.js';
import { pino } from 'pino';
import { createLogger } from '../observe/logger.js';
import { createReplayServer } from '../replay/server.js';
import { startService } from '../service.js';
import {
  freePort,
  pingRedis,
  redisServerBinary,
  startLocalRedis,
  type LocalRedis,
} from '../store/local-redis.js';
import { createKeys } from '../store/keys.js';
import { createRedis } from '../store/redis.js';
import { StateStore } from '../store/state.js';
import type { CommandIO } from './io.js';

/**
 * `fedreg-watch demo [--until DATE] [--corpus DIR] [--port N] [--pace MS]`
 *
 * The whole service on a laptop in one command: a private Redis, the replay server on the
 * constructed Entity List timeline, the workers and HTTP API, and a webhook receiver that verifies
 * every signature and prints each event. The timeline plays date by date: a rule first appears on
 * public inspection, then is published, and its changes arrive as signed events, October 2019's
 * Hikvision, Dahua and Xinjiang public security bureaus among them. `--until` stops after that
 * date with a summary (exit 0 when every event arrived verified); without it the service keeps
 * running for you to explore until Ctrl-C.
 */
const USAGE = 'usage: fedreg-watch demo [--until YYYY-MM-DD] [--corpus DIR] [--port N] [--pace MS]\n';
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DEFAULT_CORPUS = join(PACKAGE_ROOT, 'test', 'fixtures', 'corpus', 'dev');
const BIS = 'industry-and-security-bureau';

interface DemoArgs {
  until?: string;
  corpus: string;
  port?: number;
  paceMs: number;
}

function parse(argv: string[]): DemoArgs | string {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        until: { type: 'string' },
        corpus: { type: 'string' },
        port: { type: 'string' },
        pace: { type: 'string' },
      },
    });
    if (values.until !== undefined && !isIsoDate(values.until))
      return '--until must be a date like 2019-10-09';
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
      return '--port must be a port number';
    const paceMs = values.pace === undefined ? 400 : Number(values.pace);
    if (!Number.isFinite(paceMs) || paceMs < 0) return '--pace must be milliseconds';
    return {
      corpus: resolve(values.corpus ?? DEFAULT_CORPUS),
      paceMs,
      ...(values.until ? { until: values.until } : {}),
      ...(port !== undefined ? { port } : {}),
    };
  } catch (err) {
    return (err as Error).message;
  }
}

export async function demoCommand(
  argv: string[],
  io: CommandIO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const args = parse(argv);
  if (typeof args === 'string') {
    io.stderr.write(`fedreg-watch demo: ${args}\n${USAGE}`);
    return 64;
  }
  if (!existsSync(join(args.corpus, 'baseline.json'))) {
    io.stderr.write(
      `fedreg-watch demo: ${args.corpus} has no baseline.json (expected a corpus laid out like test/fixtures/corpus/dev)\n`,
    );
    return 66;
  }
  const cleanup: Array<() => Promise<unknown>> = [];
  const out = (line = ''): void => void io.stdout.write(`${line}\n`);
  try {
    // 1. A private Redis, so the demo never touches yours.
    const redisUrl = await demoRedis(env, cleanup, io);
    if (!redisUrl) return 69;
    const prefix = `{fedreg-demo-${randomBytes(4).toString('hex')}}`;

    // 2. The replay server at the baseline's date, and the baseline imported.
    const replay = await createReplayServer({
      corpusDir: args.corpus,
      now: '1990-01-01T00:00:00Z',
      host: '127.0.0.1',
    });
    cleanup.push(() => replay.close());
    const baseline = replay.corpus.baseline;
    if (!baseline) throw new Error(`${args.corpus}/baseline.json could not be read`);
    replay.setNow(Date.parse(`${baseline.asOf}T23:59:59Z`));
    await importDemoBaseline(redisUrl, prefix, baseline);

    // 3. The service, as `start` runs it, with a fresh admin token.
    const adminToken = randomBytes(18).toString('base64url');
    const logFile = join(mkdtempSync(join(dataDir(), 'demo-')), 'service.log');
    cleanup.push(async () => rmSync(dirname(logFile), { recursive: true, force: true }));
    const config = loadConfig({
      ...env,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      FR_API_BASE_URL: replay.apiBase,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(args.port ?? (await freePort())),
      ADMIN_TOKEN: adminToken,
      POLL_INTERVAL_MS: '250',
      PUBLIC_INSPECTION_INTERVAL_MS: '250',
      ECFR_ENABLED: 'false',
      CSL_ENABLED: 'false',
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
      WEBHOOK_RETRY_SCHEDULE: '500ms,1s,2s,5s',
      FR_RATE_MARGIN_MS: '100',
      LOG_LEVEL: env.LOG_LEVEL ?? 'info',
    });
    const logger = createLogger(config.logLevel, pino.destination({ dest: logFile, sync: true }));
    // The service's clock follows the replay server's, as it follows the real one in production.
    const service = await startService({ config, logger, sourceNow: () => replay.now() });
    cleanup.push(() => service.close());
    const api = service.url!;

    // 4. A subscriber that verifies every signature and prints what it receives.
    const highlights = new Set<string>();
    const receiver = await startDemoReceiver((event) => {
      out(`  ${describeEvent(event)}`);
      const d = event.data as { name?: string };
      if (d.name && /hikvision|dahua|xinjiang|public security bureau/i.test(d.name)) highlights.add(d.name);
    });
    cleanup.push(() => receiver.close());
    const sub = await request(`${api}/v1/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, description: 'demo receiver' }),
    });
    const created = (await sub.body.json()) as { id: string; secret: string };
    receiver.setSecret(created.secret);

    // 5. Play the timeline, one publication date at a time.
    const documents = replay.corpus.documents.filter(
      (d) =>
        d.publicationDate > baseline.asOf &&
        (!args.until || d.publicationDate <= args.until) &&
        isBis(d.record),
    );
    const dates = [...new Set(documents.map((d) => d.publicationDate))];
    out(`fedreg-watch demo: ${documents.length} Entity List rules from ${args.corpus}`);
    out(
      `  the list starts as of ${baseline.asOf} with ${baseline.entries.length} entries; events arrive signed at ${receiver.url}`,
    );
    out();
    const seenRules = new Set<string>();
    const seenWarnings = new Set<string>();
    const watch = startWatching(api, (e) => {
      const n = (e.data as { documentNumber?: string }).documentNumber;
      if (!n) return;
      if (e.type === 'gov.bis.entitylist.rule.published') seenRules.add(n);
      if (e.type === 'gov.bis.entitylist.rule.public_inspection') seenWarnings.add(n);
    });
    cleanup.push(() => watch.stop());
    for (const date of dates) {
      const todays = documents.filter((d) => d.publicationDate === date);
      if (date === '2019-10-09')
        out(
          '  ★ 9 October 2019: FR Doc 2019-22210 (84 FR 54002) adds Hikvision, Dahua and 20 Xinjiang public security bodies',
        );
      // On public inspection first (filed a business day or more before publication)…
      const filedAt = Math.max(...todays.map((d) => d.filedAt.ms)) + 60_000;
      if (filedAt < Date.parse(`${date}T00:00:00Z`)) {
        replay.setNow(filedAt);
        // Only filings whose title names the Entity List get the early warning: wait a little.
        await until(() => todays.every((d) => seenWarnings.has(d.number)), 3_000).catch(() => undefined);
        await sleep(args.paceMs);
      }
      // …then published.
      replay.setNow(Date.parse(`${date}T12:00:00Z`));
      await until(() => todays.every((d) => seenRules.has(d.number)), 120_000);
      await until(() => allDelivered(watch.ids, receiver.ids), 30_000);
      await sleep(args.paceMs);
    }
    // The receiver can be ahead of the feed watcher (it polls), so wait until both hold the same ids.
    await until(() => sameIds(watch.ids, receiver.ids), 30_000).catch(() => undefined);
    const missing = [...watch.ids].filter((id) => !receiver.ids.has(id)).length;
    const unlogged = [...receiver.ids].filter((id) => !watch.ids.has(id)).length;
    out();
    out(
      `Done: ${documents.length} rules applied, ${watch.ids.size} events logged, ${receiver.ids.size} received and verified, ${receiver.rejected} refused signatures.`,
    );
    if (missing > 0 || unlogged > 0)
      out(`  ${missing} logged events never arrived; ${unlogged} arrived that the log does not hold.`);
    if (highlights.size > 0)
      out(
        `  October 2019, as it arrived: ${[...highlights].slice(0, 4).join('; ')}${highlights.size > 4 ? ` and ${highlights.size - 4} more` : ''}.`,
      );
    out();
    out('Where to look:');
    out(`  event feed        ${api}/v1/events?limit=20      (resume with ?after=<next>)`);
    out(`  the list          ${api}/v1/entities            (the day before: ?asOf=2019-10-08)`);
    out(`  one document      ${api}/v1/documents/2019-22210`);
    out(`  metrics           ${api}/metrics`);
    out(`  queue dashboard   ${api}/admin/queues            (Authorization: Bearer ${adminToken})`);
    out(`  service log       ${logFile}`);
    if (args.until) return missing === 0 && unlogged === 0 && receiver.rejected === 0 ? 0 : 1;

    out();
    out('The service keeps running; Ctrl-C to stop.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    return 0;
  } catch (err) {
    io.stderr.write(`fedreg-watch demo: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  }
}

/** Demo files go under the project's data folder (git ignores it) and are removed at the end. */
function dataDir(): string {
  const dir = join(PACKAGE_ROOT, '.data');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function isBis(record: { agencies?: Array<{ slug?: string }> }): boolean {
  return (record.agencies ?? []).some((a) => a.slug === BIS);
}

async function demoRedis(
  env: NodeJS.ProcessEnv,
  cleanup: Array<() => Promise<unknown>>,
  io: CommandIO,
): Promise<string | undefined> {
  if (redisServerBinary()) {
    const dir = mkdtempSync(join(dataDir(), 'demo-redis-'));
    const redis: LocalRedis = await startLocalRedis({ dir });
    cleanup.push(async () => {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    return redis.url;
  }
  const url = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await pingRedis(url)) return url;
  io.stderr.write(
    'fedreg-watch demo: needs Redis: install redis-server (sudo apt-get install redis-server) or start one (docker compose up -d redis) and set REDIS_URL\n',
  );
  return undefined;
}

async function importDemoBaseline(
  redisUrl: string,
  prefix: string,
  baseline: Parameters<StateStore['importBaseline']>[0],
): Promise<void> {
  const redis = createRedis(redisUrl, 'client');
  try {
    await new StateStore(redis, createKeys(prefix)).importBaseline(baseline, { now: Date.now() });
  } finally {
    redis.disconnect();
  }
}

/** Follows the service's own event feed, the way a screening service would. */
function startWatching(
  api: string,
  onEvent: (e: CloudEvent) => void,
): { ids: ReadonlySet<string>; stop(): Promise<void> } {
  let after = '0-0';
  const ids = new Set<string>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const res = await request(`${api}/v1/events?after=${after}&limit=1000`);
        const page = (await res.body.json()) as { events: CloudEvent[]; next: string };
        for (const e of page.events) {
          ids.add(e.id);
          onEvent(e);
        }
        after = page.next;
      } catch {
        /* the service may be starting or stopping */
      }
      await sleep(150);
    }
  })();
  return {
    ids,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

function allDelivered(logged: ReadonlySet<string>, received: ReadonlySet<string>): boolean {
  for (const id of logged) if (!received.has(id)) return false;
  return true;
}

function sameIds(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && allDelivered(a, b);
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(
        `the demo waited ${timeoutMs / 1000} s for events that did not come; see the service log`,
      );
    await sleep(100);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
