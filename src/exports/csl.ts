/**
 * The list as trade.gov's Consolidated Screening List prints Entity List rows, for the screening
 * tools that already read the CSL (moov-io/watchman and most commercial ones). Pure: entries in,
 * rows out; writing them as CSV or JSON is `stream.ts`'s.
 */
import { createHash } from 'node:crypto';
import { keyOf } from '../entity-list/snapshot.js';
import type { ListedEntry } from '../entity-list/types.js';
import { CSL_ENTITY_LIST_SOURCE } from '../sources/csl.js';
import { codeForName, resolveAddressCountry } from '../sources/countries.js';
import { isoCode } from './countries.js';
import { parseCitation } from './dates.js';

/** The CSL's columns, in its order: the first line of trade.gov's consolidated.csv. */
export const CSL_HEADER = [
  '_id',
  'source',
  'entity_number',
  'type',
  'programs',
  'name',
  'title',
  'addresses',
  'federal_register_notice',
  'start_date',
  'end_date',
  'standard_order',
  'license_requirement',
  'license_policy',
  'call_sign',
  'vessel_type',
  'gross_tonnage',
  'gross_registered_tonnage',
  'vessel_flag',
  'vessel_owner',
  'remarks',
  'source_list_url',
  'alt_names',
  'citizenships',
  'dates_of_birth',
  'nationalities',
  'places_of_birth',
  'source_information_url',
  'ids',
] as const;

export type CslColumn = (typeof CSL_HEADER)[number];
export type CslCsvRow = Record<CslColumn, string>;

/** Where the CSL points for the Entity List (both its URL columns carry it). */
export const ENTITY_LIST_URL =
  'https://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern/entity-list';

/** The CSL API's JSON row: the CSV's columns, with lists as lists. */
export interface CslJsonRow {
  id: string;
  source: string;
  name: string;
  title: null;
  standard_order: null;
  alt_names: string[];
  addresses: CslJsonAddress[];
  federal_register_notice: string;
  start_date: string | null;
  license_requirement: string;
  license_policy: string;
  remarks: string | null;
  source_list_url: string;
  source_information_url: string;
  /** Not a CSL field: the destination the Entity List lists the entry under. */
  country: string;
}

/** The CSL API's address object; Entity List addresses are free text, so all of it is `address`. */
export interface CslJsonAddress {
  address: string;
  city: null;
  state: null;
  postal_code: null;
  country: string | null;
}

/** Dates a caller knows better than the citations print, by citation (`84 FR 54002`). */
export type EffectiveDates = ReadonlyMap<string, string>;

/**
 * The row's `_id`: SHA-224 of the entry's stable key, 56 hex digits as the CSL's own ids are.
 * The key (destination and normalised name) survives revisions of every other field.
 */
export function cslId(entry: Pick<ListedEntry, 'country' | 'name'>, occurrence = 1): string {
  const key = keyOf(entry);
  // A name listed twice under one destination: the later listings get ids of their own.
  return createHash('sha224')
    .update(`us-bis-entity-list|${occurrence > 1 ? `${key}|${occurrence}` : key}`)
    .digest('hex');
}

/**
 * `start_date`: the effective date of the entry's first citation where the caller knows it (the
 * service knows it for every rule it applied), else the date the citation prints, which is the
 * rule's publication date and, for Entity List additions, almost always its effective date too.
 */
export function startDate(entry: ListedEntry, effective?: EffectiveDates): string {
  const first = entry.federalRegisterCitations[0];
  const citation = first === undefined ? undefined : parseCitation(first);
  if (!citation) return '';
  return effective?.get(citation.reference) ?? citation.date ?? '';
}

/**
 * The CSL joins list items with "; ", so an item may not hold one: a ";" inside a value (the
 * eCFR prints some) becomes ",", keeping the item count that readers split on.
 */
function listItem(value: string): string {
  return value.replace(/\s*;\s*/g, ', ').trim();
}

/**
 * Addresses as the Entity List prints them. An entry without addresses gets its destination's ISO
 * code alone, as the CSL does (`AF`), so readers still see its country.
 */
export function cslAddresses(entry: ListedEntry): string[] {
  const addresses = entry.addresses.map(listItem).filter((a) => a !== '');
  if (addresses.length > 0) return addresses;
  const code = isoCode(entry.country);
  return code ? [code] : [];
}

/** `remarks`: the row's cross-references, as the CSL carries them ("See alternate address under …"). */
function remarks(entry: ListedEntry): string {
  const seeAlso = entry.seeAlso ?? [];
  if (seeAlso.length === 0) return '';
  return `(See alternate address${seeAlso.length > 1 ? 'es' : ''} under ${seeAlso.join(' and ')})`;
}

export function cslCsvRow(entry: ListedEntry, effective?: EffectiveDates, occurrence = 1): CslCsvRow {
  return {
    _id: cslId(entry, occurrence),
    source: CSL_ENTITY_LIST_SOURCE,
    entity_number: '',
    type: '',
    programs: '',
    name: entry.name,
    title: '',
    addresses: cslAddresses(entry).join('; '),
    federal_register_notice: entry.federalRegisterCitations.map(listItem).join('; '),
    start_date: startDate(entry, effective),
    end_date: '',
    standard_order: '',
    license_requirement: entry.licenseRequirement,
    license_policy: entry.licenseReviewPolicy,
    call_sign: '',
    vessel_type: '',
    gross_tonnage: '',
    gross_registered_tonnage: '',
    vessel_flag: '',
    vessel_owner: '',
    remarks: remarks(entry),
    source_list_url: ENTITY_LIST_URL,
    alt_names: entry.aliases.map(listItem).join('; '),
    citizenships: '',
    dates_of_birth: '',
    nationalities: '',
    places_of_birth: '',
    source_information_url: ENTITY_LIST_URL,
    ids: '',
  };
}

export function cslJsonRow(entry: ListedEntry, effective?: EffectiveDates, occurrence = 1): CslJsonRow {
  const code = isoCode(entry.country) ?? null;
  return {
    id: cslId(entry, occurrence),
    source: CSL_ENTITY_LIST_SOURCE,
    name: entry.name,
    title: null,
    standard_order: null,
    alt_names: entry.aliases.map(listItem),
    addresses: entry.addresses.map((address) => jsonAddress(listItem(address), code)),
    federal_register_notice: entry.federalRegisterCitations.map(listItem).join('; '),
    start_date: startDate(entry, effective) || null,
    license_requirement: entry.licenseRequirement,
    license_policy: entry.licenseReviewPolicy,
    remarks: remarks(entry) || null,
    source_list_url: ENTITY_LIST_URL,
    source_information_url: ENTITY_LIST_URL,
    country: entry.country,
  };
}

/**
 * The CSL API's address object. As trade.gov does, a trailing country name becomes the `country`
 * code (`Hangzhou, Zhejiang, China` → `Hangzhou, Zhejiang` + `CN`); an address that names no
 * country carries the entry's destination's code.
 */
function jsonAddress(address: string, destinationCode: string | null): CslJsonAddress {
  const parts = address.split(',');
  const last = parts[parts.length - 1]?.trim() ?? '';
  const named = parts.length > 1 ? codeForName(last) : undefined;
  if (named) {
    return {
      address: parts.slice(0, -1).join(',').trim(),
      city: null,
      state: null,
      postal_code: null,
      country: named,
    };
  }
  return {
    address,
    city: null,
    state: null,
    postal_code: null,
    country: resolveAddressCountry(address)?.code ?? destinationCode,
  };
}
