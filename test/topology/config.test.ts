import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { describeTarget } from '../../src/store/redis.js';

/** REDIS_CLUSTER_NODES and REDIS_SENTINELS (with REDIS_SENTINEL_NAME) win over REDIS_URL. */
describe('Redis topology configuration', () => {
  it('is one server at REDIS_URL by default', () => {
    expect(loadConfig({}).redis).toEqual({ kind: 'standalone', url: 'redis://127.0.0.1:6379' });
    expect(loadConfig({ REDIS_URL: 'redis://:pw@10.0.0.5:6380' }).redis).toEqual({
      kind: 'standalone',
      url: 'redis://:pw@10.0.0.5:6380',
    });
  });

  it('reads cluster nodes, IPv6 included, with credentials and TLS', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_CLUSTER_NODES: ' 10.0.0.5:7000, redis-b.internal:7001 ,[::1]:7002',
      REDIS_USERNAME: 'fedreg',
      REDIS_PASSWORD: 's3cret',
      REDIS_TLS: 'true',
    });
    expect(config.redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.5', port: 7000 },
        { host: 'redis-b.internal', port: 7001 },
        { host: '::1', port: 7002 },
      ],
      username: 'fedreg',
      password: 's3cret',
      tls: true,
    });
    expect(describeTarget(config.redis)).toBe(
      'the Redis Cluster at 10.0.0.5:7000, redis-b.internal:7001, [::1]:7002',
    );
    expect(describeTarget(config.redis)).not.toMatch(/s3cret/);
  });

  it('reads Sentinels and the name of the primary they watch', () => {
    const config = loadConfig({
      REDIS_SENTINELS: '127.0.0.1:26379,127.0.0.1:26380',
      REDIS_SENTINEL_NAME: 'fedreg',
      REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
    });
    expect(config.redis).toEqual({
      kind: 'sentinel',
      name: 'fedreg',
      sentinels: [
        { host: '127.0.0.1', port: 26379 },
        { host: '127.0.0.1', port: 26380 },
      ],
      sentinelPassword: 'sentinel-pw',
    });
  });

  it('reports every problem together', () => {
    expect(() =>
      loadConfig({
        REDIS_CLUSTER_NODES: '10.0.0.5,10.0.0.6:99999,ok:7000',
        REDIS_SENTINELS: '127.0.0.1:26379',
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        context: {
          problems: [
            'REDIS_CLUSTER_NODES: "10.0.0.5" is not host:port (e.g. 10.0.0.5:6379 or [::1]:7000)',
            'REDIS_CLUSTER_NODES: "10.0.0.6:99999" is not host:port (e.g. 10.0.0.5:6379 or [::1]:7000)',
            'REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set: choose one Redis topology',
            'REDIS_SENTINELS is set without REDIS_SENTINEL_NAME (the name of the primary Sentinel watches)',
          ],
        },
      }),
    );
    expect(() => loadConfig({ REDIS_SENTINEL_NAME: 'fedreg' })).toThrow(
      /REDIS_SENTINEL_NAME is set without REDIS_SENTINELS/,
    );
  });
});
