import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { AppError, isAppError, type ErrorCode } from '../errors.js';
import { parseAllowedNetworks, type Network } from './networks.js';
import { classifyStatus, parseRetryAfter } from './retry.js';
import { signatureHeader } from './signing.js';
import { createGuardedConnector, type Resolver } from './ssrf.js';

/**
 * One delivery attempt of one event to one subscription, over a pooled keep-alive undici Agent whose
 * connector enforces the SSRF policy. The queue decides when to call again (see `nextDelay`); this
 * module only says what happened.
 */

export type DeliveryKind = 'delivered' | 'retry' | 'gone' | 'forbidden';

export interface DeliveryOutcome {
  /**
   * `delivered`: 2xx. `retry`: anything worth trying again (non-2xx, 3xx, 429, network, timeout).
   * `gone`: 410, disable the subscription. `forbidden`: the URL is refused by the SSRF policy or is
   * not a deliverable URL at all; retrying cannot help.
   */
  kind: DeliveryKind;
  status?: number;
  /** The receiver's `Retry-After`, in ms. */
  retryAfterMs?: number;
  /** Why it failed. Never contains the secret, the signature or the URL's path and query. */
  error?: { code: ErrorCode; message: string };
  durationMs: number;
}

export interface DeliveryAttempt {
  url: string;
  /** The event id: the `webhook-id`, the same on every attempt. */
  eventId: string;
  /** The exact JSON sent (and signed). */
  body: string;
  /** The subscription's secret; during a rotation, the current and the previous one. */
  secret: string | readonly string[];
  /** This attempt's time, ms since the epoch: the signature's `webhook-timestamp`. */
  now: number;
  /** Aborts the attempt (shutdown); the outcome is then `retry` with `WEBHOOK_ABORTED`. */
  signal?: AbortSignal;
}

export interface DeliveryTimeouts {
  /** TCP/TLS connect. */
  connectMs?: number;
  /** From the request sent to the response headers. */
  headersMs?: number;
  /** Between chunks of the response body. */
  bodyMs?: number;
  /** The whole attempt, including waiting for a pooled connection. */
  totalMs?: number;
}

export interface WebhookSenderOptions {
  /** Networks the SSRF guard lets through anyway: parsed CIDRs, or the raw comma-separated setting. */
  allowedNetworks?: readonly Network[] | string;
  timeouts?: DeliveryTimeouts;
  userAgent?: string;
  /** Response bytes read (and discarded) before the connection is dropped instead. */
  maxResponseBytes?: number;
  /** Keep-alive connections per receiver origin. */
  connectionsPerOrigin?: number;
  /** Name resolution, injectable for tests (DNS rebinding, fixed answers). */
  resolver?: Resolver;
}

export interface WebhookSender {
  send(attempt: DeliveryAttempt): Promise<DeliveryOutcome>;
  /** Waits for attempts in flight, then closes every pooled connection. */
  close(): Promise<void>;
}

// The Standard Webhooks spec recommends a 15–30 s request timeout.
const DEFAULT_TIMEOUTS: Required<DeliveryTimeouts> = {
  connectMs: 10_000,
  headersMs: 15_000,
  bodyMs: 10_000,
  totalMs: 30_000,
};

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);
// Our own mistakes, not the receiver's: retrying would loop on a bug.
const BUG_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_INVALID_RETURN_VALUE']);

interface Target {
  origin: string;
  path: string;
}

function target(url: string): Target | AppError {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return new AppError('WEBHOOK_URL_FORBIDDEN', 'webhook target: not an absolute URL', {
      context: { reason: 'malformed' },
    });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return new AppError('WEBHOOK_URL_FORBIDDEN', `webhook target: scheme ${parsed.protocol} is not http(s)`, {
      context: { reason: 'scheme', origin: parsed.origin },
    });
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return new AppError('WEBHOOK_URL_FORBIDDEN', `webhook target ${parsed.origin}: credentials in the URL`, {
      context: { reason: 'credentials', origin: parsed.origin },
    });
  }
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Belt and braces: messages are built from our own words plus error codes, but a cause's message
 * is included for diagnosis, so strip anything secret-shaped that could have slipped into it.
 */
function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const secret of secrets) {
    for (const s of [secret, secret.replace(/^whsec_/, '')])
      if (s.length >= 8) out = out.split(s).join('[redacted]');
  }
  return out.replace(/(v1,|whsec_)[A-Za-z0-9+/=]{8,}/g, '$1[redacted]').slice(0, 500);
}

