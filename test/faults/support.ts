import { closeSync, copyFileSync, cpSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { request } from 'undici';
import type { Snapshot } from '../../src/entity-list/types.js';
import type { CloudEvent } from '../../src/events/cloudevent.js';
import { seededRandom } from '../../src/replay/faults.js';
import { createReplayServer, type ReplayServer } from '../../src/replay/server.js';
import { createKeys } from '../../src/store/keys.js';
import { freePort } from '../../src/store/local-redis.js';
import { createRedis } from '../../src/store/redis.js';
import { matchesFilter, type SubscriptionFilter } from '../../src/store/subscriptions.js';
import { corpusDocuments, DEV_CORPUS, FIXTURES, readSnapshot } from '../support/fixtures.js';
import { spawnService, type ServiceProcess } from '../support/processes.js';
import {
  independentlyVerified,
  recordingListener,
  startReceiver,
  type Received,
  type Receiver,
} from '../support/receiver.js';
import type { Reference } from '../support/reference.js';
import { serviceQueues } from '../support/wait.js';
import {
  ADMIN_TOKEN,
  dropPrefix,
  FAST_LIMITS,
  importBaseline,
  uniquePrefix,
  waitFor,
} from '../support/service.js';

/**
 * What the fault trials share: real service processes against the replay server and real
 * receivers, and one verdict — the event log, the state and every receiver's event ids are
 * exactly what a fault-free run gives (`referenceRun()`). The verdict is a list of problems rather
 * than assertions, so that `scripts/fault-trials.mjs` can run the same trials many times and count.
 */

export const BASELINE = readSnapshot(join(DEV_CORPUS, 'baseline.json'));
/** A replay clock past the whole dev timeline: every document is published. */
export const END_OF_TIMELINE = Date.parse('2035-01-01T00:00:00Z');
/**
 * The Federal Register budget's allowance for jitter. Tokens are taken on Redis's clock and
 * requests reach the replay server a little later and unevenly on a loaded 2-core machine; the
 * trials widen it so that the server's own count stays within 5/s and 1/s.
 */
export const RATE_MARGIN_MS = '600';

/** Cleanup steps run in reverse order, every one even if another fails. */
export class Steps {
  private steps: Array<() => Promise<unknown>> = [];

  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    const steps = this.steps.reverse();
    this.steps = [];
    for (const step of steps) await step().catch(() => undefined);
  }
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- HTTP ------------------------------------------------------------------------------------

export interface Answer {
  status: number;
  body: unknown;
  text: string;
}

/** One request to the service; the admin token unless `token` says otherwise (null: none). */
export async function call(
  api: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: { body?: unknown; token?: string | null } = {},
): Promise<Answer> {
  const token = options.token === undefined ? ADMIN_TOKEN : options.token;
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(`${api}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.body.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.statusCode, body, text };
}

/** The status of a GET, or undefined when nothing answers. */
export async function statusOf(url: string): Promise<number | undefined> {
  try {
    const res = await request(url, { headersTimeout: 5_000, bodyTimeout: 5_000 });
    await res.body.dump();
    return res.statusCode;
  } catch {
    return undefined;
  }
}

export async function waitReady(api: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `${api}/readyz`,
    async () => ((await statusOf(`${api}/readyz`)) === 200 ? true : undefined),
    timeoutMs,
  );
}

export interface Subscribed {
  id: string;
  secret: string;
  filter: SubscriptionFilter;
}

export async function subscribe(api: string, url: string, filter?: SubscriptionFilter): Promise<Subscribed> {
  const res = await call(api, 'POST', '/v1/subscriptions', { body: { url, ...(filter ? { filter } : {}) } });
  if (res.status !== 201) throw new Error(`subscribing ${url}: ${res.status} ${res.text}`);
  const body = res.body as { id: string; secret: string; subscription: { filter: SubscriptionFilter } };
  return { id: body.id, secret: body.secret, filter: body.subscription.filter };
}

export async function feed(api: string): Promise<CloudEvent[]> {
  const res = await call(api, 'GET', '/v1/events?limit=100000', { token: null });
  return (res.body as { events: CloudEvent[] }).events;
}

export async function entities(api: string): Promise<Snapshot> {
  return (await call(api, 'GET', '/v1/entities', { token: null })).body as Snapshot;
}

export interface DocumentView {
  status: string;
  quarantine?: { code: string; message: string; attempts?: number };
  events: CloudEvent[];
}

export async function documentView(api: string, number: string): Promise<DocumentView> {
  return (await call(api, 'GET', `/v1/documents/${number}`, { token: null })).body as DocumentView;
}

export async function documentLists(
  api: string,
): Promise<{ pending: string[]; quarantined: string[]; count: number }> {
  return (await call(api, 'GET', '/v1/documents', { token: null })).body as {
    pending: string[];
    quarantined: string[];
    count: number;
  };
}

// ---- Receivers -------------------------------------------------------------------------------

/** A real receiver and what it subscribed to. */
export interface TrialReceiver {
  name: string;
  receiver: Receiver;
  subscription?: Subscribed;
}

export function receivedIds(r: Receiver): Set<string> {
  return new Set(r.received.map((x) => String(x.headers['webhook-id'])));
}

/** Receipts answered 2xx are not known to a receiver; a receiver that fails counts its own. */
export async function plainReceiver(latency?: () => number): Promise<Receiver> {
  return startReceiver((_r, res) => {
    const ms = latency?.() ?? 0;
    if (ms > 0) setTimeout(() => res.writeHead(200).end('ok'), ms);
    else res.writeHead(200).end('ok');
  });
}

/**
 * A receiver on a port of its own that starts down (connections refused) and can come up and go
 * down again; what it receives is recorded across its lives.
 */
export interface SwitchableReceiver extends Receiver {
  up(): Promise<void>;
  down(): Promise<void>;
}

export async function switchableReceiver(
  respond: (req: Received, res: ServerResponse) => void = (_r, res) => res.writeHead(200).end('ok'),
): Promise<SwitchableReceiver> {
  const port = await freePort();
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let server: Server | undefined;
  const handler = recordingListener(received, respond);
  const down = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (!s) return;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    connections: () => connections,
    close: down,
    down,
    up: async () => {
      if (server) return;
      const s = createServer(handler);
      s.on('connection', (socket) => {
        connections++;
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
      server = s;
    },
  };
}

export function expectedIds(reference: Reference, filter: SubscriptionFilter = {}): string[] {
  return reference.events.filter((e) => matchesFilter(filter, e)).map((e) => e.id);
}

/** The reference's events from documents published on or before `date` (YYYY-MM-DD), in order. */
export function eventsUpTo(reference: Reference, date: string): CloudEvent[] {
  const published = new Map(corpusDocuments().map((d) => [d.number, d.publicationDate]));
  return reference.events.filter((e) => {
    const number = /\/documents\/([^/]+)$/.exec(e.source)?.[1];
    return number !== undefined && (published.get(number) ?? '9999') <= date;
  });
}

/** Whether every receiver holds every event its filter asks for (duplicates allowed). */
export function receiversComplete(reference: Reference, receivers: readonly TrialReceiver[]): boolean {
  return receivers.every((r) => {
    const got = receivedIds(r.receiver);
    return expectedIds(reference, r.subscription?.filter).every((id) => got.has(id));
  });
}

// ---- The verdict -----------------------------------------------------------------------------

const sample = (xs: readonly string[]): string =>
  xs.length <= 5 ? xs.join(', ') : `${xs.slice(0, 5).join(', ')} … (${xs.length})`;

/**
 * Everything that differs from a fault-free run: the log (same events, same order, no duplicate
 * ids), the state, and each receiver (exactly its filter's ids; every copy of an id the same
 * signed body as the log has for it, so never a different id for the same change).
 */
export async function referenceProblems(
  api: string,
  reference: Reference,
  receivers: readonly TrialReceiver[],
): Promise<string[]> {
  const problems: string[] = [];
  const logged = await feed(api);
  const ids = logged.map((e) => e.id);
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dupes.length > 0) problems.push(`log: duplicate ids ${sample(dupes)}`);
  const want = reference.events.map((e) => e.id);
  if (!isDeepStrictEqual(ids, want)) {
    const at = want.findIndex((id, i) => ids[i] !== id);
    problems.push(
      `log: ${ids.length} events, reference ${want.length}; first difference at ${at} ` +
        `(${ids[at] ?? 'none'} instead of ${want[at] ?? 'none'})`,
    );
  } else {
    const differing = logged.filter((e, i) => !sameEvent(e, reference.events[i]));
    if (differing.length > 0)
      problems.push(
        `log: events differ from the reference in content: ${sample(differing.map((e) => e.id))}`,
      );
  }
  const state = await entities(api);
  if (!isDeepStrictEqual(state.entries, reference.state.entries)) {
    problems.push(
      `state: ${state.entries?.length} entries, reference ${reference.state.entries.length}, not equal`,
    );
  }
  const bodyOf = new Map(logged.map((e) => [e.id, e]));
  for (const { name, receiver, subscription } of receivers) {
    const expected = new Set(expectedIds(reference, subscription?.filter));
    const got = receivedIds(receiver);
    const missing = [...expected].filter((id) => !got.has(id));
    const unexpected = [...got].filter((id) => !expected.has(id));
    if (missing.length > 0) problems.push(`${name}: missing ${sample(missing)}`);
    if (unexpected.length > 0) problems.push(`${name}: unexpected ids ${sample(unexpected)}`);
    const mismatched = receiver.received.filter((r) => {
      const id = String(r.headers['webhook-id']);
      const event = bodyOf.get(id);
      return !event || !isDeepStrictEqual(JSON.parse(r.body) as unknown, event);
    });
    if (mismatched.length > 0)
      problems.push(
        `${name}: ${mismatched.length} deliveries whose body is not the logged event of their id`,
      );
    if (subscription) {
      const unsigned = receiver.received.filter((r) => !independentlyVerified(r, subscription.secret));
      if (unsigned.length > 0) problems.push(`${name}: ${unsigned.length} deliveries not validly signed`);
    }
  }
  return problems;
}

/**
 * The same event, but for where its document's web page is: the service links the page the API it
 * polls names (the replay server's), the reference the page's address as stored in the corpus.
 */
function sameEvent(a: CloudEvent, b: CloudEvent | undefined): boolean {
  const page = (e: CloudEvent): CloudEvent => {
    const data = e.data as { htmlUrl?: unknown } | null;
    if (typeof data?.htmlUrl !== 'string') return e;
    return { ...e, data: { ...data, htmlUrl: new URL(data.htmlUrl, 'http://x').pathname } };
  };
  return b !== undefined && isDeepStrictEqual(page(a), page(b));
}

/** How often each id arrived more than once at a receiver (at-least-once: allowed, counted). */
export function redeliveries(receivers: readonly TrialReceiver[]): number {
  let n = 0;
  for (const { receiver } of receivers) n += receiver.received.length - receivedIds(receiver).size;
  return n;
}

// ---- Processes -------------------------------------------------------------------------------

/** Peak resident set size of a live process (Linux `VmHWM`), in MB. */
export function peakRssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The environment of a service process for one trial. */
export function serviceEnv(
  redisUrl: string,
  prefix: string,
  replay: ReplayServer,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    FR_API_BASE_URL: replay.apiBase,
    POLL_INTERVAL_MS: '200',
    FR_RATE_MARGIN_MS: RATE_MARGIN_MS,
    WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,400ms,800ms,1600ms',
    // The CLI commands a trial runs with this environment too (recover, backfill).
    ...FAST_LIMITS,
    ...extra,
  };
}

/** A replay server for a corpus with its clock at the baseline: nothing published yet. */
export async function startReplay(corpusDir = DEV_CORPUS): Promise<ReplayServer> {
  return createReplayServer({ corpusDir, now: `${BASELINE.asOf}T23:59:59Z`, host: '127.0.0.1' });
}

/**
 * A trial's timeline: the replay server at the baseline (nothing published yet) and the baseline
 * imported under `prefix` of `redisUrl`. `steps` closes the one and drops the other.
 */
export async function startTimeline(
  steps: Steps,
  redisUrl: string,
  prefix: string,
  corpusDir?: string,
): Promise<ReplayServer> {
  const replay = await startReplay(corpusDir);
  steps.add(() => replay.close());
  steps.add(() => dropPrefix(redisUrl, prefix));
  await importBaseline(redisUrl, prefix);
  return replay;
}

/** The length of the event log, read from Redis (the service may be down when we ask). */
export function logLength(
  redisUrl: string,
  prefix: string,
): { read: () => Promise<number>; close: () => void } {
  const redis = createRedis(redisUrl, 'client', { maxRetriesPerRequest: 1 });
  const key = createKeys(prefix).events;
  return {
    read: async () => {
      try {
        return await redis.xlen(key);
      } catch {
        return -1;
      }
    },
    close: () => redis.disconnect(),
  };
}

// ---- Trial 5: hostile documents -------------------------------------------------------------

export interface HostileDocument {
  number: string;
  publicationDate: string;
  what: string;
  /** The reason code it must be quarantined with, and what the message must say. */
  code: string;
  message: RegExp;
  /** Written at test time (too big to keep in the repository). */
  generate?: (file: string) => void;
}

/** 50 MB: above both the client's body limit (32 MiB) and the parser's. */
const FIFTY_MB = 50 * 1024 * 1024;

/**
 * Hostile full-text XML, each published between good documents of the dev timeline, so that the
 * documents after it prove the worker went on. Small ones are fixtures (test/fixtures/hostile,
 * described in its README); the large ones are generated.
 */
export const HOSTILE_DOCUMENTS: readonly HostileDocument[] = [
  {
    number: '2016-90001',
    publicationDate: '2016-05-02',
    what: 'entity bomb',
    code: 'XML_ENTITY_FORBIDDEN',
    message: /declares 10 entities/,
  },
  {
    number: '2017-90002',
    publicationDate: '2017-02-01',
    what: 'external entities',
    code: 'XML_ENTITY_FORBIDDEN',
    message: /external entity/,
  },
  {
    number: '2018-90003',
    publicationDate: '2018-05-01',
    what: '50 MB',
    code: 'FR_BAD_BODY',
    message: /sent more than 33554432 bytes/,
    generate: (file) => {
      const fd = openSync(file, 'w');
      try {
        writeSync(fd, '<?xml version="1.0" encoding="UTF-8"?>\n<RULE>\n<SUPLINF>\n');
        const paragraph = `<P>${'The Entity List identifies entities for which there is reasonable cause to believe. '.repeat(64)}</P>\n`;
        const chunk = Buffer.from(paragraph.repeat(Math.ceil((1024 * 1024) / paragraph.length)));
        for (let written = 0; written < FIFTY_MB; written += chunk.length) writeSync(fd, chunk);
        writeSync(fd, '</SUPLINF>\n</RULE>\n');
      } finally {
        closeSync(fd);
      }
    },
  },
  {
    number: '2019-90004',
    publicationDate: '2019-02-01',
    what: '10,000-deep nesting',
    code: 'XML_TOO_DEEP',
    message: /nest deeper than the limit of 256/,
    generate: (file) =>
      writeFileSync(
        file,
        `<?xml version="1.0" encoding="UTF-8"?>\n<RULE>${'<P>'.repeat(10_000)}deep${'</P>'.repeat(10_000)}</RULE>\n`,
      ),
  },
  {
    number: '2020-90005',
    publicationDate: '2020-02-03',
    what: 'not XML (a PDF)',
    code: 'FR_BAD_BODY',
    message: /did not answer XML/,
  },
  {
    number: '2021-90007',
    publicationDate: '2021-06-01',
    what: 'an HTML page',
    code: 'XML_WRONG_ROOT',
    message: /found <html>/,
  },
  {
    number: '2022-90006',
    publicationDate: '2022-01-10',
    what: 'wrong encoding',
    code: 'XML_ENCODING',
    message: /not valid UTF-8/,
  },
];

/**
 * The dev corpus with the hostile documents added, laid out like it (`api/<n>.json`,
 * `docs/<n>.xml`) in `dir`. Their API records are 2019-22210's with the number, dates and URLs
 * changed, so the poll finds them as BIS rules under part 744.
 */
export function buildHostileCorpus(dir: string): void {
  cpSync(DEV_CORPUS, dir, { recursive: true });
  const template = readFileSync(join(DEV_CORPUS, 'api', '2019-22210.json'), 'utf8');
  for (const doc of HOSTILE_DOCUMENTS) {
    const path = doc.publicationDate.replaceAll('-', '/');
    const record = JSON.parse(
      template
        .replaceAll('2019-22210', doc.number)
        .replaceAll('2019/10/09', path)
        .replaceAll('2019-10-09', doc.publicationDate),
    ) as Record<string, unknown>;
    record.title = `Hostile test document: ${doc.what}`;
    writeFileSync(join(dir, 'api', `${doc.number}.json`), JSON.stringify(record, null, 2));
    const xml = join(dir, 'docs', `${doc.number}.xml`);
    if (doc.generate) doc.generate(xml);
    else copyFileSync(join(FIXTURES, 'hostile', 'docs', `${doc.number}.xml`), xml);
  }
}

// ---- Trial 1: SIGKILL at random points -------------------------------------------------------

/**
 * What was watched to pick a moment: the log's length (the apply drain and fan-out are running)
 * or the receivers' receipts (deliveries in flight). `redis` restarts the trial's redis-server at
 * a length of the log instead of killing the service.
 */
export type KillPoint = 'log' | 'delivery' | 'redis';

export interface KillRecord {
  point: KillPoint;
  threshold: number;
  /** Extra wait after the threshold was reached, ms. */
  afterMs: number;
  /** Nothing of the kind was left to do: the new process was killed during start-up. */
  duringStartup: boolean;
  logLength: number;
  receipts: number;
  /** From the kill until the pipeline moved again (log or receipts grew), ms. */
  recoverMs?: number;
}

export interface KillRunResult {
  seed: number;
  kills: KillRecord[];
  /** Service processes started (the first one included). */
  processes: number;
  problems: string[];
  /** Receipts of an id a receiver had already had (at-least-once: allowed, counted). */
  redeliveries: number;
  /** Exit codes of service processes that stopped on their own (and were started again). */
  exits: Array<number | null>;
  durationMs: number;
  /** Peak RSS of the last service process, MB. */
  peakRssMb?: number;
}

export interface KillRunOptions {
  redisUrl: string;
  reference: Reference;
  /** Faults in the run: SIGKILLs of the service (and Redis restarts when `restartRedis` is given). */
  kills: number;
  seed: number;
  /** Stops and starts the run's own redis-server (AOF on); makes a third of the faults Redis restarts. */
  restartRedis?: () => Promise<void>;
  /** Ceiling for the whole run to complete after the last fault. */
  completeWithinMs?: number;
  log?: (line: string) => void;
}

/**
 * One run of the dev timeline with `kills` SIGKILLs of the service process at random moments
 * (seeded), each followed by a new process on the same Redis. A moment is a length of the log or a
 * count of receipts (one receiver answers slowly, so deliveries are in flight), drawn from what is
 * left to do, plus a random wait of up to 300 ms; when nothing of that kind is left, the new
 * process is killed during start-up. The moments are drawn from a seeded RNG; what is in flight at
 * a moment depends on timing, so a seed repeats the plan, not the exact interleaving.
 */
export async function runKillTrial(options: KillRunOptions): Promise<KillRunResult> {
  const { redisUrl, reference } = options;
  const log = options.log ?? (() => undefined);
  const rng = seededRandom(options.seed);
  const started = Date.now();
  const steps = new Steps();
  const kills: KillRecord[] = [];
  let processes = 0;
  let current: ServiceProcess | undefined;
  let finished = false;
  const exits: Array<number | null> = [];
  const prefix = uniquePrefix('kill');
  let observed = async (): Promise<string> => 'nothing observed yet';
  try {
    const replay = await startTimeline(steps, redisUrl, prefix);
    const slow = await plainReceiver(() => Math.floor(rng() * 40));
    const russia = await plainReceiver();
    steps.add(() => slow.close());
    steps.add(() => russia.close());
    const env = serviceEnv(redisUrl, prefix, replay);
    const length = logLength(redisUrl, prefix);
    steps.add(async () => length.close());

    // The harness is the supervisor (compose's `restart: unless-stopped`): a process that exits on
    // its own, as one started while Redis is down does (exit 69), is started again.
    const killedByUs = new WeakSet<ServiceProcess>();
    const spawn = async (): Promise<ServiceProcess> => {
      const proc = await spawnService(env);
      processes++;
      steps.add(() => proc.kill('SIGKILL'));
      current = proc;
      void proc.exited.then(async (code) => {
        if (finished || killedByUs.has(proc) || proc !== current) return;
        exits.push(code);
        log(`the service exited on its own (code ${code}); starting another`);
        await delay(1_000);
        if (!finished && proc === current) await spawn();
      });
      return proc;
    };
    const service = (): ServiceProcess => current!;
    await spawn();
    await waitReady(service().api);
    const receivers: TrialReceiver[] = [
      { name: 'slow', receiver: slow, subscription: await subscribe(service().api, slow.url) },
      {
        name: 'russia',
        receiver: russia,
        subscription: await subscribe(service().api, russia.url, { countries: ['RUSSIA'] }),
      },
    ];
    const totalReceipts = receivers.reduce(
      (n, r) => n + expectedIds(reference, r.subscription?.filter).length,
      0,
    );
    const receipts = (): number => receivers.reduce((n, r) => n + receivedIds(r.receiver).size, 0);
    observed = async () => `the harness reads log ${await length.read()}, receipts ${receipts()}`;
    const complete = async (): Promise<boolean> =>
      (await length.read()) >= reference.events.length && receiversComplete(reference, receivers);
    replay.setNow(END_OF_TIMELINE);

    for (let k = 0; k < options.kills; k++) {
      const draw = rng();
      const point: KillPoint =
        options.restartRedis && draw < 1 / 3
          ? 'redis'
          : draw < (options.restartRedis ? 2 / 3 : 0.5)
            ? 'log'
            : 'delivery';
      const total = point === 'delivery' ? totalReceipts : reference.events.length;
      const progress = async (): Promise<number> => (point === 'delivery' ? receipts() : length.read());
      // Somewhere in what is left to do; when that has already been done, during start-up.
      const now = Math.max(0, await progress());
      const duringStartup = now >= total;
      const threshold = duringStartup ? now : now + 1 + Math.floor(rng() * Math.max(0, total - now - 1));
      const afterMs = Math.floor(rng() * 300);
      if (!duringStartup) {
        await waitFor(
          `${point} ≥ ${threshold}`,
          async () => ((await progress()) >= threshold ? true : undefined),
          180_000,
        );
      }
      await delay(afterMs);
      const record: KillRecord = {
        point,
        threshold,
        afterMs,
        duringStartup,
        logLength: await length.read(),
        receipts: receipts(),
      };
      const killedAt = Date.now();
      if (point === 'redis') {
        await options.restartRedis!();
      } else {
        const victim = service();
        killedByUs.add(victim);
        await victim.kill('SIGKILL');
        await spawn();
      }
      kills.push(record);
      log(
        `${point === 'redis' ? 'Redis restart' : 'SIGKILL'} ${k + 1}/${options.kills}: ${point} ≥ ${threshold}` +
          `${duringStartup ? ' (during start-up)' : ''} +${afterMs} ms; log ${record.logLength}, receipts ${record.receipts}`,
      );
      // Recovery: how long until the pipeline moves again (unless it had nothing left to do).
      void (async () => {
        while (!finished && !(await complete())) {
          if ((await length.read()) > record.logLength || receipts() > record.receipts) {
            record.recoverMs = Date.now() - killedAt;
            return;
          }
          await delay(100);
        }
      })();
      // The next kill may come during start-up, but not before the process exists to be killed.
      await delay(50);
    }

    await waitFor(
      'the whole timeline logged and delivered',
      async () => ((await complete()) ? true : undefined),
      options.completeWithinMs ?? 240_000,
    );
    // Ready: whichever process is current by then (one may exit and be replaced meanwhile).
    await waitFor(
      'a ready service',
      async () => ((await statusOf(`${service().api}/readyz`)) === 200 ? true : undefined),
      60_000,
    );
    // Deliveries still in flight (a retry of a receipt already counted) land before the verdict.
    const queues = serviceQueues(redisUrl, prefix);
    steps.add(() => queues.close());
    await queues.drained(60_000);
    const p = service();
    const problems = await referenceProblems(p.api, reference, receivers);
    const docs = await documentLists(p.api);
    if (docs.pending.length > 0) problems.push(`documents still pending: ${docs.pending.join(', ')}`);
    if (docs.quarantined.length > 0) problems.push(`documents quarantined: ${docs.quarantined.join(', ')}`);
    const peak = peakRssMb(p.child.pid);
    return {
      seed: options.seed,
      kills,
      processes,
      problems,
      redeliveries: redeliveries(receivers),
      exits,
      durationMs: Date.now() - started,
      ...(peak !== undefined ? { peakRssMb: peak } : {}),
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const tail = (current?.output() ?? '').split('\n').slice(-12).join('\n');
    return {
      seed: options.seed,
      kills,
      processes,
      problems: [
        `run failed: ${message}`,
        await observed(),
        ...(await diagnose(redisUrl, prefix).catch((e: unknown) => [`diagnosis failed: ${String(e)}`])),
        ...(tail ? [`last process output:\n${tail}`] : []),
      ],
      redeliveries: 0,
      exits,
      durationMs: Date.now() - started,
    };
  } finally {
    finished = true;
    await steps.run();
  }
}

/** Where a run that did not complete is stuck: documents in line, and jobs by queue and state. */
export async function diagnose(redisUrl: string, prefix: string): Promise<string[]> {
  const redis = createRedis(redisUrl, 'client');
  try {
    const keys = createKeys(prefix);
    const lines: string[] = [
      `events logged: ${await redis.xlen(keys.events)}; documents seen: ${await redis.zcard(keys.docsAll)}; ` +
        `fan-out cursor: ${await redis.get(keys.fanoutCursor)}`,
    ];
    // A document hash with a status but no record: discovered half-way, and invisible since.
    const docKeys = await redis.keys(`${keys.doc('*')}`);
    for (const key of docKeys.sort()) {
      const h = await redis.hgetall(key);
      if (!h.documentNumber) lines.push(`${key} holds only ${JSON.stringify(h)}`);
    }
    const pending = await redis.zrange(keys.docsPending, '0', '-1');
    for (const n of pending) lines.push(`document ${n} pending: ${await redis.hget(keys.doc(n), 'status')}`);
    for (const queue of ['poll', 'document', 'apply', 'fanout', 'deliver']) {
      const q = `${prefix}:${queue}`;
      const [wait, active, delayed, failed] = await Promise.all([
        redis.llen(`${q}:wait`),
        redis.lrange(`${q}:active`, 0, -1),
        redis.zcard(`${q}:delayed`),
        redis.zrange(`${q}:failed`, '0', '-1'),
      ]);
      lines.push(
        `queue ${queue}: wait ${wait}, active ${active.length} [${active.slice(0, 5).join(' ')}], delayed ${delayed}, failed ${failed.length}`,
      );
      for (const id of failed.slice(0, 10)) {
        const [reason, attempts] = await redis.hmget(`${q}:${id}`, 'failedReason', 'attemptsMade');
        lines.push(`  failed ${queue} job ${id} after ${attempts} attempts: ${reason}`);
      }
    }
    return lines;
  } finally {
    redis.disconnect();
  }
}
