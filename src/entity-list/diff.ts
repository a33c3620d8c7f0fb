/**
 * Diffing two whole lists (eCFR Supplement No. 4, the CSL, two snapshots), by set operations on
 * listing keys. Each difference is one of:
 *
 * - `added` / `removed`: a listing only the newer / older list holds;
 * - `revised`: both hold it, and its words changed;
 * - `editorial`: both hold it with the same words; only punctuation, spacing, line breaks, markup or
 *   case changed. eCFR re-renders rows this way (about 580 rows of part 744 between March and July
 *   2026 differ in periods and line breaks alone), and these are not changes to the list.
 *
 * Listings are paired by key; listings that share a name under one destination are paired with each
 * other by their content; and a listing whose name ended elsewhere (a period moved, so a reader took
 * more or less of the cell as the name) is paired by the words of its whole cell. Output is sorted
 * by key, so it is the same whatever order the lists came in.
 *
 * Laws (property tests): diff(a, a) is empty; applySnapshotDiff(a, diff(a, b)) equals b; the order of
 * either list does not matter.
 */
import { cellWords, compareWording, type EntryField } from './field-diff.js';
import { normalizeCountry, normalizeName } from './identity.js';
import { LISTING_SEPARATOR, listingKeys, type SharedKey } from './listings.js';
import { compareStrings, sameEntry, sortEntries } from './snapshot.js';
import type { ListedEntry, Snapshot } from './types.js';

export type SnapshotChange =
  | { kind: 'added'; key: string; after: ListedEntry }
  | { kind: 'removed'; key: string; before: ListedEntry }
  | {
      kind: 'revised';
      key: string;
      /** The listing's key in the older list, when it differs. */
      previousKey?: string;
      before: ListedEntry;
      after: ListedEntry;
      /** Fields whose words changed. */
      fields: EntryField[];
      /** Fields whose text changed without their words changing. */
      editorialFields: EntryField[];
    }
  | {
      kind: 'editorial';
      key: string;
      previousKey?: string;
      before: ListedEntry;
      after: ListedEntry;
      /** Fields whose text changed (their words did not). */
      fields: EntryField[];
    };

export type ChangeKind = SnapshotChange['kind'];

