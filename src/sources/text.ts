/** Text helpers for the Consolidated Screening List's strings. Pure. */

/** Windows-1252 characters for the C1 controls that appear when cp1252 text was read as Latin-1. */
const CP1252: Record<number, string> = {
  0x80: '\u20AC',
  0x82: '\u201A',
  0x83: '\u0192',
  0x84: '\u201E',
  0x85: '\u2026',
  0x86: '\u2020',
  0x87: '\u2021',
  0x88: '\u02C6',
  0x89: '\u2030',
  0x8a: '\u0160',
  0x8b: '\u2039',
  0x8c: '\u0152',
  0x8e: '\u017D',
  0x91: '\u2018',
  0x92: '\u2019',
  0x93: '\u201C',
  0x94: '\u201D',
  0x95: '\u2022',
  0x96: '\u2013',
  0x97: '\u2014',
  0x98: '\u02DC',
  0x99: '\u2122',
  0x9a: '\u0161',
  0x9b: '\u203A',
  0x9c: '\u0153',
  0x9e: '\u017E',
  0x9f: '\u0178',
};

/**
 * Repairs C1 control characters (U+0080–U+009F) that are really Windows-1252 punctuation
 * (`HA\u0092Assif` → `HA’Assif`, seen in the 2019 CSL). C1 controls never occur in real text.
 */
export function repairCp1252(text: string): string {
  return text.replace(/[\u0080-\u009F]/g, (ch) => CP1252[ch.charCodeAt(0)] ?? '');
}

/** Whitespace collapsed and trimmed (the contract's "strings are whitespace-collapsed"). */
export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Adds items not already present (exact match after collapsing), keeping first-seen order. */
export function pushUnique(into: string[], items: Iterable<string>): void {
  const have = new Set(into);
  for (const item of items) {
    if (item === '' || have.has(item)) continue;
    have.add(item);
    into.push(item);
  }
}
