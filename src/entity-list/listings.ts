/**
 * Listing keys: one key per entry of a list, with no two entries sharing one.
 *
 * An entry's identity is its destination and normalised name (`entryKey`), and that is the key of
 * nearly every entry. But the real list names some parties twice under one destination: Zurmat
 * General Trading and Wong Yung Fai under the UAE and China, Allied Trading Co. and People's Steel
 * Mills under Pakistan, "Jadeshine Engineering (HK) Co." beside "Jadeshine Engineering HK Co.". Each
 * is a listing of its own, with its own addresses and citations, and none may be lost. Within such
 * a group the senior listing (the one whose first citation is oldest: the rule that added it) keeps
 * the plain key, so a later listing of the same name never changes the key of the one already
 * listed; every other listing gets the plain key plus `#` and a short hash of the words of its first
 * address (else of its first address and first citation, else of all its words). Keys are built
 * from words only, so punctuation, spacing, line breaks and case never change them, and a key
 * depends only on the listings that share its name, never on the order of the list.
 */
import { createHash } from 'node:crypto';
import { entryKey, keyDestination, wordsOf } from './identity.js';
import type { ListedEntry } from './types.js';

/** Separates a junior listing's suffix from the entry key; `normalizeName` never produces it. */
export const LISTING_SEPARATOR = '#';

/** The entry key a listing key extends (the key itself for most entries). */
export function baseKeyOf(listingKey: string): string {
  const at = listingKey.indexOf(LISTING_SEPARATOR);
  return at < 0 ? listingKey : listingKey.slice(0, at);
}

/** Listings that share an entry key, as a list reads them: a warning, never a loss. */
export interface SharedKey {
  key: string;
  listings: Array<{ key: string; entry: ListedEntry }>;
}

/**
 * The listing key of each entry, in the input's order, and the groups of entries that share an entry
 * key. Linear in the list: only entries whose entry key repeats do any further work.
 */
