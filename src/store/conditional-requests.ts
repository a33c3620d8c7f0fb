import { createHash } from 'node:crypto';
import type { ConditionalEntry, ConditionalStore } from '../http-client/conditional-store.js';
import { redisUnavailable, type RedisClient } from './redis.js';

export interface RedisConditionalStoreOptions {
  /**
   * Key prefix; must carry the caller's hash tag (for example `{fedreg}:`) so that every key of
   * the service lands in one Redis Cluster slot.
   */
  prefix: string;
  /** Entries expire after this long without being refreshed; default 14 days. */
  ttlSeconds?: number;
}

/**
 * Validators and bodies in Redis, one hash per URL under `<prefix>http:cond:<sha1(url)>`.
 * The URL is hashed so that long search URLs make short keys; it is kept in the hash for humans.
 */
export class RedisConditionalStore implements ConditionalStore {
  private readonly prefix: string;
  private readonly ttlSeconds: number;

  constructor(
    private readonly redis: RedisClient,
    options: RedisConditionalStoreOptions,
  ) {
    this.prefix = options.prefix;
    this.ttlSeconds = options.ttlSeconds ?? 14 * 24 * 3600;
  }

  key(url: string): string {
    return `${this.prefix}http:cond:${createHash('sha1').update(url).digest('hex')}`;
  }

  async get(url: string): Promise<ConditionalEntry | undefined> {
    const h = await this.redis
      .hgetallBuffer(this.key(url))
      .catch((err: unknown) => Promise.reject(redisUnavailable(err, `conditional request cache of ${url}`)));
    const body = h.body;
    if (!body) return undefined;
    const text = (name: string): string | undefined => {
      const v = h[name];
      return v && v.length > 0 ? v.toString('utf8') : undefined;
    };
    const entry: ConditionalEntry = { body, storedAt: Number(text('storedAt') ?? 0) };
    const etag = text('etag');
    const lastModified = text('lastModified');
    const contentType = text('contentType');
    if (etag !== undefined) entry.etag = etag;
    if (lastModified !== undefined) entry.lastModified = lastModified;
    if (contentType !== undefined) entry.contentType = contentType;
    return entry;
  }

  async set(url: string, entry: ConditionalEntry): Promise<void> {
    const key = this.key(url);
    const stored = this.redis
      .multi()
      .del(key)
      .hset(key, {
        url,
        body: entry.body,
        etag: entry.etag ?? '',
        lastModified: entry.lastModified ?? '',
        contentType: entry.contentType ?? '',
        storedAt: String(entry.storedAt),
      })
      .expire(key, this.ttlSeconds)
      .exec();
    await stored.catch((err: unknown) =>
      Promise.reject(redisUnavailable(err, `conditional request cache of ${url}`)),
    );
  }

  async delete(url: string): Promise<void> {
    await this.redis.del(this.key(url));
  }
}
