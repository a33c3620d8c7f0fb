/**
 * Finding the entry an amendatory instruction refers to. Instructions name entries a little
 * differently from how the table holds them ("Enterprise Chips Hunter" for "Enterprise Chips Hunter
 * (ECH)"), or by an alias, or by a former name, or, the way BIS writes it, by the start of the cell
 * ("Atempo Proje … İstanbul Şubesi, Bülent Ecevit Bulvarı": the name, then the start of the first
 * address). The resolver tries, in order: the key, the cell's text, an alias, then a close-name match
 * scored 0..1. It never picks silently and never picks two: anything short of one clear candidate
 * comes back as ambiguous / low-confidence / not-found with the candidates it saw, for an anomaly.
 */
import { coreName, entryKey, keyDestination, normalizeCountry, normalizeName } from './identity.js';
import { EntryIndex } from './listings.js';
import type { ListedEntry } from './types.js';

/**
 * `key`: the entry's own name. `cell-text`: the instruction's name begins the entry's cell (its
 * name, then its address). `row`: several listings share the name and the instruction's row (its
 * addresses) tells which. `alias`, `similar-name`: as they say.
 */
export type MatchMethod = 'key' | 'cell-text' | 'row' | 'alias' | 'similar-name';

export interface Candidate {
  key: string;
  country: string;
  name: string;
  method: MatchMethod;
  /** 1 for key and alias matches; how sure the match is for the others. */
  confidence: number;
  /** The name, alias or cell text of the entry that matched. */
  matchedText: string;
}

export type Resolution =
  | { kind: 'found'; match: Candidate; entry: ListedEntry }
  /** Two or more entries match about equally well. */
  | { kind: 'ambiguous'; candidates: Candidate[] }
  /** The best candidate is similar but not similar enough to act on. */
  | { kind: 'low-confidence'; candidates: Candidate[] }
  /** Nothing under the instruction's destination; the name is listed under another one. */
  | { kind: 'other-destination'; candidates: Candidate[] }
  | { kind: 'not-found'; candidates: Candidate[] };

export interface MatchThresholds {
  /** A close name at or above this is accepted (when clearly ahead of the runner-up). */
  accept: number;
  /** The best close name must lead the next entry by at least this much. */
  margin: number;
  /** Close names at or above this are reported as candidates in anomalies. */
  report: number;
}

export const DEFAULT_MATCH_THRESHOLDS: Readonly<MatchThresholds> = Object.freeze({
  accept: 0.9,
  margin: 0.05,
  report: 0.6,
});

/** What an instruction says about the entry it means. */
export interface EntryReference {
  country: string;
  name: string;
  /**
   * Aliases of the row the instruction prints, if any. A renamed entry's row keeps its former name
   * as an alias ("f.k.a."), which is how a revision that renames an entry still finds it.
   */
  aliases?: readonly string[];
  /** Addresses of the row the instruction prints, if any: they tell apart listings of one name. */
  addresses?: readonly string[];
}

const MAX_CANDIDATES = 5;

/** The instruction's name goes past the entry's name into its address: the way BIS names entries. */
const CELL_TEXT_INTO_ADDRESS = 0.98;
/** The instruction's name is the entry's name up to one of its commas: our name ran on too far. */
const CELL_TEXT_NAME_PART = 0.9;

/**
 * Resolves `ref` against the current state. Pure. With an `EntryIndex` the common case is one map
 * lookup; a plain map (listing key → entry) is indexed first.
 */
export function resolveEntry(
  state: EntryIndex | ReadonlyMap<string, ListedEntry>,
  ref: EntryReference,
  thresholds: MatchThresholds = DEFAULT_MATCH_THRESHOLDS,
): Resolution {
  const index = state instanceof EntryIndex ? state : indexOfMap(state);
  const key = entryKey(ref.country, ref.name);
  const listings = index.listings(key);
  if (listings.length === 1) {
    const [k, entry] = listings[0]!;
    return found(candidate(k, entry, 'key', 1, entry.name), entry);
  }
  if (listings.length > 1) return byRow(listings, ref);

  const destination = normalizeCountry(ref.country);
  const entries = index.underDestination(destination);

  const byCell = cellTextMatches(entries, ref.name);
  if (byCell.length === 1) return found(byCell[0]!, index.get(byCell[0]!.key)!);
  if (byCell.length > 1) return { kind: 'ambiguous', candidates: byCell.slice(0, MAX_CANDIDATES) };

  const byAlias = aliasMatches(entries, ref);
  if (byAlias.length === 1) return found(byAlias[0]!, index.get(byAlias[0]!.key)!);
  if (byAlias.length > 1) return { kind: 'ambiguous', candidates: byAlias.slice(0, MAX_CANDIDATES) };

  const similar = similarNames(entries, ref.name, thresholds.report);
  const [best, runnerUp] = similar;
  if (best && best.confidence >= thresholds.accept) {
    if (runnerUp && best.confidence - runnerUp.confidence < thresholds.margin) {
      return { kind: 'ambiguous', candidates: similar.slice(0, MAX_CANDIDATES) };
    }
    return found(best, index.get(best.key)!);
  }
  if (best) return { kind: 'low-confidence', candidates: similar.slice(0, MAX_CANDIDATES) };

  const elsewhere = sameNameElsewhere(index, ref.name, destination);
  if (elsewhere.length > 0)
    return { kind: 'other-destination', candidates: elsewhere.slice(0, MAX_CANDIDATES) };
  return { kind: 'not-found', candidates: [] };
}

