import { DEFAULT_RETRY_SCHEDULE_MS } from './delivery/retry.js';
import { parseAllowedNetworks, type Network } from './delivery/networks.js';
import { AppError } from './errors.js';

/**
 * Configuration, read once at the entry point from the environment into a frozen typed object.
 * Every problem is reported together, so a misconfigured deploy fails once with the full list.
 * No other module reads `process.env`.
 */
export interface Config {
  redisUrl: string;
  /**
   * Where Redis is: one server (REDIS_URL), a Redis Cluster (REDIS_CLUSTER_NODES) or a primary
   * followed through Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_NAME). Cluster and Sentinel win
   * over REDIS_URL.
   */
  redis: RedisTarget;
  /** Key prefix with a Redis Cluster hash tag, so every key of the service lands in one slot. */
  redisPrefix: string;
  /** Start a local redis-server when none answers at the default URL (first run, demo). */
  startLocalRedis: boolean;
  dataDir: string;
  frApiBaseUrl: string;
  /** Added to each one-second window of the Federal Register rate budget, for network jitter. */
  frRateMarginMs: number;
  /**
   * Requests per second, for the whole deployment: the Federal Register API and its full-text XML
   * (the limits its maintainers state), and the eCFR and CSL downloads (per process). Only a test
   * against a local replay server has reason to raise them.
   */
  rateLimits: { frApiPerSecond: number; frXmlPerSecond: number; sourcesPerSecond: number };
  ecfrBaseUrl: string;
  cslUrl: string;
  http: { host: string; port: number };
  /** A process without the `http` role serves /metrics, /livez and /readyz here, when set. */
  metricsPort?: number;
  /** Undefined: the admin API refuses every request. */
  adminToken?: string;
  /** The queue dashboard shows jobs without the buttons that change them (default in production). */
  dashboardReadOnly: boolean;
  pollIntervalMs: number;
  /** Undefined: every minute on business days. */
  publicInspectionIntervalMs?: number;
  snapshotIntervalMs: number;
  sources: { publicInspection: boolean; ecfr: boolean; csl: boolean };
  /** With no imported state, seed it from eCFR Supplement No. 4 as of yesterday. */
  bootstrapFromEcfr: boolean;
  /** How far back each published-documents poll re-reads, for documents that appear late. */
  lookbackDays: number;
  webhooks: {
    allowedNetworks: readonly Network[];
    retryScheduleMs: readonly number[];
    timeoutMs: number;
    /** A subscription failing without a success for this long is disabled. */
    disableAfterMs: number;
    concurrency: number;
  };
  documentConcurrency: number;
  /** How long a worker's hold on a job lasts unrenewed: a killed worker's jobs are taken up after about this. */
  jobLockMs: number;
  /** How often workers look for jobs whose lock lapsed (a killed worker's) and hand them on. */
  jobStalledIntervalMs: number;
  /** How long a graceful shutdown may take before the process exits anyway. */
  shutdownTimeoutMs: number;
  eventRetentionDays: number;
  massChange: { maxRemovalRatio: number; maxRemovals: number };
  logLevel: string;
  /** Stages this process runs; the default runs them all with the HTTP server. */
  roles: ReadonlySet<Role>;
  /** Refuse to start on a Redis that keeps nothing on disk or may evict keys. */
  requireDurableRedis: boolean;
  /** How often a running process checks that Redis still holds the deployment's data and schedulers. */
  redisCheckIntervalMs: number;
  /** Keys encrypting webhook secrets at rest (AES-256-GCM); the first encrypts, all decrypt. Empty: plain. */
  secretsKeys: readonly Buffer[];
}

/** A `host:port` of a Redis Cluster node or a Sentinel. */
export interface HostPort {
  host: string;
  port: number;
}

/** Credentials and TLS for the Redis servers (cluster nodes, the Sentinel-watched primary). */
export interface RedisAuth {
  username?: string;
  password?: string;
  tls?: boolean;
}

export type RedisTarget =
  | { kind: 'standalone'; url: string }
  | ({ kind: 'cluster'; nodes: readonly HostPort[] } & RedisAuth)
  | ({
      kind: 'sentinel';
      sentinels: readonly HostPort[];
      name: string;
      sentinelPassword?: string;
    } & RedisAuth);

