import { parse } from 'csv-parse/sync';
import { AppError } from '../errors.js';
import { entryKey, normalizeName } from '../entity-list/identity.js';
import type { ListedEntry, Snapshot } from '../entity-list/types.js';
import { resolveAddressCountry } from './countries.js';
import { collapse, pushUnique, repairCp1252 } from './text.js';

/**
 * The trade.gov Consolidated Screening List (bulk CSV and JSON) → a snapshot of its Entity List
 * rows. Pure: takes the file's text, returns the snapshot and a report of what was done.
 *
 * How CSL rows map to Entity List entries:
 *  1. Only rows whose `source` is the Entity List ("Entity List (EL) - Bureau of Industry and
 *     Security") are read; a repeated header line anywhere in the file is skipped.
 *  2. `addresses` is split on ";" (a leading "and " is dropped). Each address's destination comes
 *     from its last part: an ISO code (`RU` → RUSSIA, `AE` → UNITED ARAB EMIRATES, `CN` → CHINA,
 *     PEOPLE'S REPUBLIC OF), or a country name (`China`, `Hong Kong`, `crimea (occupied)` →
 *     UKRAINE). The code is spelled out in the address as the EL prints it (`Moscow, Russia`,
 *     `Dubai, U.A.E.`). Addresses naming no country stay with the row's first resolved destination.
 *  3. The Entity List lists an entity once under each destination it has addresses in, so a row
 *     becomes one entry per destination, each with that destination's addresses.
 *  4. Entries with the same key (destination + normalised name) are merged: addresses, aliases and
 *     citations are unioned in first-seen order (the CSL splits some entities over several rows).
 *  5. `alt_names` is split on ";"; `federal_register_notice` (the accumulated citation field) is
 *     split into citations on ";" and on "," before another "NN FR" citation.
 */

export const CSL_ENTITY_LIST_SOURCE = 'Entity List (EL) - Bureau of Industry and Security';

export interface CslRow {
  source: string;
  name: string;
  alt_names: string;
  addresses: string[];
  federal_register_notice: string;
  license_requirement: string;
  license_policy: string;
  start_date: string;
}

export interface CslWarning {
  row: number;
  name: string;
  message: string;
}

export interface CslImportReport {
  /** Data rows read (headers excluded). */
  rows: number;
  /** Repeated header lines skipped. */
  duplicateHeaders: number;
  /** CSV records that could not be read (e.g. a file cut inside a quoted field), skipped. */
  skippedRecords: number;
  /** Rows from the Entity List. */
  entityListRows: number;
  /** Entries before merging (one per row and destination). */
  listings: number;
  /** Listings folded into an earlier entry with the same key. */
  merged: number;
  /** Entries in the snapshot. */
  entries: number;
  /** Addresses whose country could not be read (kept under the row's first destination). */
  unresolvedAddresses: number;
  warnings: CslWarning[];
}

export interface CslImport {
  snapshot: Snapshot;
  report: CslImportReport;
}

export interface CslOptions {
  /** The date the file is as of (the CSL does not say); becomes `snapshot.asOf`. */
  asOf: string;
  /** Which rows to read; default the Entity List source. */
  source?: string | RegExp;
}

function isSource(value: string, want: string | RegExp): boolean {
  return typeof want === 'string' ? collapse(value) === want : want.test(value);
}

