import { Agent, type Dispatcher, request } from 'undici';
import { AppError, type ErrorCode } from '../errors.js';
import { abortError, type Clock, systemClock } from './clock.js';
import type { ConditionalStore } from './conditional-store.js';
import type { RateLimiter } from './rate-budget.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelayMs, type RetryPolicy } from './retry.js';

/**
 * The one place where fedreg-watch talks HTTP to a source (Federal Register, eCFR, trade.gov):
 * explicit timeouts, the caller's AbortSignal, a rate budget taken before every attempt, retries
 * with backoff that honour Retry-After, conditional GETs, and every failure turned into an
 * AppError whose code says once whether it is worth retrying.
 */

export interface HttpTimeouts {
  /** TCP (and TLS) connect. */
  connectMs: number;
  /** From sending the request to having all response headers. */
  headersMs: number;
  /** Longest silence between two body chunks. */
  bodyMs: number;
}

export const DEFAULT_TIMEOUTS: HttpTimeouts = Object.freeze({
  connectMs: 10_000,
  headersMs: 30_000,
  bodyMs: 30_000,
});

export type HttpEvent =
  | { type: 'request'; url: string; attempt: number; conditional: boolean }
  | { type: 'response'; url: string; attempt: number; status: number; notModified: boolean; bytes: number }
  | { type: 'retry'; url: string; attempt: number; delayMs: number; code: ErrorCode }
  | { type: 'redirect'; url: string; location: string };

export interface HttpFetcherOptions {
  /** An undici dispatcher to share; by default one Agent with the connect timeout is created. */
  dispatcher?: Dispatcher;
  timeouts?: Partial<HttpTimeouts>;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  random?: () => number;
  /** Validators and bodies for conditional GETs. Without it every GET is unconditional. */
  conditionalStore?: ConditionalStore;
  userAgent?: string;
  /** Largest body accepted, in bytes (default 64 MiB). */
  maxBodyBytes?: number;
  onEvent?: (event: HttpEvent) => void;
}

export interface GetOptions {
  /** The job's signal: aborting it stops the request, the backoff sleep and the rate-budget wait. */
  signal: AbortSignal;
  /** Taken before every attempt (retries and redirects included). */
  budget: RateLimiter;
  accept: string;
  /** Use and refresh ETag / Last-Modified for this URL (needs a conditional store). */
  conditional?: boolean;
  /** Where we are, for messages: "FR search page 2", "FR doc 2019-22210 XML". */
  label: string;
}

export interface HttpResult {
  /** The URL finally answered (after redirects). */
  url: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** True when the server said 304 and `body` is the stored copy. */
  notModified: boolean;
  attempts: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export class HttpFetcher {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly timeouts: HttpTimeouts;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly store: ConditionalStore | undefined;
  private readonly userAgent: string;
  private readonly maxBodyBytes: number;
  private readonly onEvent: ((event: HttpEvent) => void) | undefined;

  constructor(options: HttpFetcherOptions = {}) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.store = options.conditionalStore;
    this.userAgent = options.userAgent ?? 'fedreg-watch/0.1 (+https://github.com/fedreg-watch)';
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
    this.onEvent = options.onEvent;
    if (options.dispatcher) {
      this.dispatcher = options.dispatcher;
      this.ownsDispatcher = false;
    } else {
      this.dispatcher = new Agent({
        connect: { timeout: this.timeouts.connectMs },
        headersTimeout: this.timeouts.headersMs,
        bodyTimeout: this.timeouts.bodyMs,
        keepAliveTimeout: 4_000,
        connections: 8,
      });
      this.ownsDispatcher = true;
    }
  }

  /** GET with retries. Throws AppError (FR_*) on failure, never a raw undici error. */
  async get(url: string, options: GetOptions): Promise<HttpResult> {
    let current = url;
    let redirects = 0;
    let attempt = 0;
    let useValidators = options.conditional === true && this.store !== undefined;
    for (;;) {
      attempt++;
      if (options.signal.aborted) throw abortError(options.signal, options.label);
      await options.budget.acquire(options.signal);
      try {
        const outcome = await this.once(current, options, attempt, useValidators);
        if (outcome.kind === 'redirect') {
          if (++redirects > MAX_REDIRECTS) {
            throw new AppError(
              'FR_HTTP_STATUS',
              `${options.label}: more than ${MAX_REDIRECTS} redirects from ${url}`,
              {
                context: { url, last: current },
              },
            );
          }
          this.onEvent?.({ type: 'redirect', url: current, location: outcome.location });
          current = outcome.location;
          attempt--;
          continue;
        }
        if (outcome.kind === 'stale-304') {
          // A 304 for something we hold no copy of: ask again without validators.
          useValidators = false;
          attempt--;
          continue;
        }
        return { ...outcome.result, attempts: attempt };
      } catch (err) {
        const error = toAppError(err, options.signal, current, options.label);
        if (error.code === 'FR_ABORTED' || !error.retryable || attempt >= this.retry.maxAttempts) throw error;
        if (error.retryAfterMs !== undefined && error.retryAfterMs > this.retry.maxRetryAfterMs) throw error;
        const delayMs = retryDelayMs(attempt, this.retry, error.retryAfterMs, this.random);
        this.onEvent?.({ type: 'retry', url: current, attempt, delayMs, code: error.code });
        await this.clock.sleep(delayMs, options.signal);
      }
    }
  }

