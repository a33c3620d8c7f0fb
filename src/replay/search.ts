import { AppError } from '../errors.js';
import { isIsoDate } from '../federal-register/dates.js';
import type { FrDocument } from '../federal-register/types.js';
import type { CorpusDocument } from './corpus.js';

/**
 * `documents.json` over a corpus: the conditions fedreg-watch (and the acceptance checks) use,
 * `fields[]`, `per_page`, `page`, `order`, answered in the real API's shape. Pure: the caller
 * passes the documents visible at the server's clock.
 */

/** Fields of a search result when no `fields[]` is given (the API's default set). */
export const DEFAULT_SEARCH_FIELDS = [
  'abstract',
  'agencies',
  'document_number',
  'excerpts',
  'html_url',
  'pdf_url',
  'public_inspection_pdf_url',
  'publication_date',
  'title',
  'type',
] as const;

const TYPE_CODES: Record<string, string> = {
  RULE: 'Rule',
  PRORULE: 'Proposed Rule',
  NOTICE: 'Notice',
  PRESDOCU: 'Presidential Document',
  CORRECT: 'Correction',
  UNKNOWN: 'Uncategorized Document',
};

export interface SearchQuery {
  agencies: string[];
  types: string[];
  cfrTitle?: string;
  cfrPart?: string;
  gte?: string;
  lte?: string;
  is?: string;
  year?: string;
  term?: string;
  documentNumbers: string[];
  fields?: string[];
  perPage: number;
  page: number;
  order: 'newest' | 'oldest' | 'relevance';
}