/** Parses the bulk CSV (`consolidated.csv`). */
export function parseCslCsv(text: string, options: CslOptions): CslImport {
  let records: string[][];
  const skipped: string[] = [];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      relax_column_count: true,
      skip_empty_lines: true,
      // Excerpts and interrupted downloads end inside a quoted field: keep every whole record.
      skip_records_with_error: true,
      on_skip: (err) => {
        skipped.push(err ? `${err.code}: ${err.message}` : 'unreadable record');
      },
    }) as string[][];
  } catch (err) {
    throw new AppError('SOURCE_INVALID', `CSL CSV: not readable as CSV (${(err as Error).message})`, {
      cause: err,
    });
  }
  const header = records[0];
  if (!header || !header.includes('source') || !header.includes('name')) {
    throw new AppError(
      'SOURCE_INVALID',
      `CSL CSV: the first line is not the CSL header (expected columns "source" and "name", found ${JSON.stringify(header?.slice(0, 6))})`,
    );
  }
  const col = (name: string): number => header.indexOf(name);
  const idx = {
    source: col('source'),
    name: col('name'),
    alt: col('alt_names'),
    addresses: col('addresses'),
    frn: col('federal_register_notice'),
    lr: col('license_requirement'),
    lp: col('license_policy'),
    start: col('start_date'),
  };
  const headerLine = header.join('\u0000');
  const rows: CslRow[] = [];
  let duplicateHeaders = 0;
  let dataRows = 0;
  for (const rec of records.slice(1)) {
    if (rec.join('\u0000') === headerLine) {
      duplicateHeaders++;
      continue;
    }
    dataRows++;
    const get = (i: number): string => (i >= 0 ? repairCp1252(rec[i] ?? '') : '');
    rows.push({
      source: get(idx.source),
      name: get(idx.name),
      alt_names: get(idx.alt),
      addresses: get(idx.addresses).split(';'),
      federal_register_notice: get(idx.frn),
      license_requirement: get(idx.lr),
      license_policy: get(idx.lp),
      start_date: get(idx.start),
    });
  }
  const result = buildSnapshot(rows, options, { rows: dataRows, duplicateHeaders });
  result.report.skippedRecords = skipped.length;
  for (const message of skipped)
    result.report.warnings.push({ row: -1, name: '', message: `record skipped: ${message}` });
  return result;
}

interface CslJsonAddress {
  address?: string | null;
  city?: string | null;
  state?: string | null;
  postal_code?: string | null;
  country?: string | null;
}

interface CslJsonResult {
  source?: string;
  name?: string;
  alt_names?: string[] | string | null;
  addresses?: CslJsonAddress[] | string | null;
  federal_register_notice?: string | null;
  license_requirement?: string | null;
  license_policy?: string | null;
  start_date?: string | null;
}

/**
 * Parses the bulk JSON (`consolidated.json`: `{ "results": [...] }`) or an API v2 results array.
 * Address objects become `address, city, state, postal_code, COUNTRY` strings, then go through the
 * same mapping as the CSV.
 */
export function parseCslJson(text: string, options: CslOptions): CslImport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AppError('SOURCE_INVALID', `CSL JSON: not JSON (${(err as Error).message})`, { cause: err });
  }
  const results: unknown = Array.isArray(json) ? json : (json as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) {
    throw new AppError('SOURCE_INVALID', 'CSL JSON: expected an array of results or { "results": [...] }');
  }
  const rows: CslRow[] = results.map((r: CslJsonResult) => {
    const addresses =
      typeof r.addresses === 'string'
        ? r.addresses.split(';')
        : (r.addresses ?? []).map((a) =>
            [a.address, a.city, a.state, a.postal_code, a.country]
              .map((p) => collapse(repairCp1252(p ?? '')))
              .filter((p) => p !== '')
              .join(', '),
          );
    return {
      source: r.source ?? '',
      name: repairCp1252(r.name ?? ''),
      alt_names: Array.isArray(r.alt_names) ? r.alt_names.join(';') : (r.alt_names ?? ''),
      addresses,
      federal_register_notice: r.federal_register_notice ?? '',
      license_requirement: r.license_requirement ?? '',
      license_policy: r.license_policy ?? '',
      start_date: r.start_date ?? '',
    };
  });
  return buildSnapshot(rows, options, { rows: rows.length, duplicateHeaders: 0 });
}

function splitList(value: string): string[] {
  return value
    .split(';')
    .map((s) => collapse(s).replace(/^and\s+/i, ''))
    .filter((s) => s !== '');
}