/** A plain map keyed by listing keys, as an index (for callers and tests that hold a map). */
function indexOfMap(map: ReadonlyMap<string, ListedEntry>): EntryIndex {
  return new EntryIndex([...map.values()]);
}

/**
 * Several listings share the instruction's name (Wong Yung Fai twice under China). The row the
 * instruction prints picks one when its addresses clearly overlap one listing's more than any other;
 * a removal prints no row, so it stays ambiguous unless its name reaches into the address.
 */
function byRow(listings: Array<[string, ListedEntry]>, ref: EntryReference): Resolution {
  const all = listings.map(([k, e]) => candidate(k, e, 'key', 1, e.name));
  const rowAddresses = new Set((ref.addresses ?? []).map(normalizeName).filter((a) => a !== ''));
  if (rowAddresses.size === 0) return { kind: 'ambiguous', candidates: all.slice(0, MAX_CANDIDATES) };
  const scored = listings
    .map(([k, e]) => {
      const own = new Set(e.addresses.map(normalizeName).filter((a) => a !== ''));
      const shared = [...own].filter((a) => rowAddresses.has(a)).length;
      const union = new Set([...own, ...rowAddresses]).size;
      return { k, e, score: union === 0 ? 0 : shared / union };
    })
    .sort((a, b) => b.score - a.score || (a.k < b.k ? -1 : 1));
  const [best, next] = scored;
  if (!best || best.score === 0 || (next && best.score - next.score < 0.2)) {
    return { kind: 'ambiguous', candidates: all.slice(0, MAX_CANDIDATES) };
  }
  const text = best.e.addresses[0] ? `${best.e.name}, ${best.e.addresses[0]}` : best.e.name;
  return found(candidate(best.k, best.e, 'row', 0.9 + 0.1 * best.score, text), best.e);
}

/**
 * Entries whose cell text the instruction's name begins: the whole name and the start of the
 * address, or the name up to one of its commas (where a reader ran the name into the address).
 */
function cellTextMatches(entries: ReadonlyArray<[string, ListedEntry]>, name: string): Candidate[] {
  const wanted = normalizeName(name);
  if (wanted === '') return [];
  const out: Candidate[] = [];
  for (const [key, entry] of entries) {
    const own = normalizeName(entry.name);
    if (wanted.length > own.length && wanted.startsWith(`${own} `)) {
      const cell = normalizeName(`${entry.name} ${entry.addresses.join(' ')}`);
      if (cell === wanted || cell.startsWith(`${wanted} `)) {
        out.push(candidate(key, entry, 'cell-text', CELL_TEXT_INTO_ADDRESS, cellText(entry)));
      }
    } else if (own.startsWith(`${wanted} `)) {
      const parts = entry.name.split(',');
      for (let n = 1; n < parts.length; n++) {
        const head = parts.slice(0, n).join(',');
        if (normalizeName(head) === wanted) {
          out.push(candidate(key, entry, 'cell-text', CELL_TEXT_NAME_PART, head.trim()));
          break;
        }
      }
    }
  }
  return out.sort(byConfidenceThenKey);
}

/** The entry's name and first address, as the table prints the start of its cell. */
function cellText(entry: ListedEntry): string {
  return entry.addresses[0] ? `${entry.name}, ${entry.addresses[0]}` : entry.name;
}

function found(match: Candidate, entry: ListedEntry): Resolution {
  return { kind: 'found', match, entry };
}

function candidate(
  key: string,
  entry: ListedEntry,
  method: MatchMethod,
  confidence: number,
  matchedText: string,
): Candidate {
  return {
    key,
    country: entry.country,
    name: entry.name,
    method,
    confidence: round(confidence),
    matchedText,
  };
}

/**
 * Entries that hold the instruction's name as an alias, or whose name the instruction's row holds
 * as an alias (a former name). One candidate per entry, in key order.
 */
function aliasMatches(entries: ReadonlyArray<[string, ListedEntry]>, ref: EntryReference): Candidate[] {
  const name = normalizeName(ref.name);
  const rowAliases = new Set((ref.aliases ?? []).map(normalizeName));
  const out: Candidate[] = [];
  for (const [key, entry] of entries) {
    const alias = entry.aliases.find((a) => normalizeName(a) === name);
    if (alias !== undefined) out.push(candidate(key, entry, 'alias', 1, alias));
    else if (rowAliases.has(normalizeName(entry.name)))
      out.push(candidate(key, entry, 'alias', 1, entry.name));
  }
  return out.sort(byConfidenceThenKey);
}

