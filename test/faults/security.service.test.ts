import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ReplayServer } from '../../src/replay/server.js';
import { freePort } from '../../src/store/local-redis.js';
import { DeadLetterStore } from '../../src/store/dead-letters.js';
import { createKeys } from '../../src/store/keys.js';
import { createRedis } from '../../src/store/redis.js';
import { spawnService, type ServiceProcess } from '../support/processes.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { referenceRun } from '../support/reference.js';
import { ADMIN_TOKEN, uniquePrefix, waitFor } from '../support/service.js';
import { serviceQueues } from '../support/wait.js';
import {
  call,
  delay,
  eventsUpTo,
  plainReceiver,
  receivedIds,
  serviceEnv,
  startTimeline,
  Steps,
  subscribe,
  waitReady,
  type Answer,
  type Subscribed,
} from './support.js';

/**
 * Fault trial 6: security. Admin routes refuse requests without the admin token and change
 * nothing; subscriptions to private addresses are refused; no secret (subscription secrets, the
 * admin token) appears in the service's logs at debug level, in BullMQ's job data or anywhere else
 * in Redis but the subscription's own hash, or in error messages and admin views.
 */
const redisUrl = inject('redisUrl');
const reference = referenceRun();
/** Three documents of the timeline: enough for deliveries, retries, a rotation and dead letters. */
const UNTIL = '2016-12-31';

const steps = new Steps();
const prefix = uniquePrefix('sec');
let p: ServiceProcess;
let replay: ReplayServer;
let plain: Receiver;
let flaky: Receiver;
let gone: Receiver;
const subs: Record<'plain' | 'flaky' | 'gone', Subscribed> = {} as never;
const secrets: string[] = [ADMIN_TOKEN];
/** Every answer the trial got back, scanned for secrets at the end. */
const answers: Answer[] = [];

const seen = async (a: Promise<Answer>): Promise<Answer> => {
  const answer = await a;
  answers.push(answer);
  return answer;
};

beforeAll(async () => {
  replay = await startTimeline(steps, redisUrl, prefix);
  plain = await plainReceiver();
  const attempts = new Map<string, number>();
  flaky = await startReceiver((r, res) => {
    const id = String(r.headers['webhook-id']);
    attempts.set(id, (attempts.get(id) ?? 0) + 1);
    res.writeHead(attempts.get(id)! === 1 ? 503 : 200).end();
  });
  gone = await startReceiver((_r, res) => res.writeHead(410).end());
  for (const r of [plain, flaky, gone]) steps.add(() => r.close());
  p = await spawnService(serviceEnv(redisUrl, prefix, replay, { LOG_LEVEL: 'debug' }));
  steps.add(() => p.kill('SIGKILL'));
  await waitReady(p.api);
  subs.plain = await subscribe(p.api, plain.url);
  subs.flaky = await subscribe(p.api, flaky.url, { countries: ['RUSSIA'] });
  subs.gone = await subscribe(p.api, gone.url);
  // The one answer that carries a secret, by design: a rotation gives the admin the new one.
  const rotated = await call(p.api, 'POST', `/v1/subscriptions/${subs.flaky.id}/rotate-secret`);
  const newSecret = (rotated.body as { secret: string }).secret;
  for (const s of [subs.plain.secret, subs.flaky.secret, newSecret, subs.gone.secret]) {
    expect(s).toMatch(/^whsec_/);
    // The key itself too, without its prefix: a leak need not keep the "whsec_".
    secrets.push(s, s.slice('whsec_'.length));
  }

  replay.setNow(Date.parse(`${UNTIL}T12:00:00Z`));
  const want = eventsUpTo(reference, UNTIL).map((e) => e.id);
  await waitFor(
    'the first documents delivered',
    () => (want.every((id) => receivedIds(plain).has(id)) ? true : undefined),
    120_000,
  );
  // The flaky receiver's retries (every first attempt fails) and the dead letters settle.
  const queues = serviceQueues(redisUrl, prefix);
  try {
    await queues.drained();
  } finally {
    await queues.close();
  }
}, 180_000);

afterAll(() => steps.run());

