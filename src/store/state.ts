import type { RedisClient } from './redis.js';
import { listingKeys } from '../entity-list/listings.js';
import { sortEntries } from '../entity-list/snapshot.js';
import type { ListedEntry, Snapshot } from '../entity-list/types.js';
import { AppError } from '../errors.js';
import type { CloudEvent } from '../events/cloudevent.js';
import { decode, decodeOptional, isObject, isSnapshot, type Shape } from './codec.js';
import type { Keys } from './keys.js';

const isListedEntry: Shape<ListedEntry> = function ListedEntry(v): v is ListedEntry {
  return isObject(v) && typeof v.name === 'string';
};

/**
 * The derived state of the Entity List in Redis, and the one atomic step that moves it: a
 * document's entry changes, its events and its "applied" mark are written by a single Lua script,
 * so a worker killed at any instant leaves either all of a document applied or none of it. The
 * script also refuses to run on a state that moved since it was read (optimistic concurrency) and
 * skips events whose ids are already in the log (re-processing adds nothing).
 */

export interface StoredState {
  snapshot: Snapshot;
  /** Number of documents applied since the import; the optimistic-concurrency token. */
  version: number;
}

export interface CommitInput {
  documentNumber: string;
  expectedVersion: number;
  asOf: string;
  /** Entries to write, each under its listing key (see entity-list/listings.ts). */
  upserts: Array<[key: string, entry: ListedEntry]>;
  deletes: string[];
  events: CloudEvent[];
  /** Retention: events with stream ids older than this many ms ago may be trimmed. */
  retentionMs: number;
  now: number;
}

export type CommitResult =
  | { kind: 'committed'; version: number; appended: string[] }
  | { kind: 'conflict'; version: number }
  | { kind: 'already-applied' };

const COMMIT_SCRIPT = `
-- KEYS: 1 entries, 2 meta, 3 events, 4 eventIds, 5 doc, 6 pending
-- ARGV: 1 expectedVersion, 2 asOf, 3 documentNumber, 4 minId, 5 now, then counted lists
if redis.call('HGET', KEYS[5], 'status') == 'applied' then return {-2} end
local version = tonumber(redis.call('HGET', KEYS[2], 'version') or '0')
if version ~= tonumber(ARGV[1]) then return {-1, version} end
local i = 6
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]); i = i + 2 end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('HDEL', KEYS[1], ARGV[i]); i = i + 1 end
n = tonumber(ARGV[i]); i = i + 1
local appended = {}
local ids = {}
for _ = 1, n do
  local id, json = ARGV[i], ARGV[i + 1]
  i = i + 2
  table.insert(ids, id)
  if redis.call('HEXISTS', KEYS[4], id) == 0 then
    local sid = redis.call('XADD', KEYS[3], 'MINID', '~', ARGV[4], '*', 'e', json)
    redis.call('HSET', KEYS[4], id, sid)
    table.insert(appended, sid)
  end
end
redis.call('HSET', KEYS[2], 'version', version + 1, 'asOf', ARGV[2], 'lastDocument', ARGV[3])
redis.call('HSET', KEYS[5], 'status', 'applied', 'appliedAt', ARGV[5], 'events', cjson.encode(ids))
redis.call('HDEL', KEYS[5], 'error')
redis.call('ZREM', KEYS[6], ARGV[3])
local out = {version + 1}
for _, sid in ipairs(appended) do table.insert(out, sid) end
return out
`;

const APPEND_SCRIPT = `
-- KEYS: 1 events, 2 eventIds. ARGV: 1 minId, then id/json pairs. Returns the new stream ids.
local appended = {}
for i = 2, #ARGV, 2 do
  local id, json = ARGV[i], ARGV[i + 1]
  if redis.call('HEXISTS', KEYS[2], id) == 0 then
    local sid = redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[1], '*', 'e', json)
    redis.call('HSET', KEYS[2], id, sid)
    table.insert(appended, sid)
  end
end
return appended
`;

