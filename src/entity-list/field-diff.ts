/**
 * Field-level differences between two versions of an entry, as revision events carry them:
 * lists (aliases, addresses, citations, footnotes) as added/removed values, the two license texts
 * as word-level diffs rendered by the `diff` package.
 */
import { diffWordsWithSpace } from 'diff';
import { canonicalDestination } from './destinations.js';
import { cleanText, normalizeCountry, textWords, wordsOf } from './identity.js';
import type { ListedEntry } from './types.js';

export type EntryField =
  | 'country'
  | 'name'
  | 'aliases'
  | 'addresses'
  | 'licenseRequirement'
  | 'licenseReviewPolicy'
  | 'federalRegisterCitations'
  | 'footnotes'
  | 'seeAlso';

/** Values in the new list and not the old one, and the reverse, each in its list's order. */
export interface ListDiff {
  added: string[];
  removed: string[];
  /** Same values, different order (the table's order is content, so it counts as a change). */
  reordered: boolean;
}

export interface TextDiffPart {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}

export interface TextDiff {
  before: string;
  after: string;
  /** Word-level edit script: concatenating `equal`+`delete` gives `before`, `equal`+`insert` gives `after`. */
  parts: TextDiffPart[];
}

export interface EntryFieldDiff {
  /** Fields whose value changed, in contract field order; empty when the two versions are equal. */
  changedFields: EntryField[];
  country?: { before: string; after: string };
  name?: { before: string; after: string };
  aliases: ListDiff;
  addresses: ListDiff;
  /** Revisions append the new rule's citation; a removed citation is unusual and worth a look. */
  federalRegisterCitations: ListDiff;
  footnotes: ListDiff;
  licenseRequirement?: TextDiff;
  licenseReviewPolicy?: TextDiff;
}

export function diffEntryFields(before: ListedEntry, after: ListedEntry): EntryFieldDiff {
  const aliases = diffLists(before.aliases, after.aliases);
  const addresses = diffLists(before.addresses, after.addresses);
  const federalRegisterCitations = diffLists(before.federalRegisterCitations, after.federalRegisterCitations);
  const footnotes = diffLists(before.footnotes ?? [], after.footnotes ?? []);
  const out: EntryFieldDiff = { changedFields: [], aliases, addresses, federalRegisterCitations, footnotes };

  if (before.country !== after.country) {
    out.country = { before: before.country, after: after.country };
    out.changedFields.push('country');
  }
  if (before.name !== after.name) {
    out.name = { before: before.name, after: after.name };
    out.changedFields.push('name');
  }
  if (listChanged(before.aliases, after.aliases)) out.changedFields.push('aliases');
  if (listChanged(before.addresses, after.addresses)) out.changedFields.push('addresses');
  if (before.licenseRequirement !== after.licenseRequirement) {
    out.licenseRequirement = diffText(before.licenseRequirement, after.licenseRequirement);
    out.changedFields.push('licenseRequirement');
  }
  if (before.licenseReviewPolicy !== after.licenseReviewPolicy) {
    out.licenseReviewPolicy = diffText(before.licenseReviewPolicy, after.licenseReviewPolicy);
    out.changedFields.push('licenseReviewPolicy');
  }
  if (listChanged(before.federalRegisterCitations, after.federalRegisterCitations)) {
    out.changedFields.push('federalRegisterCitations');
  }
  if (listChanged(before.footnotes ?? [], after.footnotes ?? [])) out.changedFields.push('footnotes');
  if (listChanged(before.seeAlso ?? [], after.seeAlso ?? [])) out.changedFields.push('seeAlso');
  return out;
}

/**
 * Added and removed values, compared the way the corpus says rows compare: whitespace-collapsed,
 * without a leading "and", and without one trailing period ("Co." in the CSL, "Co" once the cell's own period is taken off), so
 * punctuation noise does not show up as a removed-and-re-added alias.
 */
export function diffLists(before: readonly string[], after: readonly string[]): ListDiff {
  const beforeSet = new Set(before.map(comparable));
  const afterSet = new Set(after.map(comparable));
  const added = after.filter((v) => !beforeSet.has(comparable(v)));
  const removed = before.filter((v) => !afterSet.has(comparable(v)));
  const reordered =
    added.length === 0 &&
    removed.length === 0 &&
    before.length === after.length &&
    before.some((v, i) => v !== after[i]);
  return { added, removed, reordered };
}

function listChanged(before: readonly string[], after: readonly string[]): boolean {
  return before.length !== after.length || before.some((v, i) => v !== after[i]);
}

function comparable(value: string): string {
  // "and" joining the last value to the others is a connector, not part of the value.
  return cleanText(value)
    .replace(/\.$/, '')
    .replace(/^and\s+/i, '');
}

/**
 * Word-level diff of two texts. `diffWordsWithSpace` rather than `diffWords`: the latter folds
 * whitespace into neighbouring words and loses spaces on the `before` side ("See § 744.11" comes back
 * as "See §744.11" when a word is inserted after "§"), and the edit script must rebuild both texts.
 */