export const ROLES = ['http', 'poll', 'document', 'apply', 'fanout', 'deliver', 'reconcile'] as const;
export type Role = (typeof ROLES)[number];

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_FR_API_BASE_URL = 'https://www.federalregister.gov/api/v1';
const DEFAULT_ECFR_BASE_URL = 'https://www.ecfr.gov';
const DEFAULT_CSL_URL = 'https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv';

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env): Readonly<Config> {
  const problems: string[] = [];
  const read = new Reader(env, problems);

  const frApiBaseUrl = read.url('FR_API_BASE_URL', DEFAULT_FR_API_BASE_URL);
  // Against a replay server, eCFR comes from the same origin unless told otherwise.
  const sameOrigin = frApiBaseUrl !== DEFAULT_FR_API_BASE_URL ? originOf(frApiBaseUrl) : undefined;
  const redisPrefix = read.string('REDIS_PREFIX', '{fedreg}');
  if (!/\{[^{}]+\}/.test(redisPrefix)) {
    problems.push(
      `REDIS_PREFIX=${redisPrefix}: must contain a hash tag such as {fedreg}, so keys stay in one Redis Cluster slot`,
    );
  }
  const redisUrl = read.url('REDIS_URL', DEFAULT_REDIS_URL, ['redis:', 'rediss:']);
  const redis = redisTarget(env, read, redisUrl, problems);
  let allowedNetworks: readonly Network[] = [];
  try {
    allowedNetworks = parseAllowedNetworks(env.WEBHOOK_ALLOWED_NETWORKS ?? '');
  } catch (err) {
    problems.push(`WEBHOOK_ALLOWED_NETWORKS: ${err instanceof Error ? err.message : String(err)}`);
  }
  const roles = read.list('FEDREG_ROLES', [...ROLES]);
  for (const r of roles)
    if (!(ROLES as readonly string[]).includes(r))
      problems.push(`FEDREG_ROLES: unknown role "${r}" (known: ${ROLES.join(', ')})`);
  const adminToken = env.ADMIN_TOKEN?.trim() || undefined;
  if (adminToken !== undefined && adminToken.length < 12) {
    problems.push('ADMIN_TOKEN: must be at least 12 characters');
  }

  const jobLockMs = read.int('JOB_LOCK_MS', 15_000, 2_000, 600_000);

  const config: Config = {
    redisUrl,
    redis,
    redisPrefix,
    startLocalRedis: read.bool('START_LOCAL_REDIS', env.REDIS_URL === undefined),
    dataDir: read.string('DATA_DIR', '.data'),
    frApiBaseUrl,
    frRateMarginMs: read.int('FR_RATE_MARGIN_MS', 250, 0, 10_000),
    // The defaults are the clients' own (FR_API_REQUESTS_PER_SECOND and FR_XML_REQUESTS_PER_SECOND
    // in federal-register/client.ts, SOURCES_REQUESTS_PER_SECOND in sources/fetch.ts), written out
    // here so that the configuration imports no client (that closes an import cycle); a test holds
    // them equal.
    rateLimits: {
      frApiPerSecond: read.int('FR_API_REQUESTS_PER_SECOND', 5, 1, 10_000),
      frXmlPerSecond: read.int('FR_XML_REQUESTS_PER_SECOND', 1, 1, 10_000),
      sourcesPerSecond: read.int('SOURCES_REQUESTS_PER_SECOND', 1, 1, 10_000),
    },
    ecfrBaseUrl: read.url('ECFR_BASE_URL', sameOrigin ?? DEFAULT_ECFR_BASE_URL),
    cslUrl: read.url('CSL_URL', DEFAULT_CSL_URL),
    http: { host: read.string('HTTP_HOST', '0.0.0.0'), port: read.int('HTTP_PORT', 8080, 0, 65535) },
    pollIntervalMs: read.int('POLL_INTERVAL_MS', 5 * 60_000, 100),
    // Unset: every minute on business days (America/New_York); set, or POLL_INTERVAL_MS set: that interval.
    publicInspectionIntervalMs:
      read.optionalInt('PUBLIC_INSPECTION_INTERVAL_MS', 100) ?? read.peekInt('POLL_INTERVAL_MS'),
    snapshotIntervalMs: read.int('SNAPSHOT_INTERVAL_MS', 24 * 3_600_000, 1000),
    sources: {
      publicInspection: read.bool('PUBLIC_INSPECTION_ENABLED', true),
      ecfr: read.bool('ECFR_ENABLED', true),
      // A replay server serves no CSL: against one, the CSL is read only when CSL_URL names it.
      csl: read.bool('CSL_ENABLED', env.CSL_URL !== undefined || sameOrigin === undefined),
    },
    bootstrapFromEcfr: read.bool('BOOTSTRAP_FROM_ECFR', true),
    lookbackDays: read.int('POLL_LOOKBACK_DAYS', 3, 0, 60),
    webhooks: {
      allowedNetworks,
      retryScheduleMs: read.durations('WEBHOOK_RETRY_SCHEDULE', DEFAULT_RETRY_SCHEDULE_MS),
      timeoutMs: read.int('WEBHOOK_TIMEOUT_MS', 15_000, 100),
      disableAfterMs: read.int('WEBHOOK_DISABLE_AFTER_MS', 5 * 24 * 3_600_000, 1000),
      concurrency: read.int('DELIVERY_CONCURRENCY', 64, 1, 1000),
    },
    documentConcurrency: read.int('DOCUMENT_CONCURRENCY', 4, 1, 64),
    jobLockMs,
    // A third of the lock: a killed worker's jobs are taken up within about 4/3 of the lock.
    jobStalledIntervalMs: read.int('JOB_STALLED_INTERVAL_MS', Math.ceil(jobLockMs / 3), 100, 600_000),
    shutdownTimeoutMs: read.int('SHUTDOWN_TIMEOUT_MS', 20_000, 1_000),
    eventRetentionDays: read.int('EVENT_RETENTION_DAYS', 3650, 1),
    massChange: {
      maxRemovalRatio: read.number('MASS_CHANGE_MAX_REMOVAL_RATIO', 0.05, 0, 1),
      maxRemovals: read.int('MASS_CHANGE_MAX_REMOVALS', 50, 0),
    },
    logLevel: read.oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    roles: new Set(roles as Role[]),
    dashboardReadOnly: read.bool('DASHBOARD_READ_ONLY', env.NODE_ENV === 'production'),
    requireDurableRedis: read.bool('REQUIRE_DURABLE_REDIS', false),
    redisCheckIntervalMs: read.int('REDIS_CHECK_INTERVAL_MS', 5_000, 100, 30_000),
    secretsKeys: secretsKeys(env, problems),
  };
  if (adminToken !== undefined) config.adminToken = adminToken;
  const metricsPort = read.optionalInt('METRICS_PORT', 0, 65535);
  if (metricsPort !== undefined) config.metricsPort = metricsPort;

  if (problems.length > 0) {
    throw new AppError('CONFIG_INVALID', `configuration is invalid:\n  - ${problems.join('\n  - ')}`, {
      context: { problems },
    });
  }
  return Object.freeze(config);
}