  private async once(
    url: string,
    options: GetOptions,
    attempt: number,
    useValidators: boolean,
  ): Promise<
    | { kind: 'done'; result: Omit<HttpResult, 'attempts'> }
    | { kind: 'redirect'; location: string }
    | { kind: 'stale-304' }
  > {
    const headers: Record<string, string> = { accept: options.accept, 'user-agent': this.userAgent };
    const cached = useValidators ? await this.store!.get(url) : undefined;
    if (cached?.etag) headers['if-none-match'] = cached.etag;
    if (cached?.lastModified) headers['if-modified-since'] = cached.lastModified;
    this.onEvent?.({ type: 'request', url, attempt, conditional: cached !== undefined });

    const res = await request(url, {
      method: 'GET',
      headers,
      signal: options.signal,
      dispatcher: this.dispatcher,
      headersTimeout: this.timeouts.headersMs,
      bodyTimeout: this.timeouts.bodyMs,
    });
    const responseHeaders = flattenHeaders(res.headers);
    const status = res.statusCode;

    if (REDIRECTS.has(status) && responseHeaders.location) {
      await res.body.dump();
      return { kind: 'redirect', location: new URL(responseHeaders.location, url).toString() };
    }
    if (status === 304) {
      await res.body.dump();
      if (!cached) {
        if (!useValidators) {
          throw new AppError(
            'FR_HTTP_STATUS',
            `${options.label}: ${url} answered 304 to an unconditional GET`,
            {
              context: { url, status },
            },
          );
        }
        return { kind: 'stale-304' };
      }
      this.onEvent?.({ type: 'response', url, attempt, status, notModified: true, bytes: 0 });
      return {
        kind: 'done',
        result: { url, status: 200, headers: responseHeaders, body: cached.body, notModified: true },
      };
    }
    if (status >= 200 && status < 300) {
      const body = await readBody(res.body, this.maxBodyBytes, url, options.label);
      this.onEvent?.({ type: 'response', url, attempt, status, notModified: false, bytes: body.length });
      if (useValidators && (responseHeaders.etag || responseHeaders['last-modified'])) {
        const entry: Parameters<ConditionalStore['set']>[1] = { body, storedAt: this.clock.now() };
        if (responseHeaders.etag) entry.etag = responseHeaders.etag;
        if (responseHeaders['last-modified']) entry.lastModified = responseHeaders['last-modified'];
        if (responseHeaders['content-type']) entry.contentType = responseHeaders['content-type'];
        await this.store!.set(url, entry);
      }
      return { kind: 'done', result: { url, status, headers: responseHeaders, body, notModified: false } };
    }

    const snippet = await readSnippet(res.body);
    this.onEvent?.({ type: 'response', url, attempt, status, notModified: false, bytes: snippet.length });
    throw statusError(status, responseHeaders, url, options.label, snippet, this.clock.now());
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}

/** The AppError for a non-2xx answer. Pure, exported for tests. */
export function statusError(
  status: number,
  headers: Record<string, string>,
  url: string,
  label: string,
  snippet: string,
  nowMs: number,
): AppError {
  const retryAfterMs = parseRetryAfter(headers['retry-after'], nowMs);
  const context = { url, status, body: snippet.slice(0, 300), retryAfter: headers['retry-after'] };
  const opts = retryAfterMs === undefined ? { context } : { context, retryAfterMs };
  if (status === 429) {
    return new AppError(
      'FR_RATE_LIMITED',
      `${label}: ${url} answered 429 Too Many Requests` +
        (retryAfterMs === undefined ? '' : `, Retry-After ${retryAfterMs} ms`) +
        '; the rate budget is too generous for this server or another client shares the address',
      opts,
    );
  }
  if (status >= 500) {
    return new AppError(
      'FR_HTTP_SERVER',
      `${label}: ${url} answered ${status}; the server failed, will retry`,
      opts,
    );
  }
  return new AppError(
    'FR_HTTP_STATUS',
    `${label}: ${url} answered ${status}, expected 200; a 4xx will not change on retry, check the URL and query`,
    opts,
  );
}

/** Any thrown value from one attempt → AppError with the right code. */
export function toAppError(
  err: unknown,
  signal: AbortSignal | undefined,
  url: string,
  label: string,
): AppError {
  if (err instanceof AppError) return err;
  if (signal?.aborted) return abortError(signal, label);
  const code =
    typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const message = err instanceof Error ? err.message : String(err);
  if (TIMEOUT_CODES.has(code)) {
    return new AppError('FR_TIMEOUT', `${label}: ${url} timed out (${code}: ${message})`, {
      cause: err,
      context: { url, undici: code },
    });
  }
  if (code === 'UND_ERR_INVALID_ARG' || err instanceof TypeError) {
    return new AppError('INPUT_INVALID', `${label}: cannot request ${url}: ${message}`, {
      cause: err,
      context: { url },
    });
  }
  return new AppError(
    'FR_NETWORK',
    `${label}: ${url} failed on the network (${code || 'error'}: ${message}); will retry`,
    { cause: err, context: { url, undici: code } },
  );
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

async function readBody(
  body: AsyncIterable<Buffer> & { destroy(): void },
  maxBytes: number,
  url: string,
  label: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > maxBytes) {
      body.destroy();
      throw new AppError(
        'FR_BAD_BODY',
        `${label}: ${url} sent more than ${maxBytes} bytes; refusing the body`,
        {
          context: { url, maxBytes },
        },
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

async function readSnippet(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      total += chunk.length;
      if (total > 2048) {
        body.destroy();
        break;
      }
    }
  } catch {
    // The status already says what went wrong; a broken error body adds nothing.
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, 2048);
}
