import { randomBytes } from 'node:crypto';
import type { RedisClient } from './redis.js';
import { AppError } from '../errors.js';
import { generateSecret } from '../delivery/signing.js';
import { normalizeCountry } from '../entity-list/identity.js';
import { typeWanted, type CloudEvent } from '../events/cloudevent.js';
import { decode, isObject, isStringArray, type Shape } from './codec.js';
import type { Keys } from './keys.js';
import { SecretBox } from './secret-box.js';

/**
 * Webhook subscriptions. Secrets live only here (never in job data, logs or errors); a rotation
 * keeps the previous secret signing alongside the new one for a grace period, so receivers can
 * switch without losing deliveries (Standard Webhooks allows several signatures).
 *
 * Each subscription is a hash whose fields change independently with single atomic commands
 * (HSET, HSETNX, HDEL), because many deliveries to one subscription run at once and a
 * read-modify-write of a JSON document would lose updates.
 *
 * With SECRETS_KEY set, secrets are stored encrypted (store/secret-box.ts); at start the service
 * re-encrypts those written plain or under a key since rotated out. A rotated-out secret lives in
 * a key of its own with a TTL, so Redis removes it the moment its grace period ends.
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
-- KEYS: 1 subscription, 2 its previous secret. ARGV: 1 new secret, 2 expiry ISO, 3 now ISO, 4 expiry ms
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local current = redis.call('HGET', KEYS[1], 'secret')
if current then redis.call('SET', KEYS[2], current, 'PXAT', ARGV[4]) end
redis.call('HSET', KEYS[1], 'previousSecretExpiresAt', ARGV[2], 'secret', ARGV[1], 'secretCreatedAt', ARGV[3])
redis.call('HDEL', KEYS[1], 'previousSecret')
return 1
`;

/** Replaces a stored secret only if it is still the one read (a rotation may have come between). */
const RESEAL_SCRIPT = `
-- KEYS: 1 subscription, 2 previous secret. ARGV: 1 old current, 2 new current, 3 old previous, 4 new previous
local n = 0
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'secret') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'secret', ARGV[2]); n = n + 1
end
if ARGV[3] ~= '' and redis.call('GET', KEYS[2]) == ARGV[3] then
  redis.call('SET', KEYS[2], ARGV[4], 'KEEPTTL'); n = n + 1
end
return n
`;

/** A subscription as exported for a recovery: its fields as stored (secrets encrypted when SECRETS_KEY is set). */
export interface ExportedSubscription {
  fields: Record<string, string>;
  previousSecret?: { value: string; expiresAt: string };
}

