import { AppError } from '../errors.js';

/**
 * Faults on demand for the replay server: per route (a path pattern or a kind of route), answer
 * with a status (500, 503, 429 with Retry-After…), add latency, truncate the body, or drop the
 * connection, for a count of requests and/or with a probability drawn from a seeded RNG (so a
 * flaky run can be replayed exactly).
 */

export type RouteKind = 'search' | 'document' | 'xml' | 'public-inspection' | 'ecfr' | 'text' | 'other';
export const ROUTE_KINDS: readonly RouteKind[] = [
  'search',
  'document',
  'xml',
  'public-inspection',
  'ecfr',
  'text',
  'other',
];

export interface FaultRuleInput {
  /** Path pattern: `*` wildcards (`/api/v1/documents/*`), or a regular expression written `/…/`. */
  route?: string;
  /** Kind of route; `any` (the default when `route` is given too) matches all. */
  kind?: RouteKind | 'any';
  /** Answer with this status instead of the real response. */
  status?: number;
  /** `Retry-After` header value: seconds (number) or an HTTP date (string). */
  retryAfter?: number | string;
  /** Added before answering (the real or the faulted answer). */
  latencyMs?: number;
  /**
   * Send only part of the body: `true` (or `"reset"`) promises the full Content-Length, sends
   * half and resets the connection (what a network failure looks like); `"clean"` sends a shorter,
   * well-framed body (a server bug: malformed content).
   */
  truncate?: boolean | 'reset' | 'clean';
  /** Close the connection without answering. */
  drop?: boolean;
  /** Affect at most this many requests (default: unlimited). */
  count?: number;
  /** Affect each matching request with this probability (default 1). */
  probability?: number;
  /** Seed of the RNG used with `probability` (default 1). */
  seed?: number;
  /** Body for `status` answers (default a small JSON error). */
  body?: string;
}

export interface FaultRule extends FaultRuleInput {
  id: string;
  /** Requests affected so far. */
  hits: number;
  /** Requests that matched the route (affected or not). */
  seen: number;
}

/** mulberry32: tiny, fast, good enough for test faults, and reproducible from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function routeMatcher(route: string): (path: string) => boolean {
  if (route.length > 2 && route.startsWith('/') && route.endsWith('/') && !route.endsWith('*/')) {
    const re = new RegExp(route.slice(1, -1));
    return (p) => re.test(p);
  }
  const escaped = route.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  const re = new RegExp(`^${escaped}$`);
  return (p) => re.test(p);
}

export function validateFaultRule(input: unknown, index: number): FaultRuleInput {
  const where = `fault rule ${index}`;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new AppError('INPUT_INVALID', `${where}: expected an object`, { context: { index } });
  }
  const r = input as Record<string, unknown>;
  const rule: FaultRuleInput = {};
  if (r.route !== undefined) {
    if (typeof r.route !== 'string' || r.route === '')
      throw new AppError('INPUT_INVALID', `${where}: route must be a non-empty string`);
    rule.route = r.route;
  }
  if (r.kind !== undefined) {
    if (r.kind !== 'any' && !ROUTE_KINDS.includes(r.kind as RouteKind)) {
      throw new AppError(
        'INPUT_INVALID',
        `${where}: kind must be one of any, ${ROUTE_KINDS.join(', ')}; got ${JSON.stringify(r.kind)}`,
      );
    }
    rule.kind = r.kind as RouteKind | 'any';
  }
  const num = (name: string, min: number, max: number): number | undefined => {
    const v = r[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw new AppError(
        'INPUT_INVALID',
        `${where}: ${name} must be a number in [${min}, ${max}]; got ${JSON.stringify(v)}`,
      );
    }
    return v;
  };
  const status = num('status', 100, 599);
  if (status !== undefined) rule.status = Math.floor(status);
  const latency = num('latencyMs', 0, 600_000);
  if (latency !== undefined) rule.latencyMs = latency;
  const count = num('count', 0, Number.MAX_SAFE_INTEGER);
  if (count !== undefined) rule.count = Math.floor(count);
  const p = num('probability', 0, 1);
  if (p !== undefined) rule.probability = p;
  const seed = num('seed', -(2 ** 31), 2 ** 32);
  if (seed !== undefined) rule.seed = seed;
  if (r.retryAfter !== undefined) {
    if (typeof r.retryAfter !== 'number' && typeof r.retryAfter !== 'string') {
      throw new AppError('INPUT_INVALID', `${where}: retryAfter must be seconds or an HTTP date`);
    }
    rule.retryAfter = r.retryAfter;
  }
  if (r.truncate !== undefined) {
    if (r.truncate !== true && r.truncate !== false && r.truncate !== 'reset' && r.truncate !== 'clean') {
      throw new AppError('INPUT_INVALID', `${where}: truncate must be true, "reset" or "clean"`);
    }
    rule.truncate = r.truncate;
  }
  if (r.drop !== undefined) rule.drop = r.drop === true;
  if (r.body !== undefined) {
    if (typeof r.body !== 'string') throw new AppError('INPUT_INVALID', `${where}: body must be a string`);
    rule.body = r.body;
  }
  if (rule.route === undefined && rule.kind === undefined) {
    throw new AppError(
      'INPUT_INVALID',
      `${where}: give a route pattern or a kind (any, ${ROUTE_KINDS.join(', ')})`,
    );
  }
  if (rule.status === undefined && rule.latencyMs === undefined && !rule.truncate && !rule.drop) {
    throw new AppError('INPUT_INVALID', `${where}: give at least one of status, latencyMs, truncate, drop`);
  }
  return rule;
}

export class FaultInjector {
  private rules: Array<{ rule: FaultRule; match: (path: string) => boolean; random: () => number }> = [];
  private nextId = 1;

  add(inputs: readonly FaultRuleInput[]): FaultRule[] {
    const added: FaultRule[] = [];
    for (const input of inputs) {
      const rule: FaultRule = { ...input, id: `f${this.nextId++}`, hits: 0, seen: 0 };
      const byRoute = input.route ? routeMatcher(input.route) : () => true;
      this.rules.push({ rule, match: byRoute, random: seededRandom(input.seed ?? 1) });
      added.push(rule);
    }
    return added;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r.rule }));
  }

  clear(): void {
    this.rules = [];
  }

  /** The rule that fires for this request, if any; counts it. */
  pick(kind: RouteKind, path: string): FaultRule | undefined {
    for (const r of this.rules) {
      const { rule } = r;
      if (rule.kind && rule.kind !== 'any' && rule.kind !== kind) continue;
      if (!r.match(path)) continue;
      if (rule.count !== undefined && rule.hits >= rule.count) continue;
      rule.seen++;
      if (rule.probability !== undefined && r.random() >= rule.probability) continue;
      rule.hits++;
      return { ...rule };
    }
    return undefined;
  }
}