/**
 * SECRETS_KEY (32 bytes, base64 or hex) encrypts webhook secrets; SECRETS_KEY_PREVIOUS (a comma-
 * separated list) still decrypts those written under keys rotated out.
 */
function secretsKeys(env: Env, problems: string[]): Buffer[] {
  const parse = (name: string, value: string): Buffer | undefined => {
    const v = value.trim();
    if (/^[0-9a-f]{64}$/i.test(v)) return Buffer.from(v, 'hex');
    if (/^[A-Za-z0-9+/_-]{43}=?$/.test(v)) return Buffer.from(v, 'base64');
    // Never the value itself in the message: it is a secret.
    problems.push(`${name}: expected 32 random bytes as base64 or hex (e.g. \`openssl rand -base64 32\`)`);
    return undefined;
  };
  const current = env.SECRETS_KEY?.trim();
  const previous = (env.SECRETS_KEY_PREVIOUS ?? '').split(',').filter((s) => s.trim() !== '');
  if (!current) {
    if (previous.length > 0) problems.push('SECRETS_KEY_PREVIOUS: set without SECRETS_KEY');
    return [];
  }
  return [parse('SECRETS_KEY', current), ...previous.map((p) => parse('SECRETS_KEY_PREVIOUS', p))].filter(
    (k): k is Buffer => k !== undefined,
  );
}

