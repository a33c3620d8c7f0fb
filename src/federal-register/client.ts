import { AppError } from '../errors.js';
import type { Clock } from '../http-client/clock.js';
import { HttpFetcher, type HttpFetcherOptions } from '../http-client/http.js';
import { allOf, RateBudget, type RateLimiter } from '../http-client/rate-budget.js';
import {
  apiEndpoint,
  entityListSearch,
  resolveApiUrl,
  searchQueryString,
  type DocumentSearch,
} from './search-query.js';
import type {
  FrDocument,
  FrDocumentTypeCode,
  FrPublicInspectionDocument,
  FrPublicInspectionPage,
  FrSearchPage,
} from './types.js';

export const DEFAULT_FR_API_BASE = 'https://www.federalregister.gov/api/v1';

/**
 * The limits the Federal Register's maintainers state: 5 requests/s to the API, 1/s for XML. The
 * defaults of the client's budgets and of the service's (FR_API_REQUESTS_PER_SECOND and
 * FR_XML_REQUESTS_PER_SECOND in the configuration).
 */
export const FR_API_REQUESTS_PER_SECOND = 5;
export const FR_XML_REQUESTS_PER_SECOND = 1;

export interface FederalRegisterClientOptions {
  /** Default `https://www.federalregister.gov/api/v1`; the replay server's `/api/v1` in tests. */
  baseUrl?: string;
  /** A shared fetcher; otherwise one is built from `http`. */
  fetcher?: HttpFetcher;
  http?: HttpFetcherOptions;
  /** Budgets may be shared between clients of the same process. */
  apiBudget?: RateBudget;
  xmlBudget?: RateBudget;
  /**
   * Limiters shared with other processes (see RedisRateBudgets): `api` for API requests, `xml` for
   * full-text downloads (which must also count against the API budget). They replace the
   * in-process budgets.
   */
  limiters?: { api: RateLimiter; xml: RateLimiter };
  /** Limits of the default budgets, per second (default the Federal Register's: 5 and 1). */
  apiRequestsPerSecond?: number;
  xmlRequestsPerSecond?: number;
  /** Clock for the default budgets. */
  clock?: Clock;
  /** Jitter allowance added to each one-second window of the default budgets (default 100 ms). */
  budgetMarginMs?: number;
  /** Results per search page (the API allows up to 1000). */
  perPage?: number;
  /** Give up paging after this many pages (a loop guard, not a limit one expects to hit). */
  maxPages?: number;
}

export interface RequestContext {
  /** The job's signal. Required: every request of a job must stop when the job stops. */
  signal: AbortSignal;
}

export interface SearchResult {
  count: number;
  documents: FrDocument[];
  pages: number;
  /** Pages the server answered with 304 (served from the conditional store). */
  notModifiedPages: number;
}

/**
 * Client for the Federal Register API: document search, single documents, full-text XML and
 * public inspection. Every request takes the rate budget, retries what is retryable and throws
 * AppError codes (FR_*) otherwise.
 */
export class FederalRegisterClient {
  readonly baseUrl: string;
  readonly apiBudget: RateBudget;
  readonly xmlBudget: RateBudget;
  /** What API requests and XML downloads take: the in-process budgets, or shared ones. */
  private readonly apiLimiter: RateLimiter;
  private readonly xmlLimiter: RateLimiter;
  private readonly fetcher: HttpFetcher;
  private readonly ownsFetcher: boolean;
  private readonly perPage: number;
  private readonly maxPages: number;

