import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { isAppError } from '../../src/errors.js';
import { createKeys, type Keys } from '../../src/store/keys.js';
import { createRedis } from '../../src/store/redis.js';
import { keyId, SecretBox } from '../../src/store/secret-box.js';
import { SECRET_ROTATION_GRACE_MS, SubscriptionStore } from '../../src/store/subscriptions.js';
import { dropPrefix, uniquePrefix, waitFor } from '../support/service.js';

/**
 * Webhook secrets at rest: encrypted with SECRETS_KEY (AES-256-GCM), readable after the key is
 * rotated (SECRETS_KEY_PREVIOUS) and rewritten under the new key; a rotated-out webhook secret
 * is gone from Redis when its grace period ends.
 */
const redisUrl = inject('redisUrl');
const keyA = randomBytes(32);
const keyB = randomBytes(32);

describe('SecretBox', () => {
  it('seals with the current key, bound to the subscription, and opens with any configured key', () => {
    const box = new SecretBox([keyA]);
    const sealed = box.seal('whsec_abc', 'sub_1');
    expect(sealed).toMatch(new RegExp(`^enc:v1:${keyId(keyA)}:`));
    expect(sealed).not.toContain('whsec_abc');
    expect(box.open(sealed, 'sub_1')).toBe('whsec_abc');
    // Moved to another subscription, it does not open.
    expect(() => box.open(sealed, 'sub_2')).toThrow(/does not decrypt/);
    // Altered, neither.
    const altered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(() => box.open(altered, 'sub_1')).toThrow(/does not decrypt/);
    // After rotation the old key still opens it; without it, a typed error.
    expect(new SecretBox([keyB, keyA]).open(sealed, 'sub_1')).toBe('whsec_abc');
    try {
      new SecretBox([keyB]).open(sealed, 'sub_1');
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err) && err.code).toBe('SECRET_UNREADABLE');
    }
    // No keys: plain values are stored and read as they are.
    expect(new SecretBox().seal('whsec_abc', 'sub_1')).toBe('whsec_abc');
  });

  it('reads SECRETS_KEY and SECRETS_KEY_PREVIOUS from the environment, base64 or hex', () => {
    const config = loadConfig({
      SECRETS_KEY: keyB.toString('base64'),
      SECRETS_KEY_PREVIOUS: keyA.toString('hex'),
    });
    expect(config.secretsKeys.map((k) => k.toString('hex'))).toEqual([
      keyB.toString('hex'),
      keyA.toString('hex'),
    ]);
    expect(() => loadConfig({ SECRETS_KEY: 'too-short' })).toThrow(/SECRETS_KEY: expected 32 random bytes/);
  });
});

