import { monthDates } from '../rule-xml/dates.js';

/**
 * Federal Register citations as the Entity List's last column prints them: "73 FR 54506, 9/22/08",
 * several to a cell, sometimes without the comma ("90 FR 50859 11/12/25"). A rule cites itself
 * with a placeholder the Office of the Federal Register fills in only in print:
 * "88 FR [INSERT FR PAGE NUMBER AND 2/27/2023]." or "91 FR [INSERT FR PAGE NUMBER] AND August 24, 2026.".
 */

const SHORT_DATE = String.raw`\d{1,2}\/\d{1,2}\/\d{2,4}`;
const LONG_DATE = String.raw`(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}`;
const PLACEHOLDER = String.raw`\[\s*INSERT[^\]]*\](?:\s*(?:AND|,)\s*(?:${SHORT_DATE}|${LONG_DATE}))?`;
const CITATION = new RegExp(
  String.raw`\b\d{1,3}\s*FR\s*(?:\d{1,6}|${PLACEHOLDER})(?:\s*,?\s*${SHORT_DATE})?(?:\s*,?\s*(?:effective\s+)?${SHORT_DATE})?`,
  'gi',
);

/** "73 FR 54506, 9/22/08. 81 FR 67097 9/16/16." → ["73 FR 54506, 9/22/08", "81 FR 67097, 9/16/16"]. */
export function splitCitations(text: string): string[] {
  const found = [...text.matchAll(CITATION)].map((m) => canonicalCitation(m[0]));
  if (found.length > 0) return found;
  return text
    .split(/\.\s+|;\s*/)
    .map((s) => s.replace(/[.\s]+$/, '').trim())
    .filter((s) => s.length > 0);
}

/** One citation written the list's way: "90 FR 50859, 11/12/25" (the comma the cell may omit). */
export function canonicalCitation(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(\d{1,3}) ?FR ?(\d{1,6})\s*,?\s*(?=\d{1,2}\/)/i, '$1 FR $2, ');
}

export function isCitationPlaceholder(citation: string): boolean {
  return /\[\s*INSERT/i.test(citation);
}

/**
 * Fills in a placeholder citation: `page` is the page on which the amendment is printed, the
 * date is the one the placeholder gives (else `publicationDate`, ISO). Returns the citation
 * unchanged when it is not a placeholder or the page is unknown.
 */
export function resolveCitationPlaceholder(
  citation: string,
  page: number | undefined,
  publicationDate?: string,
): string {
  const m = new RegExp(String.raw`^(\d{1,3})\s*FR\s*(${PLACEHOLDER})(.*)$`, 'i').exec(citation);
  if (!m || page === undefined) return citation;
  const inside = m[2]!;
  const short = new RegExp(SHORT_DATE).exec(inside)?.[0];
  const long = monthDates(inside)[0]?.iso ?? monthDates(m[3] ?? '')[0]?.iso;
  const date = short
    ? shortDate(short)
    : long
      ? fromIso(long)
      : publicationDate
        ? fromIso(publicationDate)
        : '';
  return `${m[1]} FR ${page}${date ? `, ${date}` : ''}`;
}

/** "2/27/2023" → "2/27/23", the list's form. */
function shortDate(text: string): string {
  const [m, d, y] = text.split('/');
  return `${Number(m)}/${Number(d)}/${y!.length === 4 ? y!.slice(2) : y}`;
}

function fromIso(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${Number(m)}/${Number(d)}/${y!.slice(2)}`;
}
