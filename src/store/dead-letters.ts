import { decode, objectWith } from './codec.js';
import type { Keys } from './keys.js';
import type { RedisClient } from './redis.js';

/** A delivery that exhausted its retries (or whose subscriber went away), kept for an operator. */
export interface DeadLetter {
  eventId: string;
  subscriptionId: string;
  eventType?: string;
  attempts: number;
  reason: string;
  status?: number;
  at: string;
}

/** A dead letter with the id it is indexed under (redelivery removes by id). */
export interface StoredDeadLetter {
  id: string;
  letter: DeadLetter;
}

const isDeadLetter = objectWith<DeadLetter>('DeadLetter', ['eventId', 'subscriptionId']);

/** The most dead letters kept: past it the oldest go. */
export const DEAD_LETTER_CAP = 100_000;

/*
 * The layout. Each letter gets a number from a counter (`seq`), written as 16 digits so that its
 * id sorts as text the way it sorts as a number:
 *  - `letters`: HASH id → letter JSON;
 *  - `byTime`: ZSET of `<id>|<subscriptionId>` scored by the number (oldest first; trimming pops
 *    from its head and reads the subscription from the member, no JSON decoding in Redis);
 *  - `bySubscription`: ZSET of `<subscriptionId>|<id>`, every score 0, so that one subscription's
 *    letters are a lexicographic range, in order of time (ZRANGEBYLEX, paged with LIMIT).
 * One ZSET ordered by text rather than one per subscription: a script's keys must all be named
 * up front (a Redis Cluster routes by them), and trimming the oldest may touch any subscription.
 * Subscription ids (`sub_` + base64url) never hold `|`.
 */

/** KEYS: 1 letters, 2 byTime, 3 bySubscription, 4 seq. ARGV: 1 subscription id, 2 letter JSON, 3 cap. */
const ADD_SCRIPT = `
-- dead letter add. KEYS: 1 letters, 2 byTime, 3 bySubscription, 4 seq
local seq = redis.call('INCR', KEYS[4])
local id = string.format('%016d', seq)
redis.call('HSET', KEYS[1], id, ARGV[2])
redis.call('ZADD', KEYS[2], seq, id .. '|' .. ARGV[1])
redis.call('ZADD', KEYS[3], 0, ARGV[1] .. '|' .. id)
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if over > 0 then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, over - 1)
  for _, member in ipairs(oldest) do
    local cut = string.find(member, '|', 1, true)
    local old = string.sub(member, 1, cut - 1)
    redis.call('HDEL', KEYS[1], old)
    redis.call('ZREM', KEYS[3], string.sub(member, cut + 1) .. '|' .. old)
  end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)
end
return id
`;

/**
 * KEYS: 1 the LIST of the layout before the index (JSON, newest first), 2 letters, 3 byTime,
 * 4 bySubscription, 5 seq. ARGV: 1 how many to move. Moves the oldest letters of the list into the
 * index, numbered in order, and trims them off the list (which Redis deletes once empty); returns
 * how many it moved. Run until it moves fewer than asked: each run is atomic and short, so Redis
 * keeps serving others between them, and processes migrating at once share the work without
 * moving a letter twice or out of order. A letter whose JSON has no subscription id is indexed
 * under the empty one, to be reported as corrupt when read, as it was before.
 */
const MIGRATE_SCRIPT = `
-- dead letters migrate. KEYS: 1 legacy list, 2 letters, 3 byTime, 4 bySubscription, 5 seq
if redis.call('TYPE', KEYS[1]).ok ~= 'list' then return 0 end
local n = tonumber(ARGV[1])
local oldest = redis.call('LRANGE', KEYS[1], -n, -1)
for i = #oldest, 1, -1 do
  local json = oldest[i]
  local ok, letter = pcall(cjson.decode, json)
  local sub = ''
  if ok and type(letter) == 'table' and type(letter.subscriptionId) == 'string' then sub = letter.subscriptionId end
  local seq = redis.call('INCR', KEYS[5])
  local id = string.format('%016d', seq)
  redis.call('HSET', KEYS[2], id, json)
  redis.call('ZADD', KEYS[3], seq, id .. '|' .. sub)
  redis.call('ZADD', KEYS[4], 0, sub .. '|' .. id)
end
redis.call('LTRIM', KEYS[1], 0, -#oldest - 1)
return #oldest
`;

/** How many letters one round trip reads. */
const PAGE = 1000;

/**
 * The dead-letter queue: written by the delivery stage, listed and redelivered by operators. Each
 * operation is O(log n) in the letters kept, plus what it returns: listing one subscription's
 * letters pages through its range of the index, redelivery removes its letters by id.
 *
 * Letters kept under the layout before the index (a LIST at `keys.legacyDeadLetters`) are moved
 * into it once, by the first operation of each process that finds the list there.
 */