export function listingKeys(entries: readonly ListedEntry[]): { keys: string[]; shared: SharedKey[] } {
  const keys = entries.map((e) => entryKey(e.country, e.name));
  const first = new Map<string, number>();
  let repeated: Map<string, number[]> | undefined;
  keys.forEach((key, i) => {
    const at = first.get(key);
    if (at === undefined) {
      first.set(key, i);
      return;
    }
    repeated ??= new Map();
    const group = repeated.get(key);
    if (group) group.push(i);
    else repeated.set(key, [at, i]);
  });
  if (!repeated) return { keys, shared: [] };

  const shared: SharedKey[] = [];
  for (const [key, indexes] of [...repeated].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const group = groupKeys(
      key,
      indexes.map((i) => entries[i]!),
    );
    indexes.forEach((i, n) => (keys[i] = group[n]!));
    shared.push({
      key,
      listings: indexes
        .map((i) => ({ key: keys[i]!, entry: entries[i]! }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    });
  }
  return { keys, shared };
}

/**
 * The listing keys of entries that share the entry key `key`, in their order. The senior keeps
 * `key`; each other listing takes the first of its suffixes that no other listing of the group has.
 */
export function groupKeys(key: string, members: readonly ListedEntry[]): string[] {
  if (members.length === 1) return [key];
  // Oldest first; then by words, then by text, so the order of the list never matters (listings
  // with the very same text are interchangeable).
  const order = members
    .map((entry, i) => ({ i, rank: seniority(entry), words: allWords(entry), text: JSON.stringify(entry) }))
    .sort((a, b) => a.rank - b.rank || compare(a.words, b.words) || compare(a.text, b.text));
  const out: string[] = new Array<string>(members.length);
  out[order[0]!.i] = key;
  const juniors = order.slice(1);
  const levels: Array<(e: ListedEntry) => string> = [
    (e) => wordsOf(e.addresses[0] ?? ''),
    (e) => `${wordsOf(e.addresses[0] ?? '')}/${wordsOf(e.federalRegisterCitations[0] ?? '')}`,
    allWords,
  ];
  let open = juniors;
  for (const [level, text] of levels.entries()) {
    const texts = open.map((j) => text(members[j.i]!));
    const counts = new Map<string, number>();
    for (const t of texts) counts.set(t, (counts.get(t) ?? 0) + 1);
    const still: typeof open = [];
    open.forEach((j, n) => {
      const t = texts[n]!;
      if (counts.get(t) === 1 && t.replace(/\//g, '') !== '') out[j.i] = suffixed(key, `${level}:${t}`);
      else still.push(j);
    });
    open = still;
    if (open.length === 0) break;
  }
  // Listings with the very same words: told apart by their rank in the group.
  open.forEach((j, n) => (out[j.i] = `${suffixed(key, `2:${allWords(members[j.i]!)}`)}-${n + 2}`));
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function suffixed(key: string, text: string): string {
  return `${key}${LISTING_SEPARATOR}${createHash('sha256').update(text).digest('hex').slice(0, 8)}`;
}

/** The rule that added the entry, as a number that orders rules: volume, then page. */
function seniority(entry: ListedEntry): number {
  const m = /(\d+)\s*F\.?\s*R\.?\s*(\d+)/.exec(entry.federalRegisterCitations[0] ?? '');
  return m ? Number(m[1]) * 1e7 + Number(m[2]) : Number.MAX_SAFE_INTEGER;
}

function allWords(entry: ListedEntry): string {
  return [
    entry.name,
    ...entry.aliases,
    ...entry.addresses,
    entry.licenseRequirement,
    entry.licenseReviewPolicy,
    ...entry.federalRegisterCitations,
  ]
    .map(wordsOf)
    .join('/');
}

/**
 * A list held by listing key, with the groups that share an entry key, for applying changes: a
 * removal or an addition within a group re-keys only that group. Destinations are indexed on first
 * use, for the scans that name matching does when a key misses.
 */
export class EntryIndex {
  private readonly byKey = new Map<string, ListedEntry>();
  /** Entry key → listing keys, for entry keys shared by two or more listings only. */
  private readonly groups = new Map<string, string[]>();
  private destinations: Map<string, Set<string>> | undefined;
  readonly shared: SharedKey[];

  constructor(entries: readonly ListedEntry[]) {
    const { keys, shared } = listingKeys(entries);
    keys.forEach((key, i) => this.byKey.set(key, entries[i]!));
    for (const group of shared)
      this.groups.set(
        group.key,
        group.listings.map((l) => l.key),
      );
    this.shared = shared;
  }

  get size(): number {
    return this.byKey.size;
  }

  get(listingKey: string): ListedEntry | undefined {
    return this.byKey.get(listingKey);
  }

  entries(): IterableIterator<[string, ListedEntry]> {
    return this.byKey.entries();
  }

  values(): IterableIterator<ListedEntry> {
    return this.byKey.values();
  }

  /** Every listing whose entry key is `key`: none, one, or a group. */
  listings(key: string): Array<[string, ListedEntry]> {
    const group = this.groups.get(key);
    if (group) return group.map((k) => [k, this.byKey.get(k)!]);
    const entry = this.byKey.get(key);
    return entry ? [[key, entry]] : [];
  }

  /** Every listing under a destination (as `normalizeCountry` spells it). */
  underDestination(destination: string): Array<[string, ListedEntry]> {
    if (!this.destinations) {
      this.destinations = new Map();
      for (const key of this.byKey.keys()) this.indexDestination(key);
    }
    return [...(this.destinations.get(destination) ?? [])].map((k) => [k, this.byKey.get(k)!]);
  }

  /** Adds a listing; returns its listing key and the keys of other listings that changed. */
  add(entry: ListedEntry): { key: string; rekeyed: Array<[string, string]> } {
    const key = entryKey(entry.country, entry.name);
    const members = [...this.listings(key).map(([, e]) => e), entry];
    const { keys, rekeyed } = this.regroup(key, members);
    return { key: keys[keys.length - 1]!, rekeyed };
  }

  /** Removes a listing; returns the keys of other listings that changed. */
  remove(listingKey: string): Array<[string, string]> {
    if (!this.byKey.has(listingKey)) return [];
    const key = baseKeyOf(listingKey);
    const members = this.listings(key)
      .filter(([k]) => k !== listingKey)
      .map(([, e]) => e);
    return this.regroup(key, members).rekeyed;
  }

  /** Replaces a listing by `entry` (which may be renamed); returns its key and re-keyed others. */
  replace(listingKey: string, entry: ListedEntry): { key: string; rekeyed: Array<[string, string]> } {
    const oldKey = baseKeyOf(listingKey);
    const newKey = entryKey(entry.country, entry.name);
    const others = this.listings(oldKey)
      .filter(([k]) => k !== listingKey)
      .map(([, e]) => e);
    if (newKey === oldKey) {
      const { keys, rekeyed } = this.regroup(oldKey, [...others, entry]);
      return { key: keys[keys.length - 1]!, rekeyed };
    }
    const rekeyed = this.regroup(oldKey, others).rekeyed;
    const added = this.add(entry);
    return { key: added.key, rekeyed: [...rekeyed, ...added.rekeyed] };
  }

  /** Sets the listing keys of the entries that share entry key `key` to what `groupKeys` gives. */
  private regroup(key: string, members: ListedEntry[]): { keys: string[]; rekeyed: Array<[string, string]> } {
    const previous = new Map<ListedEntry, string>(this.listings(key).map(([k, e]) => [e, k]));
    for (const k of previous.values()) this.forget(k);
    this.groups.delete(key);
    const keys = members.length > 0 ? groupKeys(key, members) : [];
    const rekeyed: Array<[string, string]> = [];
    members.forEach((entry, i) => {
      const now = keys[i]!;
      const was = previous.get(entry);
      if (was !== undefined && was !== now) rekeyed.push([was, now]);
      this.byKey.set(now, entry);
      this.indexDestination(now);
    });
    if (members.length > 1) this.groups.set(key, [...keys].sort());
    return { keys, rekeyed };
  }

  private forget(listingKey: string): void {
    this.byKey.delete(listingKey);
    this.destinations?.get(keyDestination(listingKey))?.delete(listingKey);
  }

  private indexDestination(listingKey: string): void {
    if (!this.destinations) return;
    const destination = keyDestination(listingKey);
    let keys = this.destinations.get(destination);
    if (!keys) this.destinations.set(destination, (keys = new Set()));
    keys.add(listingKey);
  }
}
