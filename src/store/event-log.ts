import type { RedisClient } from './redis.js';
import { listingKeys } from '../entity-list/listings.js';
import { keyOf, sameEntry, sortEntries } from '../entity-list/snapshot.js';
import type { ListedEntry, Snapshot } from '../entity-list/types.js';
import { EVENT_TYPES, type CloudEvent } from '../events/cloudevent.js';
import { decode, isObject, type Shape } from './codec.js';
import type { Keys } from './keys.js';

/**
 * The append-only event log (a Redis stream, written only by the state commit script), read as a
 * feed: stream ids are the cursors a consumer pages through and resumes from.
 */
export interface LoggedEvent {
  /** The stream id: the feed cursor of this event. */
  cursor: string;
  event: CloudEvent;
}

export interface FeedPage {
  events: LoggedEvent[];
  /** Resume after this cursor; equal to the request's `after` when nothing is newer. */
  next: string;
}

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

export function isCursor(value: string): boolean {
  return value === '0' || value === '0-0' || STREAM_ID.test(value);
}

export class EventLog {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async page(after: string, limit: number): Promise<FeedPage> {
    const start = after === '0' || after === '0-0' ? '-' : `(${after}`;
    const rows = await this.redis.xrange(this.keys.events, start, '+', 'COUNT', limit);
    const events = rows.map(([cursor, fields]) => ({
      cursor,
      event: parseFields(fields, this.keys.events, cursor),
    }));
    return { events, next: events.length > 0 ? events[events.length - 1]!.cursor : after };
  }

  async byId(id: string): Promise<LoggedEvent | undefined> {
    const cursor = await this.redis.hget(this.keys.eventIds, id);
    if (!cursor) return undefined;
    const rows = await this.redis.xrange(this.keys.events, cursor, cursor);
    const row = rows[0];
    return row ? { cursor: row[0], event: parseFields(row[1], this.keys.events, row[0]) } : undefined;
  }

  /** The event exactly as logged (the bytes a webhook sends and signs), with its type. */
  async rawById(id: string): Promise<{ cursor: string; json: string; type: string } | undefined> {
    const cursor = await this.redis.hget(this.keys.eventIds, id);
    if (!cursor) return undefined;
    const row = (await this.redis.xrange(this.keys.events, cursor, cursor))[0];
    if (!row) return undefined;
    const i = row[1].indexOf('e');
    const json = row[1][i + 1] ?? 'null';
    const { type } = decode(json, { key: this.keys.events, field: row[0] }, isObject);
    return { cursor: row[0], json, type: typeof type === 'string' ? type : 'unknown' };
  }

  /** The stream id up to which events have been fanned out to deliveries ('0-0': none yet). */
  async fanoutCursor(): Promise<string> {
    return (await this.redis.get(this.keys.fanoutCursor)) ?? '0-0';
  }

  async setFanoutCursor(cursor: string): Promise<void> {
    await this.redis.set(this.keys.fanoutCursor, cursor);
  }

  async byIds(ids: readonly string[]): Promise<LoggedEvent[]> {
    const out: LoggedEvent[] = [];
    for (const id of ids) {
      const e = await this.byId(id);
      if (e) out.push(e);
    }
    return out;
  }

  async length(): Promise<number> {
    return this.redis.xlen(this.keys.events);
  }

  async lastCursor(): Promise<string> {
    const rows = await this.redis.xrevrange(this.keys.events, '+', '-', 'COUNT', 1);
    return rows[0]?.[0] ?? '0-0';
  }

  /**
   * The list as it stood on `date`: the imported baseline with every entry event that took effect
   * on or before that date folded in, in the order the events were applied.
   */
  async stateAsOf(baseline: Snapshot, date: string): Promise<Snapshot> {
    const { keys } = listingKeys(baseline.entries);
    const entries = new Map<string, ListedEntry>(baseline.entries.map((e, i) => [keys[i]!, e]));
    let after = '0';
    for (;;) {
      const page = await this.page(after, 1000);
      for (const { event } of page.events) {
        if (event.time.slice(0, 10) > date) continue;
        foldEntryEvent(entries, event);
      }
      if (page.events.length < 1000) break;
      after = page.next;
    }
    return { asOf: date, entries: sortEntries([...entries.values()]) };
  }
}

const isEvent: Shape<CloudEvent> = function CloudEvent(v): v is CloudEvent {
  return isObject(v) && typeof v.id === 'string' && typeof v.type === 'string';
};

function parseFields(fields: string[], key: string, cursor: string): CloudEvent {
  const i = fields.indexOf('e');
  return decode(fields[i + 1] ?? 'null', { key, field: cursor }, isEvent);
}

/**
 * Applies one logged entry event to a list held by listing key (the events carry whole entries and
 * their listing keys). Editorial events change the list only when a document made them.
 */
export function foldEntryEvent(entries: Map<string, ListedEntry>, event: CloudEvent): void {
  const data = event.data as {
    key?: string;
    entry?: ListedEntry;
    before?: ListedEntry;
    previousKey?: string;
    documentNumber?: string;
  };
  switch (event.type) {
    case EVENT_TYPES.entryAdded:
      if (data.entry) entries.set(data.key ?? keyOf(data.entry), data.entry);
      break;
    case EVENT_TYPES.entryEditorial:
    case EVENT_TYPES.entryRevised:
    case EVENT_TYPES.entryCorrected:
      // A source list's editorial event says how the source prints an entry, not what we list.
      if (event.type === EVENT_TYPES.entryEditorial && data.documentNumber === undefined) break;
      if (data.before) forget(entries, data.previousKey ?? data.key, data.before);
      if (data.entry) entries.set(data.key ?? keyOf(data.entry), data.entry);
      break;
    case EVENT_TYPES.entryRemoved:
      if (data.before) forget(entries, data.key, data.before);
      break;
    default:
      break;
  }
}

/**
 * Deletes the listing `before` was: by its key, else (a listing re-keyed when another of its name
 * came or went) by its content.
 */
function forget(entries: Map<string, ListedEntry>, key: string | undefined, before: ListedEntry): void {
  const at = key ?? keyOf(before);
  const held = entries.get(at);
  if (held && sameEntry(held, before)) {
    entries.delete(at);
    return;
  }
  for (const [k, e] of entries) {
    if (sameEntry(e, before)) {
      entries.delete(k);
      return;
    }
  }
  entries.delete(at);
}