  constructor(options: FederalRegisterClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_FR_API_BASE).replace(/\/+$/, '');
    const margin = options.budgetMarginMs ?? 100;
    const budgetClock = options.clock ?? options.http?.clock;
    const common = budgetClock ? { clock: budgetClock, marginMs: margin } : { marginMs: margin };
    this.apiBudget =
      options.apiBudget ??
      new RateBudget({
        ...common,
        limit: options.apiRequestsPerSecond ?? FR_API_REQUESTS_PER_SECOND,
        windowMs: 1000,
        name: 'fr-api',
      });
    this.xmlBudget =
      options.xmlBudget ??
      new RateBudget({
        ...common,
        limit: options.xmlRequestsPerSecond ?? FR_XML_REQUESTS_PER_SECOND,
        windowMs: 1000,
        name: 'fr-xml',
      });
    this.apiLimiter = options.limiters?.api ?? this.apiBudget;
    this.xmlLimiter = options.limiters?.xml ?? allOf(this.xmlBudget, this.apiBudget);
    this.fetcher = options.fetcher ?? new HttpFetcher(options.http);
    this.ownsFetcher = options.fetcher === undefined;
    this.perPage = options.perPage ?? 1000;
    this.maxPages = options.maxPages ?? 1000;
  }

  /** Pages of a search, following `next_page_url` (relative or absolute) until there is none. */
  async *searchPages(
    search: DocumentSearch,
    ctx: RequestContext,
  ): AsyncGenerator<FrSearchPage & { notModified: boolean }> {
    let url: string | undefined = apiEndpoint(this.baseUrl, 'documents.json', searchQueryString(search));
    const seen = new Set<string>();
    let page = 0;
    while (url) {
      if (seen.has(url)) {
        throw new AppError(
          'FR_BAD_BODY',
          `FR search: next_page_url repeats ${url}; the server is paging in a loop`,
          {
            context: { url },
          },
        );
      }
      if (++page > this.maxPages) {
        throw new AppError('FR_BAD_BODY', `FR search: more than ${this.maxPages} pages; narrow the query`, {
          context: { url },
        });
      }
      seen.add(url);
      const res = await this.fetcher.get(url, {
        signal: ctx.signal,
        budget: this.apiLimiter,
        accept: 'application/json',
        conditional: true,
        label: `FR search page ${page}`,
      });
      const body = parseSearchPage(res.body, url, `FR search page ${page}`);
      yield { ...body, notModified: res.notModified };
      url = body.next_page_url ? resolveApiUrl(body.next_page_url, res.url) : undefined;
    }
  }

  /** All results of a search. */
  async search(search: DocumentSearch, ctx: RequestContext): Promise<SearchResult> {
    const documents: FrDocument[] = [];
    let count = 0;
    let pages = 0;
    let notModifiedPages = 0;
    for await (const page of this.searchPages(search, ctx)) {
      if (pages === 0) count = page.count;
      pages++;
      if (page.notModified) notModifiedPages++;
      documents.push(...page.results);
    }
    return { count, documents, pages, notModifiedPages };
  }

  /**
   * Entity List candidates published on or after `since` (inclusive): BIS rules (and rule
   * corrections) under 15 CFR part 744, oldest first, every page.
   */
  async entityListCandidates(
    options: RequestContext & { since: string; until?: string; types?: FrDocumentTypeCode[] },
  ): Promise<SearchResult> {
    const search = entityListSearch(options.since, {
      ...(options.until ? { until: options.until } : {}),
      ...(options.types ? { types: options.types } : {}),
      perPage: this.perPage,
    });
    return this.search(search, options);
  }

  /** One document's JSON (all fields unless `fields` is given). */
  async getDocument(
    documentNumber: string,
    ctx: RequestContext & { fields?: string[] },
  ): Promise<FrDocument> {
    const q = new URLSearchParams();
    for (const f of ctx.fields ?? []) q.append('fields[]', f);
    const url = apiEndpoint(
      this.baseUrl,
      `documents/${encodeURIComponent(documentNumber)}.json`,
      q.toString(),
    );
    const label = `FR doc ${documentNumber}`;
    const res = await this.fetcher.get(url, {
      signal: ctx.signal,
      budget: this.apiLimiter,
      accept: 'application/json',
      conditional: true,
      label,
    });
    const doc = parseJson(res.body, url, label);
    if (!isDocument(doc)) {
      throw new AppError(
        'FR_BAD_BODY',
        `${label}: ${url} is not a document (no document_number/publication_date)`,
        {
          context: { url },
        },
      );
    }
    return doc;
  }

  /**
   * The full-text XML of a document, as served (one `<RULE>` …). Takes the document (its
   * `full_text_xml_url`) or the URL itself; relative URLs resolve against the API origin.
   */
  async getFullTextXml(source: FrDocument | string, ctx: RequestContext): Promise<string> {
    const bytes = await this.getFullTextXmlBytes(source, ctx);
    return bytes.toString('utf8');
  }

  async getFullTextXmlBytes(source: FrDocument | string, ctx: RequestContext): Promise<Buffer> {
    const rel = typeof source === 'string' ? source : source.full_text_xml_url;
    const label = typeof source === 'string' ? `FR XML ${source}` : `FR doc ${source.document_number} XML`;
    if (!rel) {
      throw new AppError(
        'FR_BAD_BODY',
        `${label}: the document has no full_text_xml_url (not yet available as XML?)`,
        {
          context: typeof source === 'string' ? { url: source } : { documentNumber: source.document_number },
        },
      );
    }
    const url = resolveApiUrl(rel, this.baseUrl);
    const res = await this.fetcher.get(url, {
      signal: ctx.signal,
      budget: this.xmlLimiter,
      accept: 'application/xml, text/xml;q=0.9',
      conditional: false,
      label,
    });
    const head = res.body
      .subarray(0, 512)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
    if (!head.startsWith('<')) {
      throw new AppError(
        'FR_BAD_BODY',
        `${label}: ${url} did not answer XML (starts with ${JSON.stringify(head.slice(0, 40))})`,
        {
          context: { url },
        },
      );
    }
    return res.body;
  }

  /**
   * The plain text of a public-inspection copy (`raw_text_url`), for its provisional changes. It
   * is a full-text download, so it takes from the download budget (1/s) like the XML.
   */
  async getPublicInspectionText(url: string, ctx: RequestContext): Promise<string> {
    const res = await this.fetcher.get(resolveApiUrl(url, this.baseUrl), {
      signal: ctx.signal,
      budget: this.xmlLimiter,
      accept: 'text/plain',
      conditional: false,
      label: `public inspection text ${url}`,
    });
    return res.body.toString('utf8');
  }

  /** Documents on public inspection now (`public-inspection-documents/current.json`). */
  async publicInspectionCurrent(ctx: RequestContext): Promise<FrPublicInspectionDocument[]> {
    return this.publicInspection(
      apiEndpoint(this.baseUrl, 'public-inspection-documents/current.json'),
      ctx,
      'FR public inspection (current)',
    );
  }

  /** Documents that were on public inspection on `date` (YYYY-MM-DD). */
  async publicInspectionOn(date: string, ctx: RequestContext): Promise<FrPublicInspectionDocument[]> {
    const q = new URLSearchParams();
    q.append('conditions[available_on]', date);
    q.append('per_page', String(this.perPage));
    return this.publicInspection(
      apiEndpoint(this.baseUrl, 'public-inspection-documents.json', q.toString()),
      ctx,
      `FR public inspection on ${date}`,
    );
  }

  private async publicInspection(
    first: string,
    ctx: RequestContext,
    label: string,
  ): Promise<FrPublicInspectionDocument[]> {
    const out: FrPublicInspectionDocument[] = [];
    const seen = new Set<string>();
    let url: string | undefined = first;
    while (url && !seen.has(url) && seen.size < this.maxPages) {
      seen.add(url);
      const res = await this.fetcher.get(url, {
        signal: ctx.signal,
        budget: this.apiLimiter,
        accept: 'application/json',
        conditional: true,
        label,
      });
      const body = parseJson(res.body, url, label);
      if (!isRecord(body) || (body.results !== undefined && !Array.isArray(body.results))) {
        throw new AppError(
          'FR_BAD_BODY',
          `${label}: ${url} is not a public inspection listing (no results[])`,
          {
            context: { url },
          },
        );
      }
      const page = body as unknown as FrPublicInspectionPage;
      for (const r of page.results ?? []) {
        if (!isRecord(r) || typeof r.document_number !== 'string') {
          throw new AppError('FR_BAD_BODY', `${label}: a result has no document_number`, {
            context: { url },
          });
        }
        out.push(r);
      }
      url = page.next_page_url ? resolveApiUrl(page.next_page_url, res.url) : undefined;
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.ownsFetcher) await this.fetcher.close();
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isDocument(v: unknown): v is FrDocument {
  return isRecord(v) && typeof v.document_number === 'string' && typeof v.publication_date === 'string';
}

function parseJson(body: Buffer, url: string, label: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new AppError(
      'FR_BAD_BODY',
      `${label}: ${url} answered ${body.length} bytes that are not JSON (${(err as Error).message}); ` +
        'a truncated or HTML error page is the usual cause',
      { cause: err, context: { url, bytes: body.length, start: body.subarray(0, 80).toString('utf8') } },
    );
  }
}

/** Validates one `documents.json` page. Exported for tests. */
export function parseSearchPage(body: Buffer, url: string, label: string): FrSearchPage {
  const json = parseJson(body, url, label);
  if (!isRecord(json) || typeof json.count !== 'number') {
    throw new AppError('FR_BAD_BODY', `${label}: ${url} is not a search page (no numeric count)`, {
      context: { url },
    });
  }
  // The API leaves `results` out when there are none.
  const results = json.results ?? [];
  if (!Array.isArray(results)) {
    throw new AppError('FR_BAD_BODY', `${label}: results is not an array`, { context: { url } });
  }
  for (const [i, r] of results.entries()) {
    if (!isRecord(r) || typeof r.document_number !== 'string') {
      throw new AppError(
        'FR_BAD_BODY',
        `${label}: result ${i} has no document_number; ask for it in fields[]`,
        {
          context: { url, index: i },
        },
      );
    }
  }
  const next = json.next_page_url;
  if (next !== undefined && next !== null && typeof next !== 'string') {
    throw new AppError('FR_BAD_BODY', `${label}: next_page_url is not a string`, { context: { url } });
  }
  return json as unknown as FrSearchPage;
}
