import { BIS_AGENCY_SLUG, type FrDocumentTypeCode } from './types.js';

/** A `documents.json` search, as plain data. Turned into a query string by `searchQueryString`. */
export interface DocumentSearch {
  agencies?: string[];
  types?: FrDocumentTypeCode[];
  cfr?: { title: number; part?: number };
  publicationDate?: { gte?: string; lte?: string; is?: string; year?: number };
  term?: string;
  fields?: string[];
  /** The API allows up to 1000. */
  perPage?: number;
  page?: number;
  order?: 'newest' | 'oldest' | 'relevance';
}

export const FR_MAX_PER_PAGE = 1000;

/**
 * Fields asked of every Entity List candidate: enough to decide whether to fetch the XML, to
 * build the `rule.published` event and to link a public inspection copy, without the heavy ones
 * (`dockets`, `page_views`, `regulations_dot_gov_info`).
 */
export const ENTITY_LIST_FIELDS: readonly string[] = Object.freeze([
  'document_number',
  'publication_date',
  'type',
  'subtype',
  'title',
  'action',
  'abstract',
  'dates',
  'agencies',
  'cfr_references',
  'citation',
  'volume',
  'start_page',
  'end_page',
  'effective_on',
  'signing_date',
  'correction_of',
  'corrections',
  'docket_ids',
  'regulation_id_numbers',
  'full_text_xml_url',
  'html_url',
  'json_url',
  'pdf_url',
  'public_inspection_pdf_url',
  'raw_text_url',
]);

/**
 * The Entity List candidate search: BIS rules under 15 CFR part 744 published on or after `since`.
 * Corrections to rules are published in the Rules category (type "Rule", with `correction_of`),
 * so `RULE` finds them; more type codes can be added by the caller.
 */
export function entityListSearch(
  since: string,
  options: { until?: string; types?: FrDocumentTypeCode[]; perPage?: number } = {},
): DocumentSearch {
  const publicationDate: DocumentSearch['publicationDate'] = { gte: since };
  if (options.until) publicationDate.lte = options.until;
  return {
    agencies: [BIS_AGENCY_SLUG],
    types: options.types ?? ['RULE'],
    cfr: { title: 15, part: 744 },
    publicationDate,
    fields: [...ENTITY_LIST_FIELDS],
    perPage: Math.min(FR_MAX_PER_PAGE, options.perPage ?? FR_MAX_PER_PAGE),
    order: 'oldest',
  };
}

/** Query string in the API's bracket syntax (`conditions[agencies][]=…`), percent-encoded. */
export function searchQueryString(search: DocumentSearch): string {
  const q = new URLSearchParams();
  for (const a of search.agencies ?? []) q.append('conditions[agencies][]', a);
  for (const t of search.types ?? []) q.append('conditions[type][]', t);
  if (search.cfr) {
    q.append('conditions[cfr][title]', String(search.cfr.title));
    if (search.cfr.part !== undefined) q.append('conditions[cfr][part]', String(search.cfr.part));
  }
  const pd = search.publicationDate;
  if (pd?.gte) q.append('conditions[publication_date][gte]', pd.gte);
  if (pd?.lte) q.append('conditions[publication_date][lte]', pd.lte);
  if (pd?.is) q.append('conditions[publication_date][is]', pd.is);
  if (pd?.year !== undefined) q.append('conditions[publication_date][year]', String(pd.year));
  if (search.term) q.append('conditions[term]', search.term);
  for (const f of search.fields ?? []) q.append('fields[]', f);
  if (search.perPage !== undefined) q.append('per_page', String(search.perPage));
  if (search.page !== undefined) q.append('page', String(search.page));
  if (search.order) q.append('order', search.order);
  return q.toString();
}

/** Resolves a URL the API gave us (possibly relative: `/documents/full_text/xml/…`) against the API origin. */
export function resolveApiUrl(url: string, apiBase: string): string {
  return new URL(url, apiBase).toString();
}

/** `https://host/api/v1` + `documents.json` → `https://host/api/v1/documents.json`. */
export function apiEndpoint(apiBase: string, path: string, query?: string): string {
  const base = apiBase.endsWith('/') ? apiBase : `${apiBase}/`;
  const url = new URL(path.replace(/^\//, ''), base).toString();
  return query ? `${url}?${query}` : url;
}
