/**
 * One error type for the whole service. Callers branch on `code`, never on message text
 * (the way undici exposes `UND_ERR_*`). Every code is classified once as retryable or
 * permanent, so queue workers know whether to back off or to quarantine.
 */
export const ERROR_CODES = {
  // Federal Register XML (permanent: the same bytes will fail the same way)
  XML_NOT_XML: 'permanent',
  XML_INVALID: 'permanent',
  XML_TRUNCATED: 'permanent',
  XML_WRONG_ROOT: 'permanent',
  XML_ENTITY_FORBIDDEN: 'permanent',
  XML_TOO_LARGE: 'permanent',
  XML_TOO_DEEP: 'permanent',
  XML_ENCODING: 'permanent',
  // Entity List semantics
  EL_TABLE_SHAPE: 'permanent',
  EL_UNKNOWN_ENTRY: 'permanent',
  // Federal Register API and other sources
  FR_HTTP_STATUS: 'permanent',
  FR_HTTP_SERVER: 'retryable',
  FR_RATE_LIMITED: 'retryable',
  FR_NETWORK: 'retryable',
  FR_TIMEOUT: 'retryable',
  FR_BAD_BODY: 'permanent',
  FR_ABORTED: 'retryable',
  SOURCE_INVALID: 'permanent',
  // Webhooks
  WEBHOOK_DELIVERY_FAILED: 'retryable',
  WEBHOOK_GONE: 'permanent',
  WEBHOOK_URL_FORBIDDEN: 'permanent',
  WEBHOOK_REDIRECT: 'retryable',
  WEBHOOK_RATE_LIMITED: 'retryable',
  WEBHOOK_TIMEOUT: 'retryable',
  WEBHOOK_NETWORK: 'retryable',
  WEBHOOK_ABORTED: 'retryable',
  WEBHOOK_SECRET_INVALID: 'permanent',
  WEBHOOK_ID_INVALID: 'permanent',
  WEBHOOK_SIGNATURE_INVALID: 'permanent',
  // Service
  CONFIG_INVALID: 'permanent',
  SNAPSHOT_INVALID: 'permanent',
  INPUT_INVALID: 'permanent',
  REDIS_UNAVAILABLE: 'retryable',
  /** A job's worker stopped (killed, out of memory) more often than a job may survive. */
  WORKER_LOST: 'permanent',
  /** The HTTP (or metrics) port is held by another process: the service does not start. */
  HTTP_PORT_IN_USE: 'permanent',
  NOT_FOUND: 'permanent',
  /** An admin route without the right bearer token. */
  UNAUTHORIZED: 'permanent',
  /**
   * Anything that is not an AppError (a bug, an unexpected library error): reported under this code
   * and left to the queue's retries, since nothing says the same input would fail again.
   */
  INTERNAL: 'retryable',
  /** Redis lost the deployment's data; nothing runs until `fedreg-watch recover`. */
  REDIS_DATA_LOST: 'permanent',
  /** REQUIRE_DURABLE_REDIS=true and Redis keeps nothing on disk or may evict. */
  REDIS_NOT_DURABLE: 'permanent',
  /** A stored webhook secret cannot be decrypted with SECRETS_KEY or SECRETS_KEY_PREVIOUS. */
  SECRET_UNREADABLE: 'permanent',
  /** A value stored in Redis is not what its key should hold (not JSON, or not of its shape). */
  STORE_CORRUPT: 'permanent',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface AppErrorOptions {
  /** Structured context: where it happened and what was found. Never secrets. */
  context?: Record<string, unknown>;
  /** For retryable errors: how long the server asked us to wait. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly context: Record<string, unknown>;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
    this.retryAfterMs = options.retryAfterMs;
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code] === 'retryable';
  }

  toJSON(): { code: ErrorCode; message: string; retryable: boolean; context: Record<string, unknown> } {
    return { code: this.code, message: this.message, retryable: this.retryable, context: this.context };
  }
}

export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

/** Permanent unless proven retryable: unknown exceptions are bugs, and retrying a bug loops. */
export function isRetryable(err: unknown): boolean {
  return err instanceof AppError && err.retryable;
}
