/**
 * Field-level differences between two versions of an entry, as revision events carry them:
 * lists (aliases, addresses, citations, footnotes) as added/removed values, the two license texts
 * as word-level diffs rendered by the `diff` package.
 */
import { diffWordsWithSpace } from 'diff';
import { cleanText } from './identity.js';
import type { ListedEntry } from './types.js';

export type EntryField =
  | 'country'
  | 'name'
  | 'aliases'
  | 'addresses'
  | 'licenseRequirement'
  | 'licenseReviewPolicy'
  | 'federalRegisterCitations'
  | 'footnotes';

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
  return out;
}

/**
 * Added and removed values, compared the way the corpus says rows compare: whitespace-collapsed and
 * without one trailing period ("Co." in the CSL, "Co" once the cell's own period is taken off), so
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
  return cleanText(value).replace(/\.$/, '');
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