function buildSnapshot(
  rows: CslRow[],
  options: CslOptions,
  counts: { rows: number; duplicateHeaders: number },
): CslImport {
  const want = options.source ?? CSL_ENTITY_LIST_SOURCE;
  const warnings: CslWarning[] = [];
  const byKey = new Map<string, ListedEntry>();
  let entityListRows = 0;
  let listings = 0;
  let merged = 0;
  let unresolved = 0;

  rows.forEach((row, i) => {
    if (!isSource(row.source, want)) return;
    entityListRows++;
    const name = collapse(row.name);
    if (!name) {
      warnings.push({ row: i + 1, name, message: 'Entity List row without a name; skipped' });
      return;
    }
    const aliases = splitList(row.alt_names);
    const citations = splitCslCitations(row.federal_register_notice);

    // Group the row's addresses by destination, in order of first appearance.
    const groups = new Map<string, string[]>();
    const pending: string[] = [];
    for (const raw of row.addresses) {
      const address = collapse(raw).replace(/^and\s+/i, '');
      if (!address) continue;
      const resolved = resolveAddressCountry(address);
      if (!resolved) {
        pending.push(address);
        continue;
      }
      const list = groups.get(resolved.destination) ?? [];
      pushUnique(list, [resolved.address]);
      groups.set(resolved.destination, list);
    }
    if (pending.length > 0) {
      unresolved += pending.length;
      const first = groups.keys().next().value;
      if (first === undefined) {
        warnings.push({
          row: i + 1,
          name,
          message: `no address names a country (${JSON.stringify(pending[0])}); listed under an empty destination`,
        });
        groups.set('', [...pending]);
      } else {
        warnings.push({
          row: i + 1,
          name,
          message: `${pending.length} address(es) name no country; kept under ${first}: ${JSON.stringify(pending)}`,
        });
        pushUnique(groups.get(first)!, pending);
      }
    }
    if (groups.size === 0) {
      warnings.push({
        row: i + 1,
        name,
        message: 'Entity List row without addresses; listed under an empty destination',
      });
      groups.set('', []);
    }

    for (const [country, addresses] of groups) {
      listings++;
      const key = entryKey(country, name);
      const existing = byKey.get(key);
      if (existing) {
        merged++;
        pushUnique(existing.addresses, addresses);
        pushUnique(existing.aliases, aliases);
        pushUnique(existing.federalRegisterCitations, citations);
        const lr = collapse(row.license_requirement);
        if (lr && existing.licenseRequirement && lr !== existing.licenseRequirement) {
          warnings.push({
            row: i + 1,
            name,
            message: `license requirement differs from an earlier row of ${country} / ${name}; kept the first`,
          });
        }
        continue;
      }
      byKey.set(key, {
        country,
        name,
        aliases: [...aliases],
        addresses: [...addresses],
        licenseRequirement: collapse(row.license_requirement),
        licenseReviewPolicy: collapse(row.license_policy),
        federalRegisterCitations: [...citations],
      });
    }
  });

  const entries = [...byKey.values()].sort(
    (a, b) => a.country.localeCompare(b.country) || a.name.localeCompare(b.name),
  );
  return {
    snapshot: { asOf: options.asOf, entries },
    report: {
      rows: counts.rows,
      duplicateHeaders: counts.duplicateHeaders,
      skippedRecords: 0,
      entityListRows,
      listings,
      merged,
      entries: entries.length,
      unresolvedAddresses: unresolved,
      warnings,
    },
  };
}

/**
 * Splits the CSL's accumulated citation field into citations. The CSL joins them with ";" and
 * sometimes ","; copied EL text joins them with ". ". A comma followed by a date
 * (`84 FR 54002, 10/9/19`) stays inside its citation, and so does what the CSL adds in
 * parentheses, which the table's `splitCitations` (entity-list/table.ts) would drop.
 *   `66 FR 24266 , 77 FR 58006 (no. 182); 84 FR 40241` → three citations.
 */
export function splitCslCitations(field: string): string[] {
  const out: string[] = [];
  const text = collapse(field);
  if (!text) return out;
  for (const piece of text.split(/;|\.\s+(?=\d+\s*F\.?\s*R\.?\s)/)) {
    for (const part of piece.split(/,(?=\s*\d+\s*F\.?\s*R\.?\s)/)) {
      const c = collapse(part)
        .replace(/^and\s+/i, '')
        .replace(/\.$/, '')
        .trim();
      if (c) out.push(c);
    }
  }
  return out;
}

/**
 * Destinations an address's country is listed under on the Entity List: Hong Kong and Macau under
 * China (since BIS stopped treating Hong Kong as a destination of its own in 2020), Crimea's
 * addresses say Ukraine, and the British overseas territories come under the United Kingdom.
 */
const LISTED_UNDER: Record<string, readonly string[]> = {
  'HONG KONG': ["CHINA, PEOPLE'S REPUBLIC OF"],
  MACAU: ["CHINA, PEOPLE'S REPUBLIC OF"],
  UKRAINE: ['CRIMEA REGION OF UKRAINE'],
  'BRITISH VIRGIN ISLANDS': ['UNITED KINGDOM'],
};

export interface Rehoming {
  /** The CSL snapshot with its entries under the reference's destinations where it names them. */
  snapshot: Snapshot;
  /** Each entry moved: the name, the destination its addresses gave, the one the reference lists. */
  moved: Array<{ name: string; from: string; to: string }>;
}