/** What an admin request could change: subscriptions with their secrets, dead letters, documents, queues. */
async function adminState(): Promise<unknown> {
  const redis = createRedis(redisUrl, 'client');
  try {
    const keys = createKeys(prefix);
    const ids = (await redis.smembers(keys.subscriptions)).sort();
    return {
      subscriptions: await Promise.all(ids.map((id) => redis.hgetall(keys.subscription(id)))),
      deadLetters: await new DeadLetterStore(redis, keys).list(),
      quarantined: await redis.smembers(keys.docsQuarantined),
      document: await redis.hget(keys.doc('2016-06777'), 'status'),
      paused: await Promise.all(
        ['deliver', 'document', 'poll'].map((q) => redis.hget(`${prefix}:${q}:meta`, 'paused')),
      ),
      held: await redis.exists(keys.sourceHeld('csl')),
    };
  } finally {
    redis.disconnect();
  }
}

describe('fault trial: security', () => {
  it('answers 401 to admin routes without the token, or with a wrong one, and changes nothing', async () => {
    const before = await adminState();
    const routes: Array<['GET' | 'POST' | 'DELETE' | 'PUT', string, unknown?]> = [
      ['POST', '/v1/subscriptions', { url: `${plain.url}/more` }],
      ['GET', '/v1/subscriptions'],
      ['GET', `/v1/subscriptions/${subs.plain.id}`],
      ['DELETE', `/v1/subscriptions/${subs.plain.id}`],
      ['POST', `/v1/subscriptions/${subs.plain.id}/rotate-secret`],
      ['POST', `/v1/subscriptions/${subs.gone.id}/enable`],
      ['POST', `/v1/subscriptions/${subs.gone.id}/redeliver`],
      ['GET', '/v1/dead-letters'],
      ['POST', '/v1/documents/2016-06777/retry'],
      ['GET', '/v1/sources'],
      ['POST', '/v1/sources/csl/release'],
      ['GET', '/admin/queues'],
      ['GET', '/admin/queues/api/queues'],
      ['PUT', '/admin/queues/api/queues/deliver/pause'],
    ];
    const presented: Array<[string, Record<string, string>]> = [
      ['no token', {}],
      ['a wrong token', { authorization: 'Bearer not-the-admin-token-0000' }],
      ['the token with a character missing', { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}` }],
      [
        'wrong Basic credentials',
        { authorization: `Basic ${Buffer.from('admin:guess-123456').toString('base64')}` },
      ],
    ];
    const refused: string[] = [];
    for (const [method, path, body] of routes) {
      for (const [how, headers] of presented) {
        const res = await request(`${p.api}${path}`, {
          method,
          headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        const text = await res.body.text();
        answers.push({ status: res.statusCode, body: text, text });
        if (res.statusCode !== 401) refused.push(`${method} ${path} with ${how}: ${res.statusCode} ${text}`);
      }
    }
    expect(refused).toEqual([]);
    expect(await adminState()).toEqual(before);
  });

  it('refuses subscriptions to private, loopback and link-local addresses', async () => {
    const before = (await call(p.api, 'GET', '/v1/subscriptions')).body;
    const privateTargets = [
      'http://10.0.0.5/hook',
      'https://10.255.255.1:8443/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://192.168.1.20/hook',
      'http://172.16.5.4/hook',
      'http://[::1]:8080/hook',
      'http://[fe80::1]/hook',
      'http://[::ffff:10.0.0.1]/hook',
      'http://0.0.0.0:8080/hook',
    ];
    // A process that allow-lists nothing: localhost is refused too.
    const strict = await spawnService(
      { ...serviceEnv(redisUrl, prefix, replay), WEBHOOK_ALLOWED_NETWORKS: '' },
      'http',
    );
    steps.add(() => strict.kill('SIGKILL'));
    await waitReady(strict.api);
    const port = await freePort();
    const outcomes: string[] = [];
    for (const [api, url] of [
      ...privateTargets.map((u) => [p.api, u]),
      [strict.api, `http://localhost:${port}/hook`],
      [strict.api, `http://127.0.0.1:${port}/hook`],
      [strict.api, plain.url],
    ] as Array<[string, string]>) {
      const res = await seen(call(api, 'POST', '/v1/subscriptions', { body: { url } }));
      const code = (res.body as { error?: { code?: string } }).error?.code;
      outcomes.push(`${url} → ${res.status} ${code}`);
      expect(res.status, url).toBe(422);
      expect(code, url).toBe('WEBHOOK_URL_FORBIDDEN');
    }
    console.log(`security: refused ${outcomes.join('; ')}`);
    expect((await call(p.api, 'GET', '/v1/subscriptions')).body).toEqual(before);
  });

  it('keeps every secret out of the logs, job data, the rest of Redis and error messages', async () => {
    const leaks = (where: string, text: string): string[] =>
      secrets.filter((s) => text.includes(s)).map((s) => `${where} holds ${s.slice(0, 10)}…`);
    const found: string[] = [];

    // The service's own output, run at LOG_LEVEL=debug.
    const output = p.output();
    expect(output).toMatch(/document applied/);
    expect(output).toMatch(/delivery dead-lettered/);
    found.push(...leaks('the service log', output));

    // Every key under the prefix: the secrets may live in the subscription hashes and nowhere else.
    const redis = createRedis(redisUrl, 'client');
    const keys = createKeys(prefix);
    let scanned = 0;
    let jobHashes = 0;
    try {
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        for (const key of batch) {
          scanned++;
          const text = await dump(redis, key);
          if (
            /^[^:]+:(poll|document|apply|fanout|deliver|reconcile):[^:]+$/.test(key) &&
            text.includes('"data"')
          )
            jobHashes++;
          if (key.startsWith(keys.subscription(''))) continue;
          found.push(...leaks(`Redis key ${key}`, text));
        }
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    expect(jobHashes).toBeGreaterThan(10);

    // Error messages and admin views: dead letters (410 and retries), documents, metrics, the
    // subscription views, and every answer above (401s, SSRF refusals).
    const deadLetters = await call(p.api, 'GET', '/v1/dead-letters');
    expect((deadLetters.body as { deadLetters: unknown[] }).deadLetters.length).toBeGreaterThan(0);
    const views = [
      deadLetters,
      await call(p.api, 'GET', '/v1/subscriptions'),
      ...(await Promise.all(Object.values(subs).map((s) => call(p.api, 'GET', `/v1/subscriptions/${s.id}`)))),
      await call(p.api, 'GET', '/v1/documents'),
      await call(p.api, 'GET', '/v1/documents/2016-06777'),
      await call(p.api, 'GET', '/metrics'),
      await call(p.api, 'GET', '/v1/subscriptions/sub_nope'),
      await call(p.api, 'POST', '/v1/subscriptions', { body: { url: 'not a url' } }),
      await call(p.api, 'POST', `/v1/subscriptions/${subs.gone.id}/redeliver`),
    ];
    for (const [i, answer] of [...views, ...answers].entries())
      found.push(...leaks(`answer ${i}`, answer.text));

    // Configuration errors name the variable, never its value.
    const shortToken = 'tok-1234567';
    const badConfig = await spawnService(
      { REDIS_URL: redisUrl, ADMIN_TOKEN: shortToken, LOG_LEVEL: 'debug' },
      'http',
    );
    expect(await badConfig.exited).toBe(78);
    expect(badConfig.output()).toMatch(/ADMIN_TOKEN/);
    found.push(
      ...(badConfig.output().includes(shortToken) ? ['a configuration error holds the admin token'] : []),
    );
    const redisPassword = 'hunter2-redis-password';
    const noRedis = await spawnService(
      { REDIS_URL: `redis://:${redisPassword}@127.0.0.1:${await freePort()}`, LOG_LEVEL: 'debug' },
      'http',
    );
    const exit = await Promise.race([noRedis.exited, delay(5_000).then(() => noRedis.kill('SIGKILL'))]);
    expect(noRedis.output().length).toBeGreaterThan(0);
    found.push(
      ...(noRedis.output().includes(redisPassword) ? ['a Redis error holds the Redis password'] : []),
    );

    console.log(
      `security: scanned ${output.length} bytes of debug log, ${scanned} Redis keys (${jobHashes} job hashes), ` +
        `${views.length + answers.length} answers; Redis password process exited ${exit}`,
    );
    expect(found).toEqual([]);
  }, 60_000);
});

/** A key's whole content as text, whatever its type. */
async function dump(redis: ReturnType<typeof createRedis>, key: string): Promise<string> {
  switch (await redis.type(key)) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, '0', '-1'));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    default:
      return '';
  }
}