export function diffText(before: string, after: string): TextDiff {
  const parts: TextDiffPart[] = [];
  for (const change of diffWordsWithSpace(before, after)) {
    const op = change.added ? 'insert' : change.removed ? 'delete' : 'equal';
    const last = parts[parts.length - 1];
    // The diff package can emit neighbouring parts of one kind; one part per run reads better.
    if (last && last.op === op) last.text += change.value;
    else parts.push({ op, text: change.value });
  }
  return { before, after, parts };
}

/**
 * How two versions of an entry differ: not at all (`same`), in punctuation, spacing, line breaks,
 * markup or case only (`editorial`), or in their words (`revised`). `fields` are the fields whose
 * words changed (for `revised`) or whose text changed (for `editorial`); `editorialFields` the
 * fields of a revision whose text changed without their words changing.
 *
 * The entity cell (name, aliases, addresses) is compared as the one text the table prints: where a
 * reader ends the name or an address can move with a period ("Joint Stock Company 766 UPTK.
 * 1 Institutskaya Street"), which changes the fields but not the words of the cell. The "and" that
 * joins the last address or alias to the others is a connector, not a word of either.
 */
export interface WordingComparison {
  kind: 'same' | 'editorial' | 'revised';
  fields: EntryField[];
  editorialFields: EntryField[];
}

export function compareWording(before: ListedEntry, after: ListedEntry): WordingComparison {
  const textFields = diffEntryFields(before, after).changedFields;
  if (textFields.length === 0) return { kind: 'same', fields: [], editorialFields: [] };
  const wordFields = wordChangedFields(before, after);
  if (wordFields.length === 0) return { kind: 'editorial', fields: textFields, editorialFields: [] };
  return {
    kind: 'revised',
    fields: wordFields,
    editorialFields: textFields.filter((f) => !wordFields.includes(f)),
  };
}

/** The fields whose words differ (see `compareWording`); empty when the two differ editorially at most. */
export function wordChangedFields(before: ListedEntry, after: ListedEntry): EntryField[] {
  const out: EntryField[] = [];
  if (normalizeCountry(before.country) !== normalizeCountry(after.country)) out.push('country');
  if (cellWords(before) !== cellWords(after)) {
    if (wordsOf(before.name) !== wordsOf(after.name)) out.push('name');
    if (listWords(before.aliases) !== listWords(after.aliases)) out.push('aliases');
    if (listWords(before.addresses) !== listWords(after.addresses)) out.push('addresses');
    // The cell's words changed only in how they are split between fields: the name's end moved.
    if (out.length === 0 || (out.length === 1 && out[0] === 'country')) out.push('name');
  }
  if (wordsOf(before.licenseRequirement) !== wordsOf(after.licenseRequirement))
    out.push('licenseRequirement');
  if (wordsOf(before.licenseReviewPolicy) !== wordsOf(after.licenseReviewPolicy))
    out.push('licenseReviewPolicy');
  if (listWords(before.federalRegisterCitations) !== listWords(after.federalRegisterCitations))
    out.push('federalRegisterCitations');
  if (listWords(before.footnotes ?? []) !== listWords(after.footnotes ?? [])) out.push('footnotes');
  // A destination named in the Federal Register's words ("China") and as the eCFR prints it
  // ("CHINA", "PEOPLE'S REPUBLIC OF CHINA") is one destination.
  if (listWords(destinations(before.seeAlso)) !== listWords(destinations(after.seeAlso))) out.push('seeAlso');
  return out;
}

/**
 * The words of the entity cell: name, aliases and addresses, without the connecting "and"s, as a
 * sorted multiset. Sorted because markup decides which field a reader gives a segment of the cell
 * to: "Hay Riad<br/>—Rabat, Morocco" reads as an address and an alias where "Hay Riad, Rabat,
 * Morocco" reads as one address, with the same words in the cell.
 */
export function cellWords(entry: Pick<ListedEntry, 'name' | 'aliases' | 'addresses'>): string {
  return listWords([entry.name, ...entry.aliases, ...entry.addresses])
    .split(' ')
    .sort()
    .join(' ');
}

/**
 * The words of a list of values, each value split at semicolons (the table's own separator, which a
 * reader may or may not have split on) and stripped of a leading or trailing "and".
 */
function listWords(values: readonly string[]): string {
  const out: string[] = [];
  for (const value of values) {
    for (const piece of value.split(';')) {
      const words = textWords(piece);
      let start = 0;
      let end = words.length;
      if (words[start] === 'and') start += 1;
      if (end > start && words[end - 1] === 'and') end -= 1;
      for (let i = start; i < end; i++) out.push(words[i]!);
    }
  }
  return out.join(' ');
}

/** `seeAlso` destinations in their canonical spelling, each once, in order. */
function destinations(values: readonly string[] | undefined): string[] {
  return [...new Set((values ?? []).map(canonicalDestination))].sort();
}