export function createWebhookSender(options: WebhookSenderOptions = {}): WebhookSender {
  const allowed =
    typeof options.allowedNetworks === 'string'
      ? parseAllowedNetworks(options.allowedNetworks)
      : (options.allowedNetworks ?? []);
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const userAgent = options.userAgent ?? 'fedreg-watch-webhooks/1';
  const maxResponseBytes = options.maxResponseBytes ?? 64 * 1024;

  const agent = new Agent({
    connect: createGuardedConnector({ allowed, timeoutMs: timeouts.connectMs, resolver: options.resolver }),
    connections: options.connectionsPerOrigin ?? 32,
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
    keepAliveTimeout: 4_000,
    // Receivers may advertise long keep-alives; cap how long an idle socket to one is held.
    keepAliveMaxTimeout: 60_000,
  });

  async function send(attempt: DeliveryAttempt): Promise<DeliveryOutcome> {
    const started = performance.now();
    const elapsed = (): number => performance.now() - started;
    const secrets = typeof attempt.secret === 'string' ? [attempt.secret] : attempt.secret;

    // Signed before any I/O, with this attempt's timestamp. A bad secret or id throws a permanent
    // AppError: no attempt can succeed, and it is our data that is wrong, not the receiver.
    const timestamp = Math.floor(attempt.now / 1000);
    const signature = signatureHeader({ id: attempt.eventId, timestamp, body: attempt.body, secrets });

    const where = target(attempt.url);
    if (where instanceof AppError) {
      return {
        kind: 'forbidden',
        error: { code: where.code, message: where.message },
        durationMs: elapsed(),
      };
    }

    // undici takes an EventEmitter as the abort signal: far cheaper per attempt than an
    // AbortController, which showed up in profiles at thousands of deliveries per second.
    const abort = new EventEmitter() as EventEmitter & { aborted?: boolean };
    let timedOut = false;
    const stop = (): void => {
      if (abort.aborted) return;
      abort.aborted = true;
      abort.emit('abort');
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeouts.totalMs);
    if (attempt.signal?.aborted) stop();
    attempt.signal?.addEventListener('abort', stop, { once: true });

    try {
      const response = await agent.request({
        origin: where.origin,
        path: where.path,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': userAgent,
          'webhook-id': attempt.eventId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signature,
        },
        body: attempt.body,
        signal: abort,
      });
      const status = response.statusCode;
      // Read and discard what the receiver says, up to a cap, so the connection can be reused;
      // past the cap undici drops the connection instead. Its errors do not change the verdict.
      await response.body.dump({ limit: maxResponseBytes }).catch(() => undefined);

      const verdict = classifyStatus(status);
      if (verdict.kind === 'delivered') return { kind: 'delivered', status, durationMs: elapsed() };
      const retryAfterMs = parseRetryAfter(response.headers['retry-after'], attempt.now + elapsed());
      const message =
        verdict.code === 'WEBHOOK_GONE'
          ? `${where.origin} answered 410 Gone: the subscriber asks for no more deliveries; disable the subscription`
          : verdict.code === 'WEBHOOK_REDIRECT'
            ? `${where.origin} answered ${status} (redirect, not followed): update the subscription URL`
            : `${where.origin} answered ${status}, expected 2xx`;
      return {
        kind: verdict.kind,
        status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        error: { code: verdict.code, message },
        durationMs: elapsed(),
      };
    } catch (err) {
      const code = errorCode(err);
      if (isAppError(err, 'WEBHOOK_URL_FORBIDDEN')) {
        return { kind: 'forbidden', error: { code: err.code, message: err.message }, durationMs: elapsed() };
      }
      if (code !== undefined && BUG_CODES.has(code)) throw err;
      if (err instanceof TypeError && code === undefined) throw err;
      let outcome: { code: ErrorCode; message: string };
      if (timedOut) {
        outcome = {
          code: 'WEBHOOK_TIMEOUT',
          message: `${where.origin}: no complete answer within ${timeouts.totalMs} ms`,
        };
      } else if (attempt.signal?.aborted) {
        outcome = { code: 'WEBHOOK_ABORTED', message: `${where.origin}: attempt aborted (shutting down)` };
      } else if (code !== undefined && TIMEOUT_CODES.has(code)) {
        outcome = { code: 'WEBHOOK_TIMEOUT', message: `${where.origin}: timed out (${code})` };
      } else {
        const detail = err instanceof Error ? err.message : String(err);
        outcome = {
          code: 'WEBHOOK_NETWORK',
          message: redact(`${where.origin}: ${code ?? 'network error'}: ${detail}`, secrets),
        };
      }
      return { kind: 'retry', error: outcome, durationMs: elapsed() };
    } finally {
      clearTimeout(timer);
      attempt.signal?.removeEventListener('abort', stop);
    }
  }

  return {
    send,
    close: () => agent.close(),
  };
}
