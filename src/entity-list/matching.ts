/**
 * Finding the entry an amendatory instruction refers to. Instructions name entries a little
 * differently from how the table holds them ("Enterprise Chips Hunter" for "Enterprise Chips Hunter
 * (ECH)"), or by an alias, or by a former name. The resolver tries, in order: the key, an alias, then
 * a close-name match scored 0..1. It never picks silently: anything short of one clear candidate
 * comes back as ambiguous / low-confidence / not-found with the candidates it saw, for an anomaly.
 */
import { coreName, entryKey, keyDestination, normalizeCountry, normalizeName } from './identity.js';
import type { ListedEntry } from './types.js';

export type MatchMethod = 'key' | 'alias' | 'similar-name';

export interface Candidate {
  key: string;
  country: string;
  name: string;
  method: MatchMethod;
  /** 1 for key and alias matches; the similarity score for close names. */
  confidence: number;
  /** The name or alias of the entry that matched. */
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
}

const MAX_CANDIDATES = 5;

/**
 * Resolves `ref` against the current state (key → entry). Pure; scans one destination only when the
 * key misses, so the common case is one map lookup.
 */
export function resolveEntry(
  state: ReadonlyMap<string, ListedEntry>,
  ref: EntryReference,
  thresholds: MatchThresholds = DEFAULT_MATCH_THRESHOLDS,
): Resolution {
  const key = entryKey(ref.country, ref.name);
  const exact = state.get(key);
  if (exact) return found(candidate(key, exact, 'key', 1, exact.name), exact);

  const destination = normalizeCountry(ref.country);
  const entries = [...state].filter(([k]) => keyDestination(k) === destination);

  const byAlias = aliasMatches(entries, ref);
  if (byAlias.length === 1) return found(byAlias[0]!, state.get(byAlias[0]!.key)!);
  if (byAlias.length > 1) return { kind: 'ambiguous', candidates: byAlias.slice(0, MAX_CANDIDATES) };

  const similar = similarNames(entries, ref.name, thresholds.report);
  const [best, runnerUp] = similar;
  if (best && best.confidence >= thresholds.accept) {
    if (runnerUp && best.confidence - runnerUp.confidence < thresholds.margin) {
      return { kind: 'ambiguous', candidates: similar.slice(0, MAX_CANDIDATES) };
    }
    return found(best, state.get(best.key)!);
  }
  if (best) return { kind: 'low-confidence', candidates: similar.slice(0, MAX_CANDIDATES) };

  const elsewhere = sameNameElsewhere(state, ref.name, destination);
  if (elsewhere.length > 0)
    return { kind: 'other-destination', candidates: elsewhere.slice(0, MAX_CANDIDATES) };
  return { kind: 'not-found', candidates: [] };
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

function sameNameElsewhere(
  state: ReadonlyMap<string, ListedEntry>,
  name: string,
  destination: string,
): Candidate[] {
  const wanted = normalizeName(name);
  const out: Candidate[] = [];
  for (const [key, entry] of state) {
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