export class SubscriptionStore {
  private readonly box: SecretBox;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    options: { keys?: readonly Buffer[] } = {},
  ) {
    this.box = new SecretBox(options.keys ?? []);
  }

  /** Whether secrets are written encrypted (SECRETS_KEY is set). */
  get encrypting(): boolean {
    return this.box.encrypting;
  }

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
      secret: this.box.seal(secret, id),
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
    const key = this.keys.subscription(id);
    return toSubscription(await this.redis.hgetall(key), key);
  }

  async list(): Promise<Subscription[]> {
    const ids = await this.redis.smembers(this.keys.subscriptions);
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.subscription(id));
    const rows = (await pipeline.exec()) ?? [];
    return rows
      .map(([, h], i) => toSubscription(h as Record<string, string>, this.keys.subscription(ids[i]!)))
      .filter((s): s is Subscription => s !== undefined)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async delete(id: string): Promise<boolean> {
    const [[, removed] = []] =
      (await this.redis
        .multi()
        .srem(this.keys.subscriptions, id)
        .del(this.keys.subscription(id))
        .del(this.keys.previousSecret(id))
        .exec()) ?? [];
    return removed === 1;
  }

  /** The secrets that sign a delivery now: the current one, and a rotated-out one still in grace. */
  async signingSecrets(id: string, now: number): Promise<string[]> {
    return (await this.forDelivery(id, now))?.secrets ?? [];
  }

  /** The subscription and its signing secrets in one read (the delivery path's hot read). */
  async forDelivery(
    id: string,
    now: number,
  ): Promise<{ subscription: Subscription; secrets: string[] } | undefined> {
    const [h, previous] = await this.readWithPrevious(id);
    const subscription = toSubscription(h, this.keys.subscription(id));
    return subscription ? { subscription, secrets: this.signingSecretsOf(id, h, previous, now) } : undefined;
  }

  private async readWithPrevious(id: string): Promise<[Record<string, string>, string | null]> {
    const res = await this.redis
      .multi()
      .hgetall(this.keys.subscription(id))
      .get(this.keys.previousSecret(id))
      .exec();
    return [(res?.[0]?.[1] ?? {}) as Record<string, string>, (res?.[1]?.[1] ?? null) as string | null];
  }

  private signingSecretsOf(
    id: string,
    h: Record<string, string>,
    previous: string | null,
    now: number,
  ): string[] {
    const out = h.secret ? [this.box.open(h.secret, id)] : [];
    // Redis drops the previous secret's key when its grace ends; the expiry is checked too, so a
    // clock a little ahead of Redis's never signs with it late.
    const expires = h.previousSecretExpiresAt ? Date.parse(h.previousSecretExpiresAt) : 0;
    if (expires > now) {
      const stored = previous ?? h.previousSecret;
      if (stored) out.push(this.box.open(stored, id));
    }
    return out;
  }

  /**
   * Rewrites every stored secret not written the way secrets are written now (plain while
   * SECRETS_KEY is set, or under a key since rotated out), and moves rotated-out secrets of the
   * older layout (a hash field) to their own key with a TTL, dropping the expired ones. Returns how
   * many values it rewrote, and the subscriptions whose secrets no configured key opens.
   */
  async reseal(now: number): Promise<{ rewritten: number; unreadable: string[] }> {
    let rewritten = 0;
    const unreadable: string[] = [];
    for (const id of await this.redis.smembers(this.keys.subscriptions)) {
      const key = this.keys.subscription(id);
      const [h, stored] = await this.readWithPrevious(id);
      let previous = stored;
      if (h.previousSecret) {
        const expires = Date.parse(h.previousSecretExpiresAt ?? '');
        if (Number.isFinite(expires) && expires > now && previous === null) {
          await this.redis.set(this.keys.previousSecret(id), h.previousSecret, 'PXAT', expires, 'NX');
          previous = h.previousSecret;
        }
        await this.redis.hdel(key, 'previousSecret');
        rewritten++;
      }
      const current = h.secret && !this.box.isCurrent(h.secret) ? h.secret : '';
      const prev = previous && !this.box.isCurrent(previous) ? previous : '';
      if (!current && !prev) continue;
      let sealed: [string, string];
      try {
        sealed = [
          current ? this.box.seal(this.box.open(current, id), id) : '',
          prev ? this.box.seal(this.box.open(prev, id), id) : '',
        ];
      } catch {
        // Written under a key no longer configured: left as it is, and reported.
        unreadable.push(id);
        continue;
      }
      rewritten += Number(
        await this.redis.eval(
          RESEAL_SCRIPT,
          2,
          key,
          this.keys.previousSecret(id),
          current,
          sealed[0],
          prev,
          sealed[1],
        ),
      );
    }
    return { rewritten, unreadable };
  }

  /** Every subscription with its secrets as stored, for `fedreg-watch subscriptions export`. */
  async exportAll(): Promise<ExportedSubscription[]> {
    const out: ExportedSubscription[] = [];
    for (const id of (await this.redis.smembers(this.keys.subscriptions)).sort()) {
      const [fields, previous] = await this.readWithPrevious(id);
      if (!fields.id) continue;
      const { previousSecret: legacy, ...rest } = fields;
      const stored = previous ?? legacy;
      const item: ExportedSubscription = { fields: rest };
      if (stored && rest.previousSecretExpiresAt)
        item.previousSecret = { value: stored, expiresAt: rest.previousSecretExpiresAt };
      out.push(item);
    }
    return out;
  }

  /**
   * Writes exported subscriptions back (a recovery). Each secret must open with the configured
   * keys, so an export under another SECRETS_KEY fails here rather than at the first delivery.
   * Existing subscriptions with the same id are replaced. Returns how many were written.
   */
  async importAll(items: readonly ExportedSubscription[], now: number): Promise<number> {
    for (const { fields, previousSecret } of items) {
      if (!fields.id || !fields.url || !fields.secret)
        throw new AppError('INPUT_INVALID', 'subscriptions import: an entry lacks id, url or secret');
      this.box.open(fields.secret, fields.id);
      if (previousSecret) this.box.open(previousSecret.value, fields.id);
    }
    for (const { fields, previousSecret } of items) {
      const tx = this.redis
        .multi()
        .del(this.keys.subscription(fields.id!), this.keys.previousSecret(fields.id!))
        .hset(this.keys.subscription(fields.id!), fields)
        .sadd(this.keys.subscriptions, fields.id!);
      const expires = previousSecret ? Date.parse(previousSecret.expiresAt) : NaN;
      if (previousSecret && expires > now)
        tx.set(this.keys.previousSecret(fields.id!), previousSecret.value, 'PXAT', expires);
      await tx.exec();
    }
    await this.reseal(now);
    return items.length;
  }

  /** Issues a new secret; the old one keeps signing until the grace period ends. */
  async rotateSecret(id: string, now: number): Promise<string | undefined> {
    const secret = generateSecret();
    const done = await this.redis.eval(
      ROTATE_SCRIPT,
      2,
      this.keys.subscription(id),
      this.keys.previousSecret(id),
      this.box.seal(secret, id),
      new Date(now + SECRET_ROTATION_GRACE_MS).toISOString(),
      new Date(now).toISOString(),
      now + SECRET_ROTATION_GRACE_MS,
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

const isFilter: Shape<SubscriptionFilter> = function SubscriptionFilter(v): v is SubscriptionFilter {
  return (
    isObject(v) &&
    (v.types === undefined || isStringArray(v.types)) &&
    (v.countries === undefined || isStringArray(v.countries))
  );
};

function toSubscription(h: Record<string, string>, key: string): Subscription | undefined {
  if (!h.id || !h.url) return undefined;
  const sub: Subscription = {
    id: h.id,
    url: h.url,
    filter: decode(h.filter ?? '{}', { key, field: 'filter' }, isFilter),
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
  // Opt-in types (entry.editorial) only for a filter that names them outright.
  if (!typeWanted(event.type, filter.types)) return false;
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
