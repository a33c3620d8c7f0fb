/** Dates as the Federal Register prints them, read into ISO `YYYY-MM-DD`. Pure. */

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

const MONTH_DATE =
  /\b(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+(\d{1,2}),?\s+(\d{4})\b/gi;

function iso(year: number, month: number, day: number): string | undefined {
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
    return undefined;
  return d.toISOString().slice(0, 10);
}

/** Every "October 9, 2019" style date in the text, in order. */
export function monthDates(text: string): Array<{ iso: string; index: number }> {
  const out: Array<{ iso: string; index: number }> = [];
  for (const m of text.matchAll(MONTH_DATE)) {
    const month = MONTHS[m[1]!.slice(0, m[1]!.toLowerCase().startsWith('sept') ? 4 : 3).toLowerCase()];
    const date = month ? iso(Number(m[3]), month, Number(m[2])) : undefined;
    if (date) out.push({ iso: date, index: m.index });
  }
  return out;
}

/** The first date in text; `Monday, February 12, 2024` → `2024-02-12`. */
export function parseLongDate(text: string): string | undefined {
  return monthDates(text)[0]?.iso;
}

export interface EffectiveDate {
  effectiveDate?: string;
  /** "effective [INSERT DATE OF PUBLICATION IN THE FEDERAL REGISTER]": known only once published. */
  effectiveOnPublication: boolean;
}

/** Reads the effective date from a rule's DATES text ("This rule is effective October 9, 2019."). */
export function parseEffectiveDate(datesText: string | undefined): EffectiveDate {
  if (!datesText) return { effectiveOnPublication: false };
  const onPublication = /effective\s+(?:on\s+)?\[?\s*insert date of publication/i.test(datesText);
  const dates = monthDates(datesText);
  const effectiveAt = datesText.search(/\beffective\b/i);
  const afterEffective = effectiveAt >= 0 ? dates.find((d) => d.index > effectiveAt) : undefined;
  const chosen = afterEffective ?? dates[0];
  return { effectiveDate: chosen?.iso, effectiveOnPublication: onPublication };
}

/** `10–7–19` or `10-7-2019` (as FRDOC prints filing dates) → ISO date. */
export function parseShortDate(text: string): string | undefined {
  const m = /(\d{1,2})[-–/](\d{1,2})[-–/](\d{2}|\d{4})\b/.exec(text);
  if (!m) return undefined;
  let year = Number(m[3]);
  if (m[3]!.length === 2) year += year >= 70 ? 1900 : 2000;
  return iso(year, Number(m[1]), Number(m[2]));
}
