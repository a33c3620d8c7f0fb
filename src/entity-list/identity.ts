/**
 * Entry identity: a stable key from destination plus a normalised name, so that the same entry
 * printed with curly quotes, an en dash, doubled spaces, an accent or "Co., Ltd" vs "Co. Ltd." is
 * one entry. Keys appear as the `subject` of change events, so a change here changes event subjects:
 * extend the rules deliberately and keep `normalizeName` idempotent (a property test holds it to that).
 */

import { canonicalDestination } from './destinations.js';

const QUOTES = /[\u2018\u2019\u201A\u201B\u2032\u0060\u00B4]/g;
const DOUBLE_QUOTES = /[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB]/g;
const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g;

/** Text-level clean-up shared by extraction and identity: NFKC, quotes, dashes, whitespace. */
export function cleanText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(QUOTES, "'")
    .replace(DOUBLE_QUOTES, '"')
    .replace(DASHES, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A name reduced to what identifies it: case, accents, punctuation, quotes, dashes, whitespace,
 * dotted abbreviations and the spelling of company forms do not matter. Idempotent.
 *
 * Works on tokens rather than with a chain of regular expressions: every key computes it, and a diff
 * of two 35,000-entry lists computes 70,000 keys.
 */
export function normalizeName(name: string): string {
  return nameTokens(name).join(' ');
}

/** The words of the normalised name. */
function nameTokens(name: string): string[] {
  const tokens = PRINTABLE_ASCII.test(name) ? asciiTokens(name) : unicodeTokens(name);
  return tokens.some(mayNeedRespelling) ? spellLegalForms(joinSpelledOutAbbreviations(tokens)) : tokens;
}

/**
 * A one-letter token, or a word that starts a company form: most names have neither. By length
 * first, because hashing every token into a set costs more than the rest of the function.
 */
function mayNeedRespelling(token: string): boolean {
  switch (token.length) {
    case 1:
      return true;
    case 5:
      return token === 'joint';
    case 7:
      return token === 'company' || token === 'limited';
    case 11:
      return token === 'corporation';
    case 12:
      return token === 'incorporated';
    default:
      return false;
  }
}

/** Printable ASCII: NFKC, NFKD and the quote/dash mapping of `cleanText` leave it as it is. */
const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;

/**
 * Lower-case words and numbers. An apostrophe joins ("People's" = "Peoples"; a backtick is an
 * apostrophe typed on a keyboard), and so does a period: eCFR adds and drops periods in
 * abbreviations from one rendering to the next ("P.AD Ltd." and "PAD Ltd.", "N.A." and "NA",
 * "U.A.E." and "UAE"), and a period is punctuation, not a word boundary. "&" is the word "and";
 * every other mark separates.
 */
function asciiTokens(name: string): string[] {
  const lower = name.toLowerCase();
  const tokens: string[] = [];
  let joined = ''; // the part of a token before an apostrophe
  let start = 0;
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) continue;
    if (c === 39 || c === 96 || c === 46) {
      joined += lower.slice(start, i);
      start = i + 1;
      continue;
    }
    const token = joined ? joined + lower.slice(start, i) : lower.slice(start, i);
    if (token) tokens.push(token);
    joined = '';
    start = i + 1;
    if (c === 38) tokens.push('and');
  }
  return tokens;
}

/** The same for any text, after NFKC and with accents stripped ("Société" = "Societe"). */
function unicodeTokens(name: string): string[] {
  // Lower-case before stripping accents: some capitals lower-case into a letter plus a mark (İ).
  // Upper-case first, so that letters whose capital lower-cases to another letter compare as their
  // capitals do: Turkish "ı" (KAPI / Kapı), German "ß" (STRASSE / Straße).
  return cleanText(name)
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/['`.]/g, '')
    .replace(/&/g, ' and ')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((token) => token.length > 0);
}

/** Runs of two or more one-letter tokens ("s a", "l l c", "u s") are one abbreviation. */
function joinSpelledOutAbbreviations(tokens: string[]): string[] {
  const out: string[] = [];
  let run = '';
  for (const token of tokens) {
    if (token.length === 1 && /\p{L}/u.test(token)) {
      run += token;
      continue;
    }
    if (run) out.push(run);
    run = '';
    out.push(token);
  }
  if (run) out.push(run);
  return out;
}

/**
 * Company-form words that are written many ways, mapped to one spelling: "Limited Liability
 * Company" is `llc` (not `ltd liability co`), "Joint Stock Company" is `jsc`. Russian-style forms
 * matter because a large share of the list is under RUSSIA and BELARUS.
 */
const ONE_WORD_FORMS: ReadonlyMap<string, string> = new Map([
  ['company', 'co'],
  ['limited', 'ltd'],
  ['corporation', 'corp'],
  ['incorporated', 'inc'],
]);
const JOINT_STOCK_KINDS: ReadonlyMap<string, string> = new Map([
  ['public', 'pjsc'],
  ['open', 'ojsc'],
  ['closed', 'cjsc'],
]);

function isCompany(token: string | undefined): boolean {
  return token === 'co' || token === 'company';
}

function spellLegalForms(tokens: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === 'limited' && tokens[i + 1] === 'liability' && isCompany(tokens[i + 2])) {
      out.push('llc');
      i += 2;
    } else if (
      JOINT_STOCK_KINDS.has(t) &&
      tokens[i + 1] === 'joint' &&
      tokens[i + 2] === 'stock' &&
      isCompany(tokens[i + 3])
    ) {
      out.push(JOINT_STOCK_KINDS.get(t)!);
      i += 3;
    } else if (t === 'joint' && tokens[i + 1] === 'stock' && isCompany(tokens[i + 2])) {
      out.push('jsc');
      i += 2;
    } else {
      out.push(ONE_WORD_FORMS.get(t) ?? t);
    }
  }
  return out;
}