/** Entries whose name or an alias is at least `floor` similar, best first; one per entry. */
function similarNames(
  entries: ReadonlyArray<[string, ListedEntry]>,
  name: string,
  floor: number,
): Candidate[] {
  const wanted = normalizeName(name);
  const wantedCore = coreName(name);
  const out: Candidate[] = [];
  for (const [key, entry] of entries) {
    let best: Candidate | undefined;
    for (const text of [entry.name, ...entry.aliases]) {
      const score = nameSimilarity(wanted, normalizeName(text), wantedCore, coreName(text));
      if (score >= floor && (!best || score > best.confidence)) {
        best = candidate(key, entry, 'similar-name', score, text);
      }
    }
    if (best) out.push(best);
  }
  return out.sort(byConfidenceThenKey);
}

function sameNameElsewhere(state: EntryIndex, name: string, destination: string): Candidate[] {
  const wanted = normalizeName(name);
  const out: Candidate[] = [];
  for (const [key, entry] of state.entries()) {
    if (keyDestination(key) === destination) continue;
    if (normalizeName(entry.name) === wanted) out.push(candidate(key, entry, 'key', 1, entry.name));
    else {
      const alias = entry.aliases.find((a) => normalizeName(a) === wanted);
      if (alias !== undefined) out.push(candidate(key, entry, 'alias', 1, alias));
    }
  }
  return out.sort(byConfidenceThenKey);
}

function byConfidenceThenKey(a: Candidate, b: Candidate): number {
  return b.confidence - a.confidence || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** Same name once the parenthesised acronym or qualifier is dropped: strong, not certain. */
const CORE_NAME_MATCH = 0.95;
/** Different numbers or initials ("Institute 5" vs "Institute 6") are different entities. */
const CONFLICT_PENALTY = 0.8;
/** Two tokens count as the same word at this character similarity ("Dmitry" / "Dmitriy"). */
const TOKEN_MATCH = 0.8;

/**
 * Similarity of two normalised names, 0..1: the better of a character-level edit ratio (typos,
 * transliteration) and a token-level soft Dice score (word order, an extra word). Names that differ
 * in a number or an initial are penalised below the accept threshold, because those are the tokens
 * that tell sibling entities apart and a character ratio barely notices them.
 */
export function nameSimilarity(a: string, b: string, aCore = a, bCore = b): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const aTokens = a.split(' ');
  const bTokens = b.split(' ');
  let score = Math.max(editRatio(a, b), softDice(aTokens, bTokens));
  if (aCore.length > 0 && aCore === bCore) score = Math.max(score, CORE_NAME_MATCH);
  if (distinguishingTokensConflict(aTokens, bTokens)) score *= CONFLICT_PENALTY;
  return round(score);
}

/** 1 − Levenshtein distance / longer length. */
export function editRatio(a: string, b: string): number {
  const longer = Math.max(a.length, b.length);
  return longer === 0 ? 1 : 1 - levenshtein(a, b) / longer;
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Uint32Array(b.length + 1);
  let curr = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    curr[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      curr[j] = Math.min(prev[j]! + 1, curr[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[b.length]!;
}

/**
 * Dice coefficient over tokens where each token of `a` pairs with its most similar unused token of
 * `b` (counting only pairs at least TOKEN_MATCH alike, weighted by their similarity).
 */
function softDice(a: readonly string[], b: readonly string[]): number {
  const used = new Set<number>();
  let matched = 0;
  for (const token of a) {
    let bestIndex = -1;
    let bestScore = 0;
    b.forEach((other, i) => {
      if (used.has(i)) return;
      const s = token === other ? 1 : editRatio(token, other);
      if (s > bestScore) [bestIndex, bestScore] = [i, s];
    });
    if (bestIndex >= 0 && bestScore >= TOKEN_MATCH) {
      used.add(bestIndex);
      matched += bestScore;
    }
  }
  return (2 * matched) / (a.length + b.length);
}

function distinguishingTokensConflict(a: readonly string[], b: readonly string[]): boolean {
  const numbersA = a.filter(isNumberish);
  const numbersB = b.filter(isNumberish);
  if (numbersA.length > 0 && numbersB.length > 0 && !sameMultiset(numbersA, numbersB)) return true;
  const initialsA = a.filter((t) => t.length === 1);
  const initialsB = b.filter((t) => t.length === 1);
  return initialsA.length > 0 && initialsB.length > 0 && !sameMultiset(initialsA, initialsB);
}

function isNumberish(token: string): boolean {
  return /\p{N}/u.test(token);
}

function sameMultiset(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join(' ') === [...b].sort().join(' ');
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
