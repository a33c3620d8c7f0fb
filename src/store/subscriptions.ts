import { randomBytes } from 'node:crypto';
import type { RedisClient } from './redis.js';
import { generateSecret } from '../delivery/signing.js';
import { normalizeCountry } from '../entity-list/identity.js';
import type { CloudEvent } from '../events/cloudevent.js';
import type { Keys } from './keys.js';

/**
 * Webhook subscriptions. Secrets live only here (never in job data, logs or errors); a rotation
 * keeps the previous secret signing alongside the new one for a grace period, so receivers can
 * switch without losing deliveries (Standard Webhooks allows several signatures).
 *
 * Each subscription is a hash whose fields change independently with single atomic commands
 * (HSET, HSETNX, HDEL), because many deliveries to one subscription run at once and a
 * read-modify-write of a JSON document would lose updates.
 */
export interface SubscriptionFilter {
  /** Event types; a trailing `*` matches a prefix (`gov.bis.entitylist.entry.*`). Empty: all. */
  types?: string[];
  /** Destinations; an event matches when its entry's destination is one of them. Empty: all. */
  countries?: string[];
}

export interface Subscription {
  id: string;
  url: string;
  filter: SubscriptionFilter;
  createdAt: string;
  /** Events logged at or before this cursor predate the subscription and are not sent to it. */
  startCursor: string;
  description?: string;
  disabled?: { at: string; reason: string };
  /** First failure since the last success: the clock for "failing for days". */
  failingSince?: string;
  lastSuccessAt?: string;
  lastFailureAt?: string;
}

export const SECRET_ROTATION_GRACE_MS = 24 * 3_600_000;

const ROTATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local current = redis.call('HGET', KEYS[1], 'secret')
redis.call('HSET', KEYS[1], 'previousSecret', current, 'previousSecretExpiresAt', ARGV[2], 'secret', ARGV[1], 'secretCreatedAt', ARGV[3])
return 1
`;

export class SubscriptionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async create(
    input: { url: string; filter?: SubscriptionFilter; description?: string },
    startCursor: string,
    now: number,
  ): Promise<{ subscription: Subscription; secret: string }> {
    const secret = generateSecret();
    const id = `sub_${randomBytes(12).toString('base64url')}`;
    const createdAt = new Date(now).toISOString();
    const filter = normaliseFilter(input.filter ?? {});
    const fields: Record<string, string> = {
      id,
      url: input.url,
      filter: JSON.stringify(filter),
      createdAt,
      startCursor,
      secret,
      secretCreatedAt: createdAt,
    };
    if (input.description) fields.description = input.description;
    await this.redis
      .multi()
      .hset(this.keys.subscription(id), fields)
      .sadd(this.keys.subscriptions, id)
      .exec();
    return { subscription: (await this.get(id))!, secret };
  }

  async get(id: string): Promise<Subscription | undefined> {
    return toSubscription(await this.redis.hgetall(this.keys.subscription(id)));
  }

  async list(): Promise<Subscription[]> {
    const ids = await this.redis.smembers(this.keys.subscriptions);
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.subscription(id));
    const rows = (await pipeline.exec()) ?? [];
    return rows
      .map(([, h]) => toSubscription(h as Record<string, string>))
      .filter((s): s is Subscription => s !== undefined)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async delete(id: string): Promise<boolean> {
    const [[, removed] = []] =
      (await this.redis.multi().srem(this.keys.subscriptions, id).del(this.keys.subscription(id)).exec()) ??
      [];
    return removed === 1;
  }

  /** The secrets that sign a delivery now: the current one, and a rotated-out one still in grace. */
  async signingSecrets(id: string, now: number): Promise<string[]> {
    return signingSecretsOf(await this.redis.hgetall(this.keys.subscription(id)), now);
  }

  /** The subscription and its signing secrets in one read (the delivery path's hot read). */
  async forDelivery(
    id: string,
    now: number,
  ): Promise<{ subscription: Subscription; secrets: string[] } | undefined> {
    const h = await this.redis.hgetall(this.keys.subscription(id));
    const subscription = toSubscription(h);
    return subscription ? { subscription, secrets: signingSecretsOf(h, now) } : undefined;
  }

  /** Issues a new secret; the old one keeps signing until the grace period ends. */
  async rotateSecret(id: string, now: number): Promise<string | undefined> {
    const secret = generateSecret();
    const done = await this.redis.eval(
      ROTATE_SCRIPT,
      1,
      this.keys.subscription(id),
      secret,
      new Date(now + SECRET_ROTATION_GRACE_MS).toISOString(),
      new Date(now).toISOString(),
    );
    return done === 1 ? secret : undefined;
  }

  async recordSuccess(id: string, now: number): Promise<void> {
    const key = this.keys.subscription(id);
    await this.redis
      .multi()
      .hset(key, 'lastSuccessAt', new Date(now).toISOString())
      .hdel(key, 'failingSince')
      .exec();
  }

  /** Records a failure; returns how long (ms) the subscription has been failing without a success. */
  async recordFailure(id: string, now: number): Promise<number> {
    const key = this.keys.subscription(id);
    const at = new Date(now).toISOString();
    const res = await this.redis
      .multi()
      .hset(key, 'lastFailureAt', at)
      .hsetnx(key, 'failingSince', at)
      .hget(key, 'failingSince')
      .exec();
    const since = res?.[2]?.[1];
    return typeof since === 'string' ? now - Date.parse(since) : 0;
  }

  async disable(id: string, reason: string, now: number): Promise<void> {
    const key = this.keys.subscription(id);
    if ((await this.redis.exists(key)) === 0) return;
    await this.redis
      .multi()
      .hsetnx(key, 'disabledAt', new Date(now).toISOString())
      .hsetnx(key, 'disabledReason', reason)
      .exec();
  }

  async enable(id: string): Promise<Subscription | undefined> {
    await this.redis.hdel(this.keys.subscription(id), 'disabledAt', 'disabledReason', 'failingSince');
    return this.get(id);
  }
}

function signingSecretsOf(h: Record<string, string>, now: number): string[] {
  const out = h.secret ? [h.secret] : [];
  if (h.previousSecret && h.previousSecretExpiresAt && Date.parse(h.previousSecretExpiresAt) > now)
    out.push(h.previousSecret);
  return out;
}

function toSubscription(h: Record<string, string>): Subscription | undefined {
  if (!h.id || !h.url) return undefined;
  const sub: Subscription = {
    id: h.id,
    url: h.url,
    filter: JSON.parse(h.filter ?? '{}') as SubscriptionFilter,
    createdAt: h.createdAt ?? '',
    startCursor: h.startCursor ?? '0-0',
  };
  if (h.description) sub.description = h.description;
  if (h.disabledAt) sub.disabled = { at: h.disabledAt, reason: h.disabledReason ?? '' };
  if (h.failingSince) sub.failingSince = h.failingSince;
  if (h.lastSuccessAt) sub.lastSuccessAt = h.lastSuccessAt;
  if (h.lastFailureAt) sub.lastFailureAt = h.lastFailureAt;
  return sub;
}

function normaliseFilter(filter: SubscriptionFilter): SubscriptionFilter {
  const out: SubscriptionFilter = {};
  if (filter.types && filter.types.length > 0) out.types = [...new Set(filter.types.map((t) => t.trim()))];
  if (filter.countries && filter.countries.length > 0)
    out.countries = [...new Set(filter.countries.map((c) => normalizeCountry(c)))];
  return out;
}

/** Whether a subscription wants an event. Events without a destination never match a country filter. */
export function matchesFilter(filter: SubscriptionFilter, event: CloudEvent): boolean {
  if (filter.types && filter.types.length > 0) {
    const ok = filter.types.some((t) =>
      t.endsWith('*') ? event.type.startsWith(t.slice(0, -1)) : event.type === t,
    );
    if (!ok) return false;
  }
  if (filter.countries && filter.countries.length > 0) {
    const country = (event.data as { country?: unknown } | null)?.country;
    if (typeof country !== 'string' || !filter.countries.includes(normalizeCountry(country))) return false;
  }
  return true;
}

/** Compares stream ids ("ms-seq"): negative when a is older. */
export function compareCursors(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}