/** Company forms, as `normalizeName` spells them, that instructions often leave off a name. */
const LEGAL_FORM_TOKENS: ReadonlySet<string> = new Set([
  ...['co', 'ltd', 'llc', 'inc', 'corp', 'plc', 'pte', 'pvt'],
  ...['jsc', 'pjsc', 'ojsc', 'cjsc', 'ooo', 'oao', 'zao', 'pao', 'ao'],
  ...['gmbh', 'ag', 'sa', 'sarl', 'srl', 'spa', 'bv', 'nv', 'oy', 'ab', 'as'],
  ...['fze', 'fzco', 'fzc'],
]);

/**
 * The name without parenthesised parts and company forms: "Enterprise Chips Hunter (ECH)" and
 * "Transsphere Oy" reduce to "enterprise chips hunter" and "transsphere". Instructions often drop the
 * acronym or the form the table prints, so equal core names are a strong (but not exact) match.
 */
export function coreName(name: string): string {
  return normalizeName(cleanText(name).replace(/\([^()]*\)/g, ' '))
    .split(' ')
    .filter((token) => !LEGAL_FORM_TOKENS.has(token))
    .join(' ');
}

/**
 * Destination names compare upper-cased, without a leading "THE", punctuation or spelling variants.
 * Spellings ("under China" for "CHINA, PEOPLE'S REPUBLIC OF") come from the destinations dictionary
 * that extraction uses too, so instructions and the table agree on one destination.
 */
export function normalizeCountry(country: string): string {
  let normalized = destinationCache.get(country);
  if (normalized === undefined) {
    normalized = canonicalDestination(cleanText(country))
      .toUpperCase()
      .replace(/^THE\s+/, '')
      .replace(/[^\p{L}\p{N}',]+/gu, ' ')
      .replace(/\s*,\s*/g, ', ')
      .replace(/\s+/g, ' ')
      .replace(/^[\s,]+|[\s,]+$/g, '');
    // Destinations are a small set, and every key computes one: remember them (bounded, so odd
    // input cannot grow the cache without limit).
    if (destinationCache.size >= 1024) destinationCache.clear();
    destinationCache.set(country, normalized);
  }
  return normalized;
}

const destinationCache = new Map<string, string>();

/** The stable key of an entry: `<destination>|<normalised name>`. */
export function entryKey(country: string, name: string): string {
  // Built by one join rather than `${country}|${name}`: keys go into maps of tens of thousands of
  // entries, and a concatenated string must be copied flat before it can be hashed.
  const tokens = nameTokens(name);
  tokens[0] = `${normalizeCountry(country)}|${tokens[0] ?? ''}`;
  return tokens.join(' ');
}

/** The destination part of a key, for scanning one destination's entries. */
export function keyDestination(key: string): string {
  return key.slice(0, key.indexOf('|'));
}

/**
 * The words of a text: what is left when punctuation, spacing, line breaks, markup (quotes, dashes,
 * full-width forms), accents and case are set aside. Two texts with the same words differ only
 * editorially. Unlike `normalizeName`, company forms are not respelled: "Co." and "Company" are
 * different words, and a change from one to the other is a change of wording.
 */
export function textWords(text: string): string[] {
  const tokens = PRINTABLE_ASCII.test(text) ? asciiTokens(text) : unicodeTokens(text);
  // "U.A.E." and "UAE", "P.O. Box" and "PO Box": periods between letters are punctuation.
  return tokens.some((t) => t.length === 1) ? joinSpelledOutAbbreviations(tokens) : tokens;
}

/** `textWords` joined by single spaces: the form word-level comparisons use. */
export function wordsOf(text: string): string {
  return textWords(text).join(' ');
}
