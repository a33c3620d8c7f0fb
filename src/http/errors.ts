/**
 * One error shape for the whole HTTP API, and one table from error to status:
 *
 *   { "error": { "code": "INPUT_INVALID", "message": "...", "details": [{ "in": "querystring", "name": "asOf", "message": "..." }] } }
 *
 * Bad input (query, path, headers, body) is 400 with `INPUT_INVALID`; a missing token 401; what is
 * not there 404; a refused subscription URL 422 (well-formed but forbidden); Redis away 503.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { isAppError, type AppError, type ErrorCode } from '../errors.js';
import type { Logger } from '../observe/logger.js';

export interface ApiErrorDetail {
  /** Where the problem is: `querystring`, `params`, `headers` or `body`. */
  in: string;
  /** The parameter or body path (`asOf`, `/filter/types/0`). */
  name: string;
  message: string;
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: ApiErrorDetail[] };
}

export function errorBody(code: ErrorCode, message: string, details?: ApiErrorDetail[]): ApiErrorBody {
  return { error: { code, message, ...(details && details.length > 0 ? { details } : {}) } };
}

/** The HTTP status of an `AppError`, decided here once. */
export function statusOf(err: AppError): number {
  switch (err.code) {
    case 'INPUT_INVALID':
      return 400;
    case 'NOT_FOUND':
      return 404;
    case 'REDIS_UNAVAILABLE':
      return 503;
    case 'STORE_CORRUPT':
      return 500;
    default:
      return err.retryable ? 503 : 422;
  }
}

interface ValidationIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Fastify's validation errors, one detail per problem, named the way the client spelt them. */
function validationDetails(where: string, issues: readonly ValidationIssue[]): ApiErrorDetail[] {
  return issues.map((issue) => {
    const path = (issue.instancePath ?? '').replace(/^\//, '');
    const missing = issue.params?.missingProperty;
    const extra = issue.params?.additionalProperty;
    const name = typeof missing === 'string' ? (path ? `${path}/${missing}` : missing) : path;
    if (typeof extra === 'string')
      return {
        in: where,
        name: path ? `${path}/${extra}` : extra,
        message: `unknown ${where === 'querystring' ? 'parameter' : 'property'}`,
      };
    if (where === 'querystring' && issue.keyword === 'type' && issue.params?.type === 'string')
      return { in: where, name, message: 'given more than once; give it once' };
    if (issue.keyword === 'format' && issue.params?.format === 'date')
      return { in: where, name, message: 'must be a calendar date YYYY-MM-DD' };
    return { in: where, name, message: issue.message ?? 'is invalid' };
  });
}

export interface ErrorHandlingOptions {
  /**
   * Whether the store's connection is up. An unexpected error while it is down is the outage
   * showing through (a command that ran out of retries, a closed connection): 503, not 500.
   */
  storeConnected?: () => boolean;
}

export function installErrorHandling(
  app: FastifyInstance,
  logger: Pick<Logger, 'error'>,
  options: ErrorHandlingOptions = {},
): void {
  const storeAway = (reply: FastifyReply) =>
    reply
      .code(503)
      .header('retry-after', '5')
      .send(errorBody('REDIS_UNAVAILABLE', 'Redis does not answer; try again shortly'));
  const { storeConnected } = options;
  if (storeConnected) {
    // Fail fast: without this, a request waits out the client's reconnection retries first.
    app.addHook('onRequest', async (request, reply) => {
      if (request.url.startsWith('/v1/') && !storeConnected()) return storeAway(reply);
    });
  }
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (isAppError(err)) return reply.code(statusOf(err)).send(errorBody(err.code, err.message));
    if (storeConnected && !storeConnected()) {
      logger.error({ err: err.message, url: request.url }, 'request failed: Redis unavailable');
      return storeAway(reply);
    }
    const e = err as FastifyError & { validationContext?: string };
    if (e.validation) {
      const where = e.validationContext ?? 'request';
      const details = validationDetails(where, e.validation as ValidationIssue[]);
      const first = details[0];
      const message = first
        ? `${where === 'querystring' ? 'query parameter' : where} ${first.name}: ${first.message}`
        : e.message;
      return reply.code(400).send(errorBody('INPUT_INVALID', message, details));
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send(errorBody('INPUT_INVALID', e.message || 'bad request'));
    }
    logger.error({ err: e.message, url: request.url }, 'request failed');
    return reply.code(500).send(errorBody('INTERNAL', 'internal error'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