/**
 * Puts CSL entries under the destinations a reference list (the derived state) gives them, where
 * the CSL's addresses alone cannot tell. The CSL has no destination field: its addresses name
 * countries, and the Entity List's destinations are not always those countries. Since 2020 an
 * entity with a Hong Kong address is listed under China; Crimea is a destination of its
 * own while its addresses say Ukraine; British Virgin Islands companies are listed under the
 * United Kingdom; an address naming no country gives no destination at all. On the real list of
 * 2026-07-23 these are some 350 of 3,411 entries: compared by key, each would be drift.
 *
 * A CSL entry whose key the reference does not hold, under a name the reference lists, goes under
 * the destination its country is listed under (`LISTED_UNDER`) when the reference lists the name
 * there, joining the CSL's entry of that key if it has one (a row with a Chinese and a Hong Kong
 * address is one entry under China); otherwise under a destination the reference lists the name
 * under and no CSL entry takes (several are paired in order), or, failing that, the one
 * destination the reference lists the name under. Words are kept, so a real
 * change of fields still shows. Pure.
 */
export function rehomeCslEntries(csl: Snapshot, reference: Snapshot): Rehoming {
  const keyed = csl.entries.map((entry) => ({
    entry,
    key: entryKey(entry.country, entry.name),
    name: normalizeName(entry.name),
  }));
  const cslKeys = new Set(keyed.map((k) => k.key));
  const referenceKeys = new Set<string>();
  // Per normalised name: every reference destination, and those no CSL entry of the name is under.
  const listed = new Map<string, string[]>();
  const open = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, name: string, destination: string): void => {
    const list = map.get(name);
    if (list) list.push(destination);
    else map.set(name, [destination]);
  };
  for (const e of reference.entries) {
    const key = entryKey(e.country, e.name);
    const name = normalizeName(e.name);
    referenceKeys.add(key);
    add(listed, name, e.country);
    if (!cslKeys.has(key)) add(open, name, e.country);
  }
  const destinationFor = (country: string, name: string): string | undefined => {
    const free = open.get(name) ?? [];
    const all = listed.get(name) ?? [];
    const within = LISTED_UNDER[country] ?? [];
    const take = (d: string): string => (free.splice(free.indexOf(d), 1), d);
    const preferred = within.find((d) => free.includes(d));
    if (preferred !== undefined) return take(preferred);
    // An address in a territory of a destination the CSL already has an entry under: the same entry.
    const joined = within.find((d) => all.includes(d));
    if (joined !== undefined) return joined;
    if (free.length > 0) return take(free[0]!);
    return all.length === 1 ? all[0] : undefined;
  };
  const out = new Map<string, ListedEntry>();
  const put = (entry: ListedEntry, key: string): void => {
    const existing = out.get(key);
    if (!existing) {
      out.set(key, {
        ...entry,
        aliases: [...entry.aliases],
        addresses: [...entry.addresses],
        federalRegisterCitations: [...entry.federalRegisterCitations],
      });
      return;
    }
    pushUnique(existing.addresses, entry.addresses);
    pushUnique(existing.aliases, entry.aliases);
    pushUnique(existing.federalRegisterCitations, entry.federalRegisterCitations);
  };
  // Entries the reference already holds first, so that what joins them joins in the file's order.
  for (const k of keyed) if (referenceKeys.has(k.key)) put(k.entry, k.key);
  const moved: Rehoming['moved'] = [];
  for (const k of keyed) {
    if (referenceKeys.has(k.key)) continue;
    const to = destinationFor(k.entry.country, k.name);
    if (to === undefined) {
      put(k.entry, k.key);
      continue;
    }
    moved.push({ name: k.entry.name, from: k.entry.country, to });
    put({ ...k.entry, country: to }, entryKey(to, k.entry.name));
  }
  const entries = [...out.values()].sort(
    (a, b) => a.country.localeCompare(b.country) || a.name.localeCompare(b.name),
  );
  return { snapshot: { ...csl, entries }, moved };
}

/**
 * The derived state and a CSL list made comparable: the CSL carries no footnotes and no "see
 * alternate address" cross-references, so the state is compared without them, and the CSL's
 * entries go under the state's destinations (`rehomeCslEntries`). Pure.
 */
export function comparableWithCsl(state: Snapshot, csl: Snapshot): Rehoming & { reference: Snapshot } {
  const reference: Snapshot = {
    ...state,
    entries: state.entries.map(({ footnotes: _f, seeAlso: _s, ...rest }) => rest),
  };
  return { reference, ...rehomeCslEntries(csl, reference) };
}
