/**
 * Diffing two whole lists (eCFR Supplement No. 4, the CSL), by set operations on entry keys.
 * Output is sorted by key, so the changes, the events and their ids are reproducible whatever order
 * the lists came in. Laws (property tests): diff(a, a) is empty; applySnapshotDiff(a, diff(a, b))
 * equals b; the order of either list does not matter.
 */
import {
  anomalyEvent,
  entryAddedEvent,
  entryRemovedEvent,
  entryRevisedEvent,
  snapshotOrigin,
} from '../events/builders.js';
import { canonicalJson } from '../events/cloudevent.js';
import type { AnomalyEvent, EntryEvent } from '../events/types.js';
import { compareStrings, keyOf, sameEntry, sortEntries } from './snapshot.js';
import type { ListedEntry, Snapshot } from './types.js';

export type SnapshotChange =
  | { kind: 'added'; key: string; after: ListedEntry }
  | { kind: 'removed'; key: string; before: ListedEntry }
  | { kind: 'revised'; key: string; before: ListedEntry; after: ListedEntry };

export interface SnapshotDiff {
  /** URI of the list `b` was read from; the `source` of the events. */
  source: string;
  fromAsOf: string;
  toAsOf: string;
  /** Sorted by key. */
  changes: SnapshotChange[];
  counts: { added: number; removed: number; revised: number };
  /** Entry events for `changes`, in the same order. */
  events: EntryEvent[];
  /** Keys that appear twice within one list (reported, one listing used; see `byKey`). */
  anomalies: AnomalyEvent[];
}

/** eCFR's rendering of Supplement No. 4 to part 744: the default source of snapshot diffs. */
export const ECFR_SUPPLEMENT_4_URL =
  'https://www.ecfr.gov/current/title-15/subtitle-B/chapter-VII/subchapter-C/part-744/appendix-Supplement%20No.%204%20to%20Part%20744';

/** The Consolidated Screening List, Entity List rows. */
export const CSL_ENTITY_LIST_URL = 'https://api.trade.gov/consolidated_screening_list/v1/search?sources=EL';

export interface DiffOptions {
  /** URI of the list `b` came from; defaults to eCFR Supplement No. 4. */
  source?: string;
}

export function diffSnapshots(a: Snapshot, b: Snapshot, options: DiffOptions = {}): SnapshotDiff {
  const source = options.source ?? ECFR_SUPPLEMENT_4_URL;
  const origin = snapshotOrigin(source, a.asOf, b.asOf);
  const before = indexEntries(a.entries, a.asOf);
  const after = indexEntries(b.entries, b.asOf);

  const changes: SnapshotChange[] = [];
  let kept = 0;
  for (const [key, now] of after.map) {
    const was = before.map.get(key);
    if (!was) changes.push({ kind: 'added', key, after: now });
    else {
      kept += 1;
      if (was !== now && !sameEntry(was, now))
        changes.push({ kind: 'revised', key, before: was, after: now });
    }
  }
  // Every key of `a` not kept was removed; most diffs remove nothing, and then `a` need not be walked.
  if (kept < before.map.size) {
    for (const [key, was] of before.map) {
      if (!after.map.has(key)) changes.push({ kind: 'removed', key, before: was });
    }
  }
  changes.sort((x, y) => compareStrings(x.key, y.key) || compareStrings(x.kind, y.kind));

  const counts = { added: 0, removed: 0, revised: 0 };
  const events: EntryEvent[] = changes.map((c) => {
    counts[c.kind] += 1;
    if (c.kind === 'added') return entryAddedEvent(origin, c.after);
    if (c.kind === 'removed') return entryRemovedEvent(origin, c.before);
    return entryRevisedEvent(origin, c.before, c.after);
  });
  const anomalies = [...before.duplicates, ...after.duplicates].map(({ key, kept, dropped, asOf }) =>
    anomalyEvent(origin, {
      code: 'EL_DUPLICATE_KEY',
      message: `the list as of ${asOf} has ${dropped.length + 1} listings with key ${key} ("${kept.name}" under ${kept.country}); the first in canonical order was used`,
      applied: false,
      key,
      country: kept.country,
      name: kept.name,
    }),
  );
  return { source, fromAsOf: a.asOf, toAsOf: b.asOf, changes, counts, events, anomalies };
}

interface Duplicate {
  key: string;
  kept: ListedEntry;
  dropped: ListedEntry[];
  asOf: string;
}

/**
 * Entries by key. Whole lists from outside can hold one key twice (the CSL repeats rows); the
 * listing kept is the least in canonical-JSON order, so the choice does not depend on input order.
 * A 35,000-entry list makes this the hot loop of a diff, hence the care over map operations.
 */
function indexEntries(
  entries: readonly ListedEntry[],
  asOf: string,
): { map: Map<string, ListedEntry>; duplicates: Duplicate[] } {
  const map = new Map<string, ListedEntry>();
  let repeated: Set<string> | undefined;
  for (const entry of entries) {
    const key = keyOf(entry);
    // One map operation per entry in the common case: a key seen before shows as an unchanged size.
    const size = map.size;
    map.set(key, entry);
    if (map.size === size) (repeated ??= new Set()).add(key);
  }
  if (!repeated) return { map, duplicates: [] };

  const listings = new Map<string, ListedEntry[]>();
  for (const entry of entries) {
    const key = keyOf(entry);
    if (repeated.has(key)) listings.set(key, [...(listings.get(key) ?? []), entry]);
  }
  const duplicates = [...listings]
    .sort(([x], [y]) => compareStrings(x, y))
    .map(([key, all]) => {
      const [kept, ...dropped] = [...all].sort((x, y) => compareStrings(canonicalJson(x), canonicalJson(y)));
      map.set(key, kept!);
      return { key, kept: kept!, dropped, asOf };
    });
  return { map, duplicates };
}

/**
 * `a` with a diff's changes applied: the inverse law of `diffSnapshots`. Removed keys leave, revised
 * and added entries take their `after` value; the result is in the list's sort order.
 */
export function applySnapshotDiff(a: Snapshot, diff: Pick<SnapshotDiff, 'toAsOf' | 'changes'>): Snapshot {
  const state = indexEntries(a.entries, a.asOf).map;
  for (const change of diff.changes) {
    if (change.kind === 'removed') state.delete(change.key);
    else state.set(change.key, change.after);
  }
  return { asOf: diff.toAsOf, entries: sortEntries([...state.values()]) };
}

/** The list as `diffSnapshots` sees it: one entry per key, sorted. Equal lists give equal values. */
export function canonicalSnapshot(snapshot: Snapshot): Snapshot {
  return {
    asOf: snapshot.asOf,
    entries: sortEntries([...indexEntries(snapshot.entries, snapshot.asOf).map.values()]),
  };
}
