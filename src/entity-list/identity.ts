/**
 * Entry identity: a stable key from destination plus a normalised name, so that the same entry
 * printed with curly quotes, an en dash, doubled spaces or "Co., Ltd" vs "Co. Ltd." is one entry.
 */

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

/** Company-form words that are written many ways; mapped to one spelling before comparing. */
const LEGAL_FORMS: Array<[RegExp, string]> = [
  [/\bco(?:mpany)?\b/g, 'co'],
  [/\bltd\b|\blimited\b/g, 'ltd'],
  [/\bcorp(?:oration)?\b/g, 'corp'],
  [/\binc(?:orporated)?\b/g, 'inc'],
  [/\bl ?l ?c\b/g, 'llc'],
];

/**
 * A name reduced to what identifies it: case, punctuation, quotes, dashes, whitespace and the
 * spelling of company forms do not matter. Idempotent.
 */
export function normalizeName(name: string): string {
  let s = cleanText(name).toLowerCase();
  s = s.replace(/&/g, ' and ');
  s = s.replace(/[^\p{L}\p{N}]+/gu, ' ');
  for (const [re, to] of LEGAL_FORMS) s = s.replace(re, to);
  return s.replace(/\s+/g, ' ').trim();
}

/** Destination names compare upper-cased, without a leading "THE" or punctuation differences. */
export function normalizeCountry(country: string): string {
  return cleanText(country)
    .toUpperCase()
    .replace(/^THE\s+/, '')
    .replace(/[^\p{L}\p{N}',]+/gu, ' ')
    .replace(/\s*,\s*/g, ', ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The stable key of an entry: `<destination>|<normalised name>`. */
export function entryKey(country: string, name: string): string {
  return `${normalizeCountry(country)}|${normalizeName(name)}`;
}
