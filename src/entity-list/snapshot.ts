/**
 * The snapshot as a value: canonical entry shape, the list's sort order, keyed lookup and validation
 * of snapshots read from outside (files, Redis, eCFR/CSL converters).
 */
import { AppError } from '../errors.js';
import { entryKey } from './identity.js';
import type { Entry, ListedEntry, Snapshot } from './types.js';

/** The entry's stable key (destination + normalised name). */
export function keyOf(entry: Pick<ListedEntry, 'country' | 'name'>): string {
  return entryKey(entry.country, entry.name);
}

/**
 * The entry with its fields in contract order (the order of final.json), copying the lists so the
 * result shares nothing mutable with its input. `footnotes` and `seeAlso` only when the row has some.
 */
export function canonicalEntry(country: string, entry: Entry): ListedEntry {
  const out: ListedEntry = {
    country,
    name: entry.name,
    aliases: [...entry.aliases],
    addresses: [...entry.addresses],
    licenseRequirement: entry.licenseRequirement,
    licenseReviewPolicy: entry.licenseReviewPolicy,
    federalRegisterCitations: [...entry.federalRegisterCitations],
  };
  if (entry.footnotes && entry.footnotes.length > 0) out.footnotes = [...entry.footnotes];
  if (entry.seeAlso && entry.seeAlso.length > 0) out.seeAlso = [...entry.seeAlso];
  return out;
}

/** The entry without its destination, as extraction and event `data` carry rows. */
export function withoutCountry(entry: ListedEntry): Entry {
  const { country: _country, ...rest } = entry;
  return rest;
}

/**
 * Sorted by country, then name, compared case-insensitively by code unit (as final.json is sorted);
 * ties fall back to the exact strings so the order is total. Not `localeCompare`: its result depends
 * on the ICU data of the machine, and event order must not.
 */
export function sortEntries(entries: readonly ListedEntry[]): ListedEntry[] {
  const decorated = entries.map((entry) => ({
    entry,
    country: entry.country.toLowerCase(),
    name: entry.name.toLowerCase(),
  }));
  decorated.sort(
    (a, b) =>
      compareStrings(a.country, b.country) ||
      compareStrings(a.name, b.name) ||
      compareStrings(a.entry.country, b.entry.country) ||
      compareStrings(a.entry.name, b.entry.name) ||
      // One name listed twice under a destination (the real list does): by content, so the order
      // never depends on the order the entries came in.
      compareStrings(JSON.stringify(a.entry), JSON.stringify(b.entry)),
  );
  return decorated.map((d) => d.entry);
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Field-by-field equality of two entries (list order matters: the table's order is content). */
export function sameEntry(a: ListedEntry, b: ListedEntry): boolean {
  return (
    a.country === b.country &&
    a.name === b.name &&
    a.licenseRequirement === b.licenseRequirement &&
    a.licenseReviewPolicy === b.licenseReviewPolicy &&
    sameList(a.aliases, b.aliases) &&
    sameList(a.addresses, b.addresses) &&
    sameList(a.federalRegisterCitations, b.federalRegisterCitations) &&
    sameList(a.footnotes ?? [], b.footnotes ?? []) &&
    sameList(a.seeAlso ?? [], b.seeAlso ?? [])
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** A later ISO date of the two (ISO dates order as strings). */
export function laterDate(a: string, b: string): string {
  return a >= b ? a : b;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

/**
 * Checks a parsed snapshot (contract section 3) and returns it with canonical entries. Every problem
 * is reported at once, each with where it is, so a bad file is fixed in one round.
 */
export function parseSnapshot(value: unknown, where = 'snapshot'): Snapshot {
  const problems: string[] = [];
  if (!isRecord(value)) {
    throw new AppError(
      'SNAPSHOT_INVALID',
      `${where}: expected a JSON object { asOf, entries }, found ${typeOf(value)}`,
    );
  }
  if (!isIsoDate(value.asOf))
    problems.push(`asOf: expected an ISO date YYYY-MM-DD, found ${show(value.asOf)}`);
  if (!Array.isArray(value.entries))
    problems.push(`entries: expected an array, found ${typeOf(value.entries)}`);
  const entries: ListedEntry[] = [];
  if (Array.isArray(value.entries)) {
    value.entries.forEach((raw: unknown, i) => {
      const at = `entries[${i}]`;
      if (!isRecord(raw)) {
        problems.push(`${at}: expected an object, found ${typeOf(raw)}`);
        return;
      }
      for (const field of ['country', 'name', 'licenseRequirement', 'licenseReviewPolicy'] as const) {
        if (typeof raw[field] !== 'string')
          problems.push(`${at}.${field}: expected a string, found ${typeOf(raw[field])}`);
      }
      for (const field of ['aliases', 'addresses', 'federalRegisterCitations'] as const) {
        if (!isStringList(raw[field])) problems.push(`${at}.${field}: expected an array of strings`);
      }
      if (raw.footnotes !== undefined && !isStringList(raw.footnotes)) {
        problems.push(`${at}.footnotes: expected an array of strings when present`);
      }
      if (problems.length === 0) entries.push(canonicalEntry(raw.country as string, raw as unknown as Entry));
    });
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).join('; ');
    const more = problems.length > 20 ? ` (and ${problems.length - 20} more)` : '';
    throw new AppError('SNAPSHOT_INVALID', `${where}: not a snapshot of the Entity List: ${shown}${more}`, {
      context: { where, problems: problems.length },
    });
  }
  return { asOf: value.asOf as string, entries };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}
