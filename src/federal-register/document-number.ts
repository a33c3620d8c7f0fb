/**
 * Federal Register document numbers are written several ways for the same document: zero padded
 * or not (`2012-07333` on the API, `2012-7333` on an older public inspection listing), with an en
 * dash inside the XML (`2019–22210`), with a "FR Doc." prefix in FRDOC. Matching uses the
 * canonical key; display keeps what the source printed.
 */

const DASHES = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g;

/**
 * Canonical matching key: dashes unified, prefix text dropped, the serial without leading zeros.
 * `2012-07333`, `2012-7333`, `FR Doc. 2012–07333` → `2012-7333`. Correction and republication
 * prefixes (`C1-2019-22210`, `R1-…`, old `E9-12345`) are kept, upper-cased.
 */
export function documentNumberKey(input: string): string {
  const s = input
    .normalize('NFKC')
    .replace(DASHES, '-')
    .replace(/^\s*\[?\s*FR\s+Doc\.?\s*/i, '')
    .replace(/\s+/g, '')
    .replace(/[\].;,]+$/, '')
    .toUpperCase();
  const m = /^((?:[A-Z]\d*-)*)(\d{2,4})-0*(\d+)$/.exec(s);
  if (!m) return s;
  return `${m[1]}${m[2]}-${m[3]}`;
}

/** True when two spellings name the same document. */
export function sameDocumentNumber(a: string, b: string): boolean {
  return documentNumberKey(a) === documentNumberKey(b);
}

/** The API's spelling: hyphen, serial padded to 5 digits for 4-digit years (`2012-07333`). */
export function apiDocumentNumber(input: string): string {
  const key = documentNumberKey(input);
  const m = /^((?:[A-Z]\d*-)*)(\d{4})-(\d+)$/.exec(key);
  if (!m) return key;
  return `${m[1]}${m[2]}-${m[3]!.padStart(5, '0')}`;
}