export class StateStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Whether a snapshot has been imported. */
  async isInitialised(): Promise<boolean> {
    return (await this.redis.hexists(this.keys.stateMeta, 'asOf')) === 1;
  }

  /**
   * Stores `snapshot` as the state at its `asOf`: the start of history. Refuses to replace a state
   * that documents have already moved, unless `force`.
   */
  async importBaseline(snapshot: Snapshot, options: { force?: boolean; now: number }): Promise<void> {
    const meta = await this.redis.hgetall(this.keys.stateMeta);
    const applied = Number(meta.version ?? 0);
    if (applied > 0 && !options.force) {
      throw new AppError(
        'SNAPSHOT_INVALID',
        `the state in Redis already has ${applied} applied document(s) since its import as of ${meta.baselineAsOf}; pass --force to replace it`,
        { context: { applied, asOf: meta.asOf } },
      );
    }
    const tx = this.redis.multi().del(this.keys.stateEntries);
    const fields: string[] = [];
    // By listing key: a name listed twice under one destination is two fields, never one.
    const { keys } = listingKeys(snapshot.entries);
    snapshot.entries.forEach((entry, i) => fields.push(keys[i]!, JSON.stringify(entry)));
    if (fields.length > 0) tx.hset(this.keys.stateEntries, ...fields);
    tx.set(this.keys.baseline, JSON.stringify(snapshot));
    tx.del(this.keys.stateMeta);
    tx.hset(
      this.keys.stateMeta,
      'asOf',
      snapshot.asOf,
      'version',
      '0',
      'baselineAsOf',
      snapshot.asOf,
      'importedAt',
      new Date(options.now).toISOString(),
    );
    await tx.exec();
  }

  async read(): Promise<StoredState> {
    const [meta, entries] = await Promise.all([
      this.redis.hgetall(this.keys.stateMeta),
      this.redis.hvals(this.keys.stateEntries),
    ]);
    if (meta.asOf === undefined) {
      throw new AppError(
        'SNAPSHOT_INVALID',
        'no state in Redis: import one first with `fedreg-watch state import SNAPSHOT.json`',
      );
    }
    return {
      snapshot: {
        asOf: meta.asOf,
        entries: sortEntries(entries.map((e) => decode(e, this.keys.stateEntries, isListedEntry))),
      },
      version: Number(meta.version ?? 0),
    };
  }

  /** How many entries the state holds, without reading them. */
  async entryCount(): Promise<number> {
    return this.redis.hlen(this.keys.stateEntries);
  }

  async meta(): Promise<Record<string, string>> {
    return this.redis.hgetall(this.keys.stateMeta);
  }

  async baseline(): Promise<Snapshot | undefined> {
    return decodeOptional(await this.redis.get(this.keys.baseline), this.keys.baseline, isSnapshot);
  }

  /**
   * Appends events that change no entry (public inspection, drift, held diffs), skipping ids
   * already logged. Returns the stream ids of the events appended.
   */
  async appendEvents(
    events: readonly CloudEvent[],
    options: { retentionMs: number; now: number },
  ): Promise<string[]> {
    if (events.length === 0) return [];
    const args: string[] = [`${Math.max(0, options.now - options.retentionMs)}-0`];
    for (const e of events) args.push(e.id, JSON.stringify(e));
    return (await this.redis.eval(
      APPEND_SCRIPT,
      2,
      this.keys.events,
      this.keys.eventIds,
      ...args,
    )) as string[];
  }

  async commit(input: CommitInput): Promise<CommitResult> {
    const k = this.keys;
    const args: Array<string | number> = [
      input.expectedVersion,
      input.asOf,
      input.documentNumber,
      `${Math.max(0, input.now - input.retentionMs)}-0`,
      input.now,
    ];
    args.push(input.upserts.length);
    for (const [key, e] of input.upserts) args.push(key, JSON.stringify(e));
    args.push(input.deletes.length, ...input.deletes);
    args.push(input.events.length);
    for (const e of input.events) args.push(e.id, JSON.stringify(e));
    const out = (await this.redis.eval(
      COMMIT_SCRIPT,
      6,
      k.stateEntries,
      k.stateMeta,
      k.events,
      k.eventIds,
      k.doc(input.documentNumber),
      k.docsPending,
      ...args,
    )) as Array<number | string>;
    if (out[0] === -2) return { kind: 'already-applied' };
    if (out[0] === -1) return { kind: 'conflict', version: Number(out[1]) };
    return { kind: 'committed', version: Number(out[0]), appended: out.slice(1).map(String) };
  }
}

/** What changed between two states, as the writes that turn `prior` into `next` (by listing key). */
export function stateWrites(
  prior: Snapshot,
  next: Snapshot,
): { upserts: Array<[string, ListedEntry]>; deletes: string[] } {
  const priorKeys = listingKeys(prior.entries).keys;
  const before = new Map(prior.entries.map((e, i) => [priorKeys[i]!, JSON.stringify(e)]));
  const upserts: Array<[string, ListedEntry]> = [];
  const seen = new Set<string>();
  const nextKeys = listingKeys(next.entries).keys;
  next.entries.forEach((e, i) => {
    const key = nextKeys[i]!;
    seen.add(key);
    if (before.get(key) !== JSON.stringify(e)) upserts.push([key, e]);
  });
  const deletes = [...before.keys()].filter((k) => !seen.has(k));
  return { upserts, deletes };
}