function all(q: URLSearchParams, ...names: string[]): string[] {
  return names
    .flatMap((n) => q.getAll(n))
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function one(q: URLSearchParams, name: string): string | undefined {
  const v = q.get(name);
  return v === null || v.trim() === '' ? undefined : v.trim();
}

function bad(message: string): AppError {
  return new AppError('INPUT_INVALID', message);
}

/** Reads the query string. Throws INPUT_INVALID (the server answers 400) on values the API would refuse. */
export function parseSearchQuery(q: URLSearchParams): SearchQuery {
  const types = all(q, 'conditions[type][]', 'conditions[type]').map((t) => t.toUpperCase());
  for (const t of types) {
    if (!TYPE_CODES[t])
      throw bad(
        `conditions[type]: unknown document type ${JSON.stringify(t)} (use ${Object.keys(TYPE_CODES).join(', ')})`,
      );
  }
  const perPageRaw = one(q, 'per_page');
  const perPage = perPageRaw === undefined ? 20 : Number(perPageRaw);
  if (!Number.isInteger(perPage) || perPage < 1)
    throw bad(`per_page must be a positive integer, got ${JSON.stringify(perPageRaw)}`);
  const pageRaw = one(q, 'page');
  const page = pageRaw === undefined ? 1 : Number(pageRaw);
  if (!Number.isInteger(page) || page < 1)
    throw bad(`page must be a positive integer, got ${JSON.stringify(pageRaw)}`);
  const orderRaw = one(q, 'order') ?? 'relevance';
  const order = orderRaw === 'oldest' || orderRaw === 'newest' ? orderRaw : 'relevance';
  const query: SearchQuery = {
    agencies: all(q, 'conditions[agencies][]', 'conditions[agencies]'),
    types,
    documentNumbers: all(q, 'conditions[document_number][]', 'conditions[document_number]'),
    perPage: Math.min(perPage, 1000),
    page,
    order,
  };
  const dates: Array<[keyof SearchQuery, string]> = [
    ['gte', 'conditions[publication_date][gte]'],
    ['lte', 'conditions[publication_date][lte]'],
    ['is', 'conditions[publication_date][is]'],
  ];
  for (const [field, name] of dates) {
    const v = one(q, name);
    if (v === undefined) continue;
    if (!isIsoDate(v)) throw bad(`${name} must be YYYY-MM-DD, got ${JSON.stringify(v)}`);
    (query as unknown as Record<string, string>)[field] = v;
  }
  const year = one(q, 'conditions[publication_date][year]');
  if (year !== undefined) query.year = year;
  const cfrTitle = one(q, 'conditions[cfr][title]');
  if (cfrTitle !== undefined) query.cfrTitle = cfrTitle;
  const cfrPart = one(q, 'conditions[cfr][part]');
  if (cfrPart !== undefined) query.cfrPart = cfrPart;
  const term = one(q, 'conditions[term]');
  if (term !== undefined) query.term = term;
  const fields = all(q, 'fields[]', 'fields');
  if (fields.length > 0) query.fields = fields;
  return query;
}

function typeName(doc: FrDocument): string {
  return String(doc.type ?? '');
}

function matchesTerm(doc: CorpusDocument, term: string, fullText: (d: CorpusDocument) => string): boolean {
  const words = term
    .toLowerCase()
    .replace(/"/g, '')
    .split(/\s+/)
    .filter((w) => w !== '');
  const r = doc.record;
  const hay = [r.title, r.abstract, r.action, r.excerpts, r.toc_subject, r.toc_doc, r.dates, fullText(doc)]
    .filter((s) => typeof s === 'string')
    .join(' ')
    .toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** The documents matching the conditions, in the requested order. */
export function filterDocuments(
  docs: readonly CorpusDocument[],
  q: SearchQuery,
  fullText: (d: CorpusDocument) => string = () => '',
): CorpusDocument[] {
  const typeNames = new Set(q.types.map((t) => TYPE_CODES[t]!.toLowerCase()));
  const numbers = new Set(q.documentNumbers);
  const out = docs.filter((d) => {
    const r = d.record;
    if (q.agencies.length > 0) {
      const slugs = (r.agencies ?? []).map((a) => a.slug);
      if (!q.agencies.some((a) => slugs.includes(a))) return false;
    }
    if (typeNames.size > 0 && !typeNames.has(typeName(r).toLowerCase())) return false;
    if (q.cfrTitle !== undefined || q.cfrPart !== undefined) {
      const refs = r.cfr_references ?? [];
      const hit = refs.some(
        (ref) =>
          (q.cfrTitle === undefined || String(ref.title) === q.cfrTitle) &&
          (q.cfrPart === undefined || String(ref.part) === q.cfrPart),
      );
      if (!hit) return false;
    }
    if (q.gte && d.publicationDate < q.gte) return false;
    if (q.lte && d.publicationDate > q.lte) return false;
    if (q.is && d.publicationDate !== q.is) return false;
    if (q.year && !d.publicationDate.startsWith(`${q.year}-`)) return false;
    if (numbers.size > 0 && !numbers.has(d.number)) return false;
    if (q.term && !matchesTerm(d, q.term, fullText)) return false;
    return true;
  });
  const dir = q.order === 'oldest' ? 1 : -1;
  return out.sort(
    (a, b) => dir * (a.publicationDate.localeCompare(b.publicationDate) || a.number.localeCompare(b.number)),
  );
}

/** A result in the API's shape: only the requested fields, URLs made absolute by `absolutize`. */
export function projectResult(
  record: FrDocument,
  fields: readonly string[] | undefined,
  absolutize: (record: Record<string, unknown>) => Record<string, unknown>,
): Record<string, unknown> {
  const full = absolutize(record);
  if (!fields) return full;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in full) out[f] = full[f];
  return out;
}

export interface SearchAnswer {
  count: number;
  description: string;
  total_pages: number;
  next_page_url?: string;
  previous_page_url?: string;
  results: Array<Record<string, unknown>>;
}

function describe(q: SearchQuery): string {
  const parts: string[] = [];
  if (q.types.length) parts.push(`of type ${q.types.map((t) => TYPE_CODES[t]).join(' or ')}`);
  if (q.agencies.length) parts.push(`from ${q.agencies.join(', ')}`);
  if (q.cfrTitle) parts.push(`affecting ${q.cfrTitle} CFR${q.cfrPart ? ` ${q.cfrPart}` : ''}`);
  if (q.gte) parts.push(`published on or after ${q.gte}`);
  if (q.lte) parts.push(`published on or before ${q.lte}`);
  if (q.is) parts.push(`published on ${q.is}`);
  if (q.term) parts.push(`matching ${JSON.stringify(q.term)}`);
  return `Documents ${parts.join(', ') || 'in the replay corpus'}`.trim();
}

/**
 * One page of answers. `pageUrl(page)` builds the absolute URL of another page of the same
 * search (the API links pages with absolute URLs).
 */
export function searchPage(
  matching: readonly CorpusDocument[],
  q: SearchQuery,
  pageUrl: (page: number) => string,
  absolutize: (record: Record<string, unknown>) => Record<string, unknown>,
): SearchAnswer {
  const count = matching.length;
  const totalPages = Math.ceil(count / q.perPage);
  const start = (q.page - 1) * q.perPage;
  const fields = q.fields ?? DEFAULT_SEARCH_FIELDS;
  const results = matching
    .slice(start, start + q.perPage)
    .map((d) => projectResult(d.record, fields, absolutize));
  const answer: SearchAnswer = { count, description: describe(q), total_pages: totalPages, results };
  if (q.page < totalPages) answer.next_page_url = pageUrl(q.page + 1);
  if (q.page > 1 && count > 0) answer.previous_page_url = pageUrl(Math.min(q.page - 1, totalPages));
  // Key order as the API prints it.
  const ordered: SearchAnswer = {
    count: answer.count,
    description: answer.description,
    total_pages: answer.total_pages,
    ...(answer.next_page_url ? { next_page_url: answer.next_page_url } : {}),
    ...(answer.previous_page_url ? { previous_page_url: answer.previous_page_url } : {}),
    results: answer.results,
  };
  return ordered;
}
