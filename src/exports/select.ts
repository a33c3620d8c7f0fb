/**
 * Which entries a request asks for: one destination, matched the way subscription filters match
 * (`China`, `CHINA` and `CHINA, PEOPLE'S REPUBLIC OF` are one), and a name search. Pure.
 */
import { normalizeCountry, normalizeName } from '../entity-list/identity.js';
import type { ListedEntry } from '../entity-list/types.js';

export interface EntrySelection {
  /** A destination in any spelling the list or a rule uses. */
  country?: string;
  /** Words to find in an entry's name or in one of its aliases. */
  q?: string;
}

/**
 * A name search as screening users type it, exact rather than fuzzy: every word of the query must
 * be a word of the entry's name, or every word must be a word of one alias. Words compare after
 * the entry-identity normalisation (case, accents, punctuation, quotes and company-form spellings
 * do not matter), in any order: `HIKVISION DIGITAL` finds "Hangzhou Hikvision Digital Technology
 * Co., Ltd.", `ltd. co zte` finds "ZTE Co., Ltd". No edit distance, no phonetics: a misspelt word
 * finds nothing, which a compliance user can see, instead of a near miss they cannot.
 */
export function nameQuery(q: string): (entry: ListedEntry) => boolean {
  const words = [...new Set(normalizeName(q).split(' ').filter(Boolean))];
  if (words.length === 0) return () => true;
  const holds = (text: string): boolean => {
    const have = new Set(normalizeName(text).split(' '));
    return words.every((w) => have.has(w));
  };
  return (entry) => holds(entry.name) || entry.aliases.some(holds);
}

export function selectEntries(entries: readonly ListedEntry[], selection: EntrySelection): ListedEntry[] {
  let out = entries as ListedEntry[];
  if (selection.country !== undefined) {
    const want = normalizeCountry(selection.country);
    out = out.filter((e) => normalizeCountry(e.country) === want);
  }
  if (selection.q !== undefined) out = out.filter(nameQuery(selection.q));
  return out;
}
