/**
 * Calendar dates as the exports and the HTTP API take them, and the dates Entity List citations
 * print. Pure.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A real calendar date written YYYY-MM-DD. Stricter than `Date.parse`, which V8 lets roll
 * `2020-02-30` over into March.
 */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function iso(year: number, month: number, day: number): string | undefined {
  const s = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return isCalendarDate(s) ? s : undefined;
}

/** One Federal Register citation as the Entity List prints it: `84 FR 54002, 10/9/19`. */
export interface Citation {
  volume: number;
  page: number;
  /** `84 FR 54002` */
  reference: string;
  /** The date the citation prints (the rule's publication), ISO; undefined when it prints none. */
  date?: string;
}

const CITATION = /(\d{1,3})\s*F\.?\s*R\.?\s*(\d{1,6})(?:[\s,]*(?:\()?(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})\b)?/;

/**
 * Reads a citation. Two-digit years take their century from the volume (volume 1 is 1936, so
 * volume 84 is 2019): the Entity List has printed `5/14/01` for 66 FR 24266.
 */
export function parseCitation(text: string): Citation | undefined {
  const m = CITATION.exec(text);
  if (!m) return undefined;
  const volume = Number(m[1]);
  const page = Number(m[2]);
  const out: Citation = { volume, page, reference: `${volume} FR ${page}` };
  if (m[3] !== undefined && m[4] !== undefined && m[5] !== undefined) {
    let year = Number(m[5]);
    if (m[5].length === 2) {
      const volumeYear = 1935 + volume;
      year += Math.floor(volumeYear / 100) * 100;
      if (year - volumeYear > 50) year -= 100;
      else if (volumeYear - year > 50) year += 100;
    }
    const date = iso(year, Number(m[3]), Number(m[4]));
    if (date) out.date = date;
  }
  return out;
}

/** The Federal Register's own link for a citation; it leads to the document. */
export function citationUrl(citation: Citation): string {
  return `https://www.federalregister.gov/citation/${citation.volume}-FR-${citation.page}`;
}