export interface SnapshotDiff {
  /** URI of the list `b` was read from. */
  source: string;
  fromAsOf: string;
  toAsOf: string;
  /** Sorted by key. */
  changes: SnapshotChange[];
  counts: { added: number; removed: number; revised: number; editorial: number };
  /** Names listed more than once under one destination, in each list: kept apart, never merged. */
  shared: { before: SharedKey[]; after: SharedKey[] };
  /**
   * Unchanged listings whose key changed because another listing of their name came or went (the
   * senior listing keeps the plain key): no difference, but the keys follow.
   */
  rekeyed: Array<{ from: string; to: string }>;
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

interface Keyed {
  map: Map<string, ListedEntry>;
  /** Entry keys that two or more listings share. */
  grouped: Map<string, string[]>;
  shared: SharedKey[];
}

function keyed(entries: readonly ListedEntry[]): Keyed {
  const { keys, shared } = listingKeys(entries);
  const map = new Map<string, ListedEntry>();
  keys.forEach((key, i) => map.set(key, entries[i]!));
  const grouped = new Map(shared.map((g) => [g.key, g.listings.map((l) => l.key)]));
  return { map, grouped, shared };
}

type Listing = [key: string, entry: ListedEntry];

export function diffSnapshots(a: Snapshot, b: Snapshot, options: DiffOptions = {}): SnapshotDiff {
  const source = options.source ?? ECFR_SUPPLEMENT_4_URL;
  const before = keyed(a.entries);
  const after = keyed(b.entries);

  const changes: SnapshotChange[] = [];
  const rekeyed: SnapshotDiff['rekeyed'] = [];
  const pair = (was: Listing, now: Listing): void => {
    const change = pairChange(was, now);
    if (change) changes.push(change);
    else if (was[0] !== now[0]) rekeyed.push({ from: was[0], to: now[0] });
  };
  const gone: Listing[] = [];
  const come: Listing[] = [];

  // Keys that name one listing on both sides pair directly: nearly every entry, one lookup each.
  let kept = 0;
  for (const [key, now] of after.map) {
    if (after.grouped.has(key) || before.grouped.has(key) || isJunior(key)) continue;
    const was = before.map.get(key);
    if (was) {
      kept += 1;
      if (was !== now && !sameEntry(was, now)) pair([key, was], [key, now]);
    } else come.push([key, now]);
  }
  if (kept < before.map.size) {
    for (const [key, was] of before.map) {
      if (after.grouped.has(key) || before.grouped.has(key) || isJunior(key)) continue;
      if (!after.map.has(key)) gone.push([key, was]);
    }
  }
  // Names listed more than once (on either side): pair the listings of each name by content.
  for (const key of new Set([...before.grouped.keys(), ...after.grouped.keys()])) {
    const { pairs, unpairedBefore, unpairedAfter } = pairByContent(
      listingsOf(before, key),
      listingsOf(after, key),
    );
    for (const [x, y] of pairs) pair(x, y);
    gone.push(...unpairedBefore);
    come.push(...unpairedAfter);
  }
  // Listings whose name ended elsewhere: the same cell words under the same destination.
  const [renamed, removed, added] = pairByCellWords(gone, come);
  for (const [x, y] of renamed) pair(x, y);
  for (const [key, entry] of removed) changes.push({ kind: 'removed', key, before: entry });
  for (const [key, entry] of added) changes.push({ kind: 'added', key, after: entry });

  changes.sort((x, y) => compareStrings(x.key, y.key) || compareStrings(x.kind, y.kind));
  const counts = { added: 0, removed: 0, revised: 0, editorial: 0 };
  for (const c of changes) counts[c.kind] += 1;
  return {
    source,
    fromAsOf: a.asOf,
    toAsOf: b.asOf,
    changes,
    counts,
    shared: { before: before.shared, after: after.shared },
    rekeyed: rekeyed.sort((x, y) => compareStrings(x.to, y.to)),
  };
}

/** A listing key with a suffix: one of several listings of its name (see listings.ts). */
function isJunior(key: string): boolean {
  return key.includes(LISTING_SEPARATOR);
}

function listingsOf(list: Keyed, key: string): Listing[] {
  const group = list.grouped.get(key);
  if (group) return group.map((k) => [k, list.map.get(k)!]);
  const entry = list.map.get(key);
  return entry ? [[key, entry]] : [];
}

/** A paired listing as a change, or nothing when the two are equal. */
function pairChange([wasKey, was]: Listing, [key, now]: Listing): SnapshotChange | undefined {
  const wording = compareWording(was, now);
  if (wording.kind === 'same') return undefined;
  const previous = wasKey !== key ? { previousKey: wasKey } : {};
  if (wording.kind === 'editorial') {
    return { kind: 'editorial', key, ...previous, before: was, after: now, fields: wording.fields };
  }
  return {
    kind: 'revised',
    key,
    ...previous,
    before: was,
    after: now,
    fields: wording.fields,
    editorialFields: wording.editorialFields,
  };
}

/**
 * Pairs the listings of one name: equal entries first, then equal words, then the listings whose
 * addresses overlap most; listings with nothing in common stay unpaired (removed and added), unless
 * there is exactly one on each side.
 */
function pairByContent(
  was: Listing[],
  now: Listing[],
): { pairs: Array<[Listing, Listing]>; unpairedBefore: Listing[]; unpairedAfter: Listing[] } {
  const pairs: Array<[Listing, Listing]> = [];
  const usedA = new Set<Listing>();
  const usedB = new Set<Listing>();
  const link = (x: Listing, y: Listing): void => {
    usedA.add(x);
    usedB.add(y);
    pairs.push([x, y]);
  };
  const take = (test: (x: ListedEntry, y: ListedEntry) => boolean): void => {
    for (const x of was) {
      if (usedA.has(x)) continue;
      const y = now.find((c) => !usedB.has(c) && test(x[1], c[1]));
      if (y) link(x, y);
    }
  };
  take(sameEntry);
  take((x, y) => cellWords(x) === cellWords(y));
  const scored: Array<{ x: Listing; y: Listing; score: number }> = [];
  for (const x of was) {
    if (usedA.has(x)) continue;
    for (const y of now) if (!usedB.has(y)) scored.push({ x, y, score: addressOverlap(x[1], y[1]) });
  }
  scored.sort(
    (p, q) => q.score - p.score || compareStrings(p.x[0], q.x[0]) || compareStrings(p.y[0], q.y[0]),
  );
  const single = was.length === 1 && now.length === 1;
  for (const { x, y, score } of scored) {
    if (score === 0 && !single) break;
    if (!usedA.has(x) && !usedB.has(y)) link(x, y);
  }
  return {
    pairs,
    unpairedBefore: was.filter((l) => !usedA.has(l)),
    unpairedAfter: now.filter((l) => !usedB.has(l)),
  };
}

function addressOverlap(x: ListedEntry, y: ListedEntry): number {
  const xs = new Set(x.addresses.map(normalizeName));
  const ys = new Set(y.addresses.map(normalizeName));
  const shared = [...xs].filter((v) => ys.has(v)).length;
  const union = new Set([...xs, ...ys]).size;
  return union === 0 ? 0 : shared / union;
}

/**
 * Pairs listings that left and came under one destination with the very same cell words (name,
 * aliases and addresses read as one text): the name ends elsewhere, nothing else changed in the cell.
 * Where several share the words, they pair in key order. Returns pairs, then the unpaired of each.
 */
function pairByCellWords(
  gone: Listing[],
  come: Listing[],
): [Array<[Listing, Listing]>, Listing[], Listing[]] {
  if (gone.length === 0 || come.length === 0) return [[], gone, come];
  const signature = ([, e]: Listing): string => `${normalizeCountry(e.country)}|${cellWords(e)}`;
  const waiting = new Map<string, Listing[]>();
  for (const l of [...come].sort((x, y) => compareStrings(x[0], y[0]))) {
    const s = signature(l);
    waiting.set(s, [...(waiting.get(s) ?? []), l]);
  }
  const pairs: Array<[Listing, Listing]> = [];
  const removed: Listing[] = [];
  const matched = new Set<Listing>();
  for (const l of [...gone].sort((x, y) => compareStrings(x[0], y[0]))) {
    const candidates = waiting.get(signature(l));
    const match = candidates?.shift();
    if (match) {
      pairs.push([l, match]);
      matched.add(match);
    } else removed.push(l);
  }
  return [pairs, removed, come.filter((l) => !matched.has(l))];
}

/**
 * `a` with a diff's changes applied: the inverse law of `diffSnapshots`. Listings that left or were
 * re-keyed leave first, then revised, editorial and added listings take their place; the result is
 * in the list's sort order.
 */
export function applySnapshotDiff(
  a: Snapshot,
  diff: Pick<SnapshotDiff, 'toAsOf' | 'changes'> & Partial<Pick<SnapshotDiff, 'rekeyed'>>,
): Snapshot {
  const state = keyed(a.entries).map;
  const moved = (diff.rekeyed ?? []).map(({ from, to }) => [to, state.get(from)!] as const);
  for (const { from } of diff.rekeyed ?? []) state.delete(from);
  for (const change of diff.changes) {
    if (change.kind === 'removed') state.delete(change.key);
    else if (change.kind !== 'added') state.delete(change.previousKey ?? change.key);
  }
  for (const [to, entry] of moved) state.set(to, entry);
  for (const change of diff.changes) {
    if (change.kind !== 'removed') state.set(change.key, change.after);
  }
  return { asOf: diff.toAsOf, entries: sortEntries([...state.values()]) };
}

/** The list as `diffSnapshots` sees it: every listing, sorted. Equal lists give equal values. */
export function canonicalSnapshot(snapshot: Snapshot): Snapshot {
  return { asOf: snapshot.asOf, entries: sortEntries(snapshot.entries) };
}

/** The differences that change the list's words: what reconciliation reports as drift. */
export function wordChanges(diff: Pick<SnapshotDiff, 'changes'>): SnapshotChange[] {
  return diff.changes.filter((c) => c.kind !== 'editorial');
}
