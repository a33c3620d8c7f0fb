/** Calendar arithmetic on ISO dates (YYYY-MM-DD), in UTC so that no local timezone leaks in. */

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Whole days since 1970-01-01 (a sortable score for Redis). */
export function epochDay(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}

/** The UTC calendar date of an instant. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The calendar date in America/New_York (the Federal Register's clock) of an instant. */
export function easternDate(ms: number): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/New_York',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(ms));
  return parts; // en-CA formats as YYYY-MM-DD
}

/**
 * The instant of a wall-clock time in America/New_York, as an ISO string with its offset
 * (`2019-10-07T08:45:00.000-04:00`, the way the API prints `filed_at`).
 */
export function easternInstant(date: string, hour: number, minute: number): { iso: string; ms: number } {
  // Try both offsets the zone uses; keep the one whose local reading matches.
  for (const offset of [-4, -5]) {
    const ms = Date.parse(`${date}T${pad(hour)}:${pad(minute)}:00.000Z`) - offset * 3_600_000;
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'America/New_York',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(ms));
    if (local === `${pad(hour)}:${pad(minute)}` && easternDate(ms) === date) {
      const sign = offset < 0 ? '-' : '+';
      return { iso: `${date}T${pad(hour)}:${pad(minute)}:00.000${sign}${pad(Math.abs(offset))}:00`, ms };
    }
  }
  const ms = Date.parse(`${date}T${pad(hour)}:${pad(minute)}:00.000-05:00`);
  return { iso: `${date}T${pad(hour)}:${pad(minute)}:00.000-05:00`, ms };
}

/** The previous business day (Mon–Fri; federal holidays are not modelled). */
export function previousBusinessDay(date: string): string {
  let d = addDays(date, -1);
  for (;;) {
    const dow = new Date(`${d}T00:00:00Z`).getUTCDay();
    if (dow !== 0 && dow !== 6) return d;
    d = addDays(d, -1);
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
