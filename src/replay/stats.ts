import { maxInAnyWindow } from '../http-client/rate-budget.js';
import type { RouteKind } from './faults.js';

/**
 * What the replay server was asked, so tests can measure a client from the outside: request counts
 * and arrival times (server wall clock, ms) per kind of route and per path.
 */
export interface RequestRecord {
  at: number;
  kind: RouteKind;
  path: string;
  status: number;
  fault?: string;
  notModified?: boolean;
}

export interface KindStats {
  count: number;
  timestamps: number[];
  statuses: Record<string, number>;
  /** Most requests seen in any one-second window (inclusive bounds). */
  maxPerSecond: number;
}

export interface StatsReport {
  since: number;
  total: number;
  byKind: Partial<Record<RouteKind, KindStats>>;
  /** All FR API routes together (everything but eCFR and plain text). */
  api: { count: number; maxPerSecond: number };
  byPath: Record<string, number>;
  requests: RequestRecord[];
}

export class RequestStats {
  private records: RequestRecord[] = [];
  private since = Date.now();

  constructor(private readonly keep = 20_000) {}

  record(r: RequestRecord): void {
    this.records.push(r);
    if (this.records.length > this.keep) this.records.splice(0, this.records.length - this.keep);
  }

  reset(): void {
    this.records = [];
    this.since = Date.now();
  }

  report(): StatsReport {
    const byKind: Partial<Record<RouteKind, KindStats>> = {};
    const byPath: Record<string, number> = {};
    for (const r of this.records) {
      const k = (byKind[r.kind] ??= { count: 0, timestamps: [], statuses: {}, maxPerSecond: 0 });
      k.count++;
      k.timestamps.push(r.at);
      const s = r.notModified ? '304' : String(r.status);
      k.statuses[s] = (k.statuses[s] ?? 0) + 1;
      byPath[r.path] = (byPath[r.path] ?? 0) + 1;
    }
    for (const k of Object.values(byKind)) if (k) k.maxPerSecond = maxInAnyWindow(k.timestamps, 1000);
    const apiTimes = this.records.filter((r) => r.kind !== 'ecfr' && r.kind !== 'text').map((r) => r.at);
    return {
      since: this.since,
      total: this.records.length,
      byKind,
      api: { count: apiTimes.length, maxPerSecond: maxInAnyWindow(apiTimes, 1000) },
      byPath,
      requests: [...this.records],
    };
  }
}