/**
 * REDIS_CLUSTER_NODES or REDIS_SENTINELS (with REDIS_SENTINEL_NAME) when set, else REDIS_URL.
 * REDIS_USERNAME, REDIS_PASSWORD and REDIS_TLS apply to the cluster's nodes and the Sentinel's
 * primary and replicas (a URL carries its own); REDIS_SENTINEL_PASSWORD to the Sentinels.
 */
function redisTarget(env: Env, read: Reader, url: string, problems: string[]): RedisTarget {
  const nodes = read.hostPorts('REDIS_CLUSTER_NODES');
  const sentinels = read.hostPorts('REDIS_SENTINELS');
  const name = read.string('REDIS_SENTINEL_NAME', '');
  if (nodes && sentinels) {
    problems.push('REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set: choose one Redis topology');
  }
  if (sentinels && !name) {
    problems.push(
      'REDIS_SENTINELS is set without REDIS_SENTINEL_NAME (the name of the primary Sentinel watches)',
    );
  }
  if (name && !sentinels) {
    problems.push(
      'REDIS_SENTINEL_NAME is set without REDIS_SENTINELS (host:port of each Sentinel, comma-separated)',
    );
  }
  const auth: RedisAuth = {};
  const username = env.REDIS_USERNAME?.trim();
  const password = env.REDIS_PASSWORD;
  if (username) auth.username = username;
  if (password) auth.password = password;
  if (read.bool('REDIS_TLS', false)) auth.tls = true;
  if (nodes) return { kind: 'cluster', nodes, ...auth };
  if (sentinels) {
    const sentinelPassword = env.REDIS_SENTINEL_PASSWORD;
    return { kind: 'sentinel', sentinels, name, ...auth, ...(sentinelPassword ? { sentinelPassword } : {}) };
  }
  return { kind: 'standalone', url };
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

class Reader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  private raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  url(name: string, fallback: string, protocols = ['http:', 'https:']): string {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) {
        this.problems.push(`${name}=${redact(v)}: expected a ${protocols.join(' or ')} URL`);
        return fallback;
      }
      return v.replace(/\/+$/, '');
    } catch {
      this.problems.push(`${name}=${redact(v)}: not a URL`);
      return fallback;
    }
  }

  optionalInt(name: string, min: number, max = Infinity): number | undefined {
    return this.raw(name) === undefined ? undefined : this.int(name, min, min, max);
  }

  peekInt(name: string): number | undefined {
    const v = this.raw(name);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  }

  int(name: string, fallback: number, min = -Infinity, max = Infinity): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      this.problems.push(
        `${name}=${v}: expected an integer${Number.isFinite(min) ? ` ≥ ${min}` : ''}${Number.isFinite(max) ? ` and ≤ ${max}` : ''}`,
      );
      return fallback;
    }
    return Number(v);
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      this.problems.push(`${name}=${v}: expected a number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    this.problems.push(`${name}=${v}: expected true or false`);
    return fallback;
  }

  oneOf(name: string, fallback: string, allowed: string[]): string {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!allowed.includes(v)) {
      this.problems.push(`${name}=${v}: expected one of ${allowed.join(', ')}`);
      return fallback;
    }
    return v;
  }

  list(name: string, fallback: string[]): string[] {
    const v = this.raw(name);
    return v === undefined
      ? fallback
      : v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  }

  /** `host:port,host:port,…` (IPv6 as `[::1]:7000`); undefined when unset or wholly invalid. */
  hostPorts(name: string): HostPort[] | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const out: HostPort[] = [];
    for (const part of v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(part);
      const port = Number(m?.[3]);
      if (!m || port < 1 || port > 65535) {
        this.problems.push(`${name}: "${part}" is not host:port (e.g. 10.0.0.5:6379 or [::1]:7000)`);
        continue;
      }
      out.push({ host: m[1] ?? m[2]!, port });
    }
    return out.length > 0 ? out : undefined;
  }

  /** "5s,5m,30m,2h" or plain milliseconds. */
  durations(name: string, fallback: readonly number[]): readonly number[] {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const out: number[] = [];
    for (const part of v.split(',').map((s) => s.trim())) {
      const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(part);
      if (!m) {
        this.problems.push(`${name}: "${part}" is not a duration (e.g. 500ms, 5s, 5m, 2h)`);
        continue;
      }
      const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
      out.push(Math.round(Number(m[1]) * unit));
    }
    return out;
  }
}

/** Credentials in URLs (redis://:password@host) never reach a message. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
