import { AppError } from '../errors.js';
import { addDays, epochDay, isIsoDate } from '../federal-register/dates.js';
import { documentNumberKey } from '../federal-register/document-number.js';
import type { RedisClient } from './redis.js';

/**
 * Where the poller is in the Federal Register, so that no document is missed or processed twice.
 *
 * A date alone is not enough: several documents share a publication date, and a date's documents
 * can appear in the API hours after others of that date were seen. So the cursor keeps
 *  - the latest publication date processed (`…:date`), and
 *  - the set of processed document numbers with their publication dates (`…:processed`, a sorted
 *    set scored by day).
 * Each poll re-queries from the cursor date minus a lookback (inclusive), and `newDocuments`
 * drops what was already processed. A document is missed only if it appears more than
 * `lookbackDays` after its publication date.
 *
 * Keys: `<prefix>cursor:<name>:date` and `<prefix>cursor:<name>:processed`. The prefix must carry a
 * Redis Cluster hash tag (`{fedreg}:`) so both keys share one slot (the update is one Lua script).
 */
export interface DocumentCursorOptions {
  /** Hash-tagged key prefix, e.g. `{fedreg}:`. */
  prefix: string;
  /** Several cursors can share a prefix (`fr`, `fr-corrections`…). Default `fr`. */
  name?: string;
  /** First date to query when the cursor is empty (e.g. the day after the baseline snapshot). */
  startDate: string;
  /** How far before the cursor date each poll looks again. Default 7 days. */
  lookbackDays?: number;
  /** Processed numbers older than cursor − lookback − keepDays are pruned. Default 60. */
  keepDays?: number;
}

export interface DatedDocument {
  document_number: string;
  publication_date: string;
}

export interface CursorState {
  cursorDate: string | undefined;
  since: string;
  processed: number;
}

// KEYS[1] date, KEYS[2] processed; ARGV[1] publication date, ARGV[2] day score, ARGV[3] number key.
// Returns 1 when the number was new.
const MARK_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if (not cur) or cur < ARGV[1] then redis.call('SET', KEYS[1], ARGV[1]) end
return redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
`;

export function hasHashTag(prefix: string): boolean {
  return /\{[^{}]+\}/.test(prefix);
}

export class DocumentCursor {
  readonly dateKey: string;
  readonly processedKey: string;
  private readonly startDate: string;
  private readonly lookbackDays: number;
  private readonly keepDays: number;

  constructor(
    private readonly redis: RedisClient,
    options: DocumentCursorOptions,
  ) {
    if (!hasHashTag(options.prefix)) {
      throw new AppError(
        'CONFIG_INVALID',
        `cursor key prefix ${JSON.stringify(options.prefix)} has no hash tag; use something like "{fedreg}:" so the cursor's keys share a Redis Cluster slot`,
        { context: { prefix: options.prefix } },
      );
    }
    if (!isIsoDate(options.startDate)) {
      throw new AppError(
        'CONFIG_INVALID',
        `cursor startDate must be YYYY-MM-DD, got ${JSON.stringify(options.startDate)}`,
        {
          context: { startDate: options.startDate },
        },
      );
    }
    const name = options.name ?? 'fr';
    this.dateKey = `${options.prefix}cursor:${name}:date`;
    this.processedKey = `${options.prefix}cursor:${name}:processed`;
    this.startDate = options.startDate;
    this.lookbackDays = options.lookbackDays ?? 7;
    this.keepDays = options.keepDays ?? 60;
  }

  /** The latest publication date processed, if any. */
  async cursorDate(): Promise<string | undefined> {
    return (await this.redis.get(this.dateKey)) ?? undefined;
  }

  /** `conditions[publication_date][gte]` for the next poll: cursor date − lookback, or the start date. */
  async since(): Promise<string> {
    const cur = await this.cursorDate();
    if (!cur) return this.startDate;
    const back = addDays(cur, -this.lookbackDays);
    return back < this.startDate ? this.startDate : back;
  }

  async isProcessed(documentNumber: string): Promise<boolean> {
    return (await this.redis.zscore(this.processedKey, documentNumberKey(documentNumber))) !== null;
  }

  /**
   * The documents of a search that still need processing: not yet processed, each once (the same
   * number twice in `results`, e.g. across a page boundary that moved, counts once), oldest first.
   */
  async newDocuments<T extends DatedDocument>(results: readonly T[]): Promise<T[]> {
    const unique = new Map<string, T>();
    for (const r of results) {
      const key = documentNumberKey(r.document_number);
      if (!unique.has(key)) unique.set(key, r);
    }
    if (unique.size === 0) return [];
    const keys = [...unique.keys()];
    const scores = await this.redis.zmscore(this.processedKey, ...keys);
    const fresh = keys.filter((_, i) => scores[i] === null).map((k) => unique.get(k)!);
    return fresh.sort(
      (a, b) =>
        a.publication_date.localeCompare(b.publication_date) ||
        a.document_number.localeCompare(b.document_number),
    );
  }

  /**
   * Records a document as processed and moves the cursor date forward to its publication date
   * (never backward). Atomic; returns true the first time a number is marked.
   */
  async markProcessed(documentNumber: string, publicationDate: string): Promise<boolean> {
    if (!isIsoDate(publicationDate)) {
      throw new AppError(
        'INPUT_INVALID',
        `cursor: document ${documentNumber} has publication date ${JSON.stringify(publicationDate)}, expected YYYY-MM-DD`,
        { context: { documentNumber, publicationDate } },
      );
    }
    const added = await this.redis.eval(
      MARK_SCRIPT,
      2,
      this.dateKey,
      this.processedKey,
      publicationDate,
      String(epochDay(publicationDate)),
      documentNumberKey(documentNumber),
    );
    return Number(added) === 1;
  }

  /** Forgets processed numbers that no poll can return again. Returns how many were removed. */
  async prune(): Promise<number> {
    const cur = await this.cursorDate();
    if (!cur) return 0;
    const cutoff = epochDay(addDays(cur, -(this.lookbackDays + this.keepDays)));
    return Number(await this.redis.zremrangebyscore(this.processedKey, '-inf', `(${cutoff}`));
  }

  async state(): Promise<CursorState> {
    return {
      cursorDate: await this.cursorDate(),
      since: await this.since(),
      processed: Number(await this.redis.zcard(this.processedKey)),
    };
  }

  /** Removes the cursor's keys (tests, `state reset`). */
  async clear(): Promise<void> {
    await this.redis.del(this.dateKey, this.processedKey);
  }
}
