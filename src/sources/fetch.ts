import type { HttpFetcher } from '../http-client/http.js';
import { RateBudget, type RateLimiter } from '../http-client/rate-budget.js';
import { parseCslCsv, parseCslJson, type CslImport } from './csl.js';
import { parseEcfrSupplement4, type EcfrParseReport } from './ecfr.js';
import type { Snapshot } from '../entity-list/types.js';

/**
 * Thin fetchers for the Commerce snapshot sources: one GET through the shared HttpFetcher (timeouts,
 * retries, AbortSignal, rate budget), then the pure parser.
 */

export const DEFAULT_ECFR_BASE = 'https://www.ecfr.gov';
export const DEFAULT_CSL_CSV_URL =
  'https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv';
export const DEFAULT_CSL_JSON_URL =
  'https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.json';

/**
 * The eCFR and trade.gov publish no rate; one request per second is polite for a daily
 * reconciliation (SOURCES_REQUESTS_PER_SECOND in the configuration).
 */
export const SOURCES_REQUESTS_PER_SECOND = 1;

/** Build one per process and pass it to every fetch. */
export function sourcesBudget(perSecond = SOURCES_REQUESTS_PER_SECOND): RateLimiter {
  return new RateBudget({ limit: perSecond, windowMs: 1000, marginMs: 50, name: 'sources' });
}

/** `https://www.ecfr.gov/api/versioner/v1/full/2019-10-09/title-15.xml?part=744` */
export function ecfrPart744Url(date: string, baseUrl: string = DEFAULT_ECFR_BASE): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/versioner/v1/full/${encodeURIComponent(date)}/title-15.xml?part=744`;
}

export interface SourceFetchOptions {
  signal: AbortSignal;
  /** Shared by every fetch of the process (see `sourcesBudget`). */
  budget: RateLimiter;
}

/** Supplement No. 4 as of `date` from the eCFR versioner, parsed into a snapshot. */
export async function fetchEcfrEntityList(
  fetcher: HttpFetcher,
  options: SourceFetchOptions & { date: string; baseUrl?: string; knownNames?: readonly string[] },
): Promise<{ snapshot: Snapshot; report: EcfrParseReport; url: string }> {
  const url = ecfrPart744Url(options.date, options.baseUrl);
  const res = await fetcher.get(url, {
    signal: options.signal,
    budget: options.budget,
    accept: 'application/xml',
    conditional: true,
    label: `eCFR part 744 on ${options.date}`,
  });
  const parsed = parseEcfrSupplement4(res.body.toString('utf8'), {
    asOf: options.date,
    label: `eCFR part 744 on ${options.date} (${url})`,
    ...(options.knownNames ? { knownNames: options.knownNames } : {}),
  });
  return { ...parsed, url };
}

/** The Consolidated Screening List's Entity List rows as a snapshot. */
export async function fetchCslEntityList(
  fetcher: HttpFetcher,
  options: SourceFetchOptions & { asOf: string; url?: string; format?: 'csv' | 'json' },
): Promise<CslImport & { url: string }> {
  const format = options.format ?? (options.url?.endsWith('.json') ? 'json' : 'csv');
  const url = options.url ?? (format === 'json' ? DEFAULT_CSL_JSON_URL : DEFAULT_CSL_CSV_URL);
  const res = await fetcher.get(url, {
    signal: options.signal,
    budget: options.budget,
    accept: format === 'json' ? 'application/json' : 'text/csv',
    conditional: true,
    label: `CSL ${format}`,
  });
  const text = res.body.toString('utf8');
  const parsed =
    format === 'json'
      ? parseCslJson(text, { asOf: options.asOf })
      : parseCslCsv(text, { asOf: options.asOf });
  return { ...parsed, url };
}
