/**
 * The list as of a date from a snapshot and the change events applied after it (the events
 * `fedreg-watch apply --events` writes, or the service's log): every entry event that took effect
 * on or before the date, folded in the order given. Pure.
 */
import { keyOf, sortEntries } from '../entity-list/snapshot.js';
import type { ListedEntry, Snapshot } from '../entity-list/types.js';
import type { CloudEvent } from '../events/cloudevent.js';
import { foldEntryEvent } from '../store/event-log.js';

export function snapshotAsOf(baseline: Snapshot, events: Iterable<CloudEvent>, date: string): Snapshot {
  const entries = new Map<string, ListedEntry>(baseline.entries.map((e) => [keyOf(e), e]));
  for (const event of events) {
    if (typeof event.time === 'string' && event.time.slice(0, 10) > date) continue;
    foldEntryEvent(entries, event);
  }
  return { asOf: date, entries: sortEntries([...entries.values()]) };
}