describe('SubscriptionStore with SECRETS_KEY', () => {
  let redis: Redis;
  let prefix: string;
  let keys: Keys;
  beforeAll(() => {
    redis = createRedis(redisUrl, 'client');
    prefix = uniquePrefix('secrets');
    keys = createKeys(prefix);
  });
  afterAll(async () => {
    await dropPrefix(redisUrl, prefix);
    redis.disconnect();
  });

  it('keeps secrets encrypted in Redis, signs with them, and rewrites them under a rotated key', async () => {
    const store = new SubscriptionStore(redis, keys, { keys: [keyA] });
    const { subscription, secret } = await store.create({ url: 'http://127.0.0.1/hook' }, '0-0', Date.now());
    const stored = await redis.hget(keys.subscription(subscription.id), 'secret');
    expect(stored).toMatch(/^enc:v1:/);
    expect(stored).not.toContain(secret.slice(6));
    expect(await store.signingSecrets(subscription.id, Date.now())).toEqual([secret]);

    // SECRETS_KEY rotated: the new key first, the old one kept to read what it wrote.
    const rotated = new SubscriptionStore(redis, keys, { keys: [keyB, keyA] });
    expect(await rotated.signingSecrets(subscription.id, Date.now())).toEqual([secret]);
    expect(await rotated.reseal(Date.now())).toEqual({ rewritten: 1, unreadable: [] });
    const resealed = await redis.hget(keys.subscription(subscription.id), 'secret');
    expect(resealed).toMatch(new RegExp(`^enc:v1:${keyId(keyB)}:`));
    // The old key can go now.
    const onlyB = new SubscriptionStore(redis, keys, { keys: [keyB] });
    expect(await onlyB.signingSecrets(subscription.id, Date.now())).toEqual([secret]);
    expect(await onlyB.reseal(Date.now())).toEqual({ rewritten: 0, unreadable: [] });
  });

  it('encrypts secrets stored in clear before SECRETS_KEY was set', async () => {
    const plain = new SubscriptionStore(redis, keys);
    const { subscription, secret } = await plain.create({ url: 'http://127.0.0.1/plain' }, '0-0', Date.now());
    expect(await redis.hget(keys.subscription(subscription.id), 'secret')).toBe(secret);
    const store = new SubscriptionStore(redis, keys, { keys: [keyA] });
    const { rewritten, unreadable } = await store.reseal(Date.now());
    expect(rewritten).toBeGreaterThanOrEqual(1);
    // The first test's subscription is under keyB, which this store lacks: reported, left alone.
    expect(unreadable).toHaveLength(1);
    expect(await redis.hget(keys.subscription(subscription.id), 'secret')).toMatch(/^enc:v1:/);
    expect(await store.signingSecrets(subscription.id, Date.now())).toEqual([secret]);
  });

  it('signs with the rotated-out secret during its grace, and Redis removes it when the grace ends', async () => {
    const store = new SubscriptionStore(redis, keys, { keys: [keyA] });
    const { subscription, secret } = await store.create({ url: 'http://127.0.0.1/rot' }, '0-0', Date.now());
    const previousKey = keys.previousSecret(subscription.id);

    // A rotation a day ago less 400 ms: its grace ends 400 ms from now.
    const rotatedAt = Date.now() - SECRET_ROTATION_GRACE_MS + 400;
    const fresh = await store.rotateSecret(subscription.id, rotatedAt);
    expect(fresh).toBeDefined();
    expect(await redis.get(previousKey)).toMatch(/^enc:v1:/);
    expect(await redis.pttl(previousKey)).toBeGreaterThan(0);
    expect(await redis.hexists(keys.subscription(subscription.id), 'previousSecret')).toBe(0);
    expect(await store.signingSecrets(subscription.id, Date.now())).toEqual([fresh, secret]);

    await waitFor('the previous secret expired in Redis', async () =>
      (await redis.exists(previousKey)) === 0 ? true : undefined,
    );
    expect(await store.signingSecrets(subscription.id, Date.now())).toEqual([fresh]);

    // A rotation now keeps the old one for the full day.
    const again = await store.rotateSecret(subscription.id, Date.now());
    expect(await redis.pttl(previousKey)).toBeGreaterThan(SECRET_ROTATION_GRACE_MS - 60_000);
    expect(await store.signingSecrets(subscription.id, Date.now())).toEqual([again, fresh]);
    await store.delete(subscription.id);
    expect(await redis.exists(previousKey)).toBe(0);
  });

  it('moves a rotated-out secret of the older layout (a hash field) to an expiring key, dropping expired ones', async () => {
    const store = new SubscriptionStore(redis, keys, { keys: [keyA] });
    const live = await store.create({ url: 'http://127.0.0.1/live' }, '0-0', Date.now());
    const dead = await store.create({ url: 'http://127.0.0.1/dead' }, '0-0', Date.now());
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const past = new Date(Date.now() - 1000).toISOString();
    await redis.hset(
      keys.subscription(live.subscription.id),
      'previousSecret',
      'whsec_b2xk',
      'previousSecretExpiresAt',
      soon,
    );
    await redis.hset(
      keys.subscription(dead.subscription.id),
      'previousSecret',
      'whsec_b2xk',
      'previousSecretExpiresAt',
      past,
    );
    await store.reseal(Date.now());
    expect(await redis.hexists(keys.subscription(live.subscription.id), 'previousSecret')).toBe(0);
    expect(await redis.hexists(keys.subscription(dead.subscription.id), 'previousSecret')).toBe(0);
    expect(await redis.get(keys.previousSecret(live.subscription.id))).toMatch(/^enc:v1:/);
    expect(await redis.exists(keys.previousSecret(dead.subscription.id))).toBe(0);
    expect(await store.signingSecrets(live.subscription.id, Date.now())).toEqual([live.secret, 'whsec_b2xk']);
  });

  it('exports subscriptions with their secrets still encrypted, and imports them only with the key', async () => {
    const p = uniquePrefix('export');
    const k = createKeys(p);
    try {
      const store = new SubscriptionStore(redis, k, { keys: [keyA] });
      const { subscription, secret } = await store.create({ url: 'http://127.0.0.1/x' }, '0-0', Date.now());
      const exported = await store.exportAll();
      expect(JSON.stringify(exported)).not.toContain(secret.slice(6));
      await dropPrefix(redisUrl, p);

      await expect(
        new SubscriptionStore(redis, k, { keys: [keyB] }).importAll(exported, Date.now()),
      ).rejects.toThrow(/neither SECRETS_KEY nor in SECRETS_KEY_PREVIOUS/);
      expect(await redis.exists(k.subscriptions)).toBe(0);
      expect(await store.importAll(exported, Date.now())).toBe(1);
      expect((await store.get(subscription.id))?.url).toBe('http://127.0.0.1/x');
      expect(await store.signingSecrets(subscription.id, Date.now())).toEqual([secret]);
    } finally {
      await dropPrefix(redisUrl, p);
    }
  });
});