export class DeadLetterStore {
  private migrated: Promise<number> | undefined;
  private readonly cap: number;
  private readonly migrateBatch: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    options: { cap?: number; migrateBatch?: number } = {},
  ) {
    this.cap = options.cap ?? DEAD_LETTER_CAP;
    this.migrateBatch = options.migrateBatch ?? 1000;
  }

  /**
   * Moves letters of the old LIST layout into the index (once per store; every operation waits for
   * it, so no new letter is numbered before an old one); how many this store moved.
   */
  migrate(): Promise<number> {
    this.migrated ??= this.moveLegacy().catch((err: unknown) => {
      this.migrated = undefined; // try again at the next use
      throw err;
    });
    return this.migrated;
  }

  private async moveLegacy(): Promise<number> {
    let moved = 0;
    for (;;) {
      const n = Number(
        await this.redis.eval(
          MIGRATE_SCRIPT,
          5,
          this.keys.legacyDeadLetters,
          this.keys.deadLetterRecords,
          this.keys.deadLettersByTime,
          this.keys.deadLettersBySubscription,
          this.keys.deadLetterSeq,
          String(this.migrateBatch),
        ),
      );
      moved += n;
      if (n < this.migrateBatch) return moved;
    }
  }

  /** Adds a letter (the newest); past the cap, the oldest go. Returns its id. */
  async add(letter: DeadLetter): Promise<string> {
    await this.migrate();
    return (await this.redis.eval(
      ADD_SCRIPT,
      4,
      this.keys.deadLetterRecords,
      this.keys.deadLettersByTime,
      this.keys.deadLettersBySubscription,
      this.keys.deadLetterSeq,
      letter.subscriptionId,
      JSON.stringify(letter),
      String(this.cap),
    )) as string;
  }

  /** Every letter, or one subscription's (when one is named), newest first. */
  async list(subscriptionId?: string): Promise<DeadLetter[]> {
    const stored = subscriptionId ? await this.ofSubscription(subscriptionId) : await this.all();
    return stored.map((s) => s.letter);
  }

  /** One subscription's letters with their ids, newest first: what redelivery takes. */
  async ofSubscription(subscriptionId: string): Promise<StoredDeadLetter[]> {
    await this.migrate();
    const out: StoredDeadLetter[] = [];
    // Newest first: from the top of the subscription's range down (`:` sorts after every digit).
    for (let offset = 0; ; offset += PAGE) {
      const members = await this.redis.zrevrangebylex(
        this.keys.deadLettersBySubscription,
        `(${subscriptionId}|:`,
        `(${subscriptionId}|`,
        'LIMIT',
        offset,
        PAGE,
      );
      out.push(...(await this.read(members.map((m) => m.slice(subscriptionId.length + 1)))));
      if (members.length < PAGE) return out;
    }
  }

  /** Removes letters by id (those redelivered); how many were still there. */
  async remove(letters: readonly StoredDeadLetter[]): Promise<number> {
    if (letters.length === 0) return 0;
    await this.migrate();
    let removed = 0;
    for (let i = 0; i < letters.length; i += PAGE) {
      const page = letters.slice(i, i + PAGE);
      const results = await this.redis
        .multi()
        .hdel(this.keys.deadLetterRecords, ...page.map((l) => l.id))
        .zrem(this.keys.deadLettersByTime, ...page.map((l) => `${l.id}|${l.letter.subscriptionId}`))
        .zrem(this.keys.deadLettersBySubscription, ...page.map((l) => `${l.letter.subscriptionId}|${l.id}`))
        .exec();
      const [err, n] = results?.[0] ?? [];
      if (err) throw err;
      removed += Number(n);
    }
    return removed;
  }

  /** How many letters are kept now. */
  async count(): Promise<number> {
    await this.migrate();
    return this.redis.zcard(this.keys.deadLettersByTime);
  }

  private async all(): Promise<StoredDeadLetter[]> {
    await this.migrate();
    const out: StoredDeadLetter[] = [];
    for (let start = 0; ; start += PAGE) {
      const members = await this.redis.zrevrange(this.keys.deadLettersByTime, start, start + PAGE - 1);
      out.push(...(await this.read(members.map((m) => m.slice(0, m.indexOf('|'))))));
      if (members.length < PAGE) return out;
    }
  }

  /** The letters of these ids, in their order; one trimmed meanwhile is skipped. */
  private async read(ids: readonly string[]): Promise<StoredDeadLetter[]> {
    if (ids.length === 0) return [];
    const values = await this.redis.hmget(this.keys.deadLetterRecords, ...ids);
    const out: StoredDeadLetter[] = [];
    ids.forEach((id, i) => {
      const raw = values[i];
      if (raw)
        out.push({ id, letter: decode(raw, { key: this.keys.deadLetterRecords, field: id }, isDeadLetter) });
    });
    return out;
  }
}
