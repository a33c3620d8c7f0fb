import { timingSafeEqual, createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { validateSubscriptionUrl } from '../delivery/ssrf.js';
import { isIsoDate } from '../entity-list/snapshot.js';
import { AppError, isAppError } from '../errors.js';
import { ALL_EVENT_TYPES } from '../events/cloudevent.js';
import { deadLetters, redeliver } from '../pipeline/deliver.js';
import { documentJobId } from '../pipeline/apply.js';
import type { PipelineContext } from '../pipeline/context.js';
import { heldSnapshot, releaseHeld } from '../pipeline/snapshots.js';
import { isCursor } from '../store/event-log.js';
import { registerDataLossGuard } from './data-loss.js';

/**
 * The HTTP face of the service: the event feed and the list for screening services, document
 * status for everyone, and the admin API (subscriptions, dead letters, quarantine) behind
 * `Authorization: Bearer <ADMIN_TOKEN>`. Ops routes (/livez, /readyz, /metrics, the dashboard)
 * are registered by the caller through `extend`.
 */
export interface HttpServerOptions {
  ctx: PipelineContext;
  /** Whether the service is ready (Redis reachable, not shutting down). */
  ready: () => Promise<boolean>;
  /** Registers more routes (metrics, dashboard) before the server starts listening. */
  extend?: (app: FastifyInstance) => Promise<void> | void;
}

const MAX_FEED_PAGE = 100_000;

export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const { ctx } = options;
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  registerDataLossGuard(app, { deployment: ctx.deployment });

  app.setErrorHandler((err, request, reply) => {
    if (isAppError(err)) {
      const status =
        err.code === 'NOT_FOUND' ? 404 : err.code === 'REDIS_UNAVAILABLE' ? 503 : err.retryable ? 503 : 422;
      return reply.code(status).send({ error: { code: err.code, message: err.message } });
    }
    const e = err as { validation?: unknown; statusCode?: number; message?: string };
    if (e.validation) {
      return reply
        .code(400)
        .send({ error: { code: 'INPUT_INVALID', message: e.message ?? 'invalid request' } });
    }
    if (e.statusCode && e.statusCode < 500) {
      return reply
        .code(e.statusCode)
        .send({ error: { code: 'INPUT_INVALID', message: e.message ?? 'bad request' } });
    }
    ctx.logger.error({ err: e.message, url: request.url }, 'request failed');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
  });

  app.get('/livez', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ok = await options.ready().catch(() => false);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready' });
  });

  // --- Screening services: the feed, the list, documents -------------------------------------
  app.get('/v1/events', async (req, reply) => {
    const q = req.query as { after?: string; limit?: string };
    const after = q.after ?? '0-0';
    if (!isCursor(after))
      throw new AppError('INPUT_INVALID', `after=${after}: expected a cursor from a previous page's "next"`);
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_FEED_PAGE) {
      throw new AppError('INPUT_INVALID', `limit=${q.limit}: expected an integer from 1 to ${MAX_FEED_PAGE}`);
    }
    const page = await ctx.events.page(after, limit);
    return reply.send({ events: page.events.map((e) => e.event), next: page.next });
  });

  app.get('/v1/entities', async (req) => {
    const q = req.query as { asOf?: string; country?: string };
    let snapshot;
    if (q.asOf !== undefined) {
      if (!isIsoDate(q.asOf)) throw new AppError('INPUT_INVALID', `asOf=${q.asOf}: expected YYYY-MM-DD`);
      const baseline = await ctx.state.baseline();
      if (!baseline) throw new AppError('NOT_FOUND', 'no state imported yet');
      if (q.asOf < baseline.asOf) {
        throw new AppError(
          'NOT_FOUND',
          `asOf=${q.asOf} is before the imported baseline (${baseline.asOf}); history starts there`,
        );
      }
      snapshot = await ctx.events.stateAsOf(baseline, q.asOf);
    } else {
      if (!(await ctx.state.isInitialised()))
        throw new AppError('NOT_FOUND', 'no state imported yet: `fedreg-watch state import SNAPSHOT.json`');
      snapshot = (await ctx.state.read()).snapshot;
    }
    if (q.country) {
      const c = q.country.toUpperCase();
      snapshot = { ...snapshot, entries: snapshot.entries.filter((e) => e.country === c) };
    }
    return snapshot;
  });

  app.get('/v1/documents', async () => ({
    pending: await ctx.documents.pending(),
    quarantined: await ctx.documents.quarantined(),
    count: await ctx.documents.count(),
  }));

  app.get('/v1/documents/:number', async (req) => {
    const { number } = req.params as { number: string };
    const record = await ctx.documents.get(number);
    if (!record) throw new AppError('NOT_FOUND', `FR doc ${number} has not been seen`);
    const logged = await ctx.events.byIds(record.events);
    const events = logged.map((l) => l.event);
    const { extraction, ...rest } = record;
    return {
      ...rest,
      extraction: extraction
        ? {
            isEntityListChange: extraction.isEntityListChange,
            changes: extraction.changes.length,
            warnings: extraction.warnings,
            document: extraction.document,
          }
        : undefined,
      events,
      anomalies: events.filter((e) => e.type === 'gov.bis.entitylist.anomaly'),
      quarantine: record.status === 'quarantined' ? record.error : undefined,
    };
  });

  // --- Admin API ------------------------------------------------------------------------------
  const admin = adminGuard(ctx.config.adminToken);

  app.post(
    '/v1/subscriptions',
    {
      preHandler: admin,
      schema: {
        body: {
          type: 'object',
          required: ['url'],
          additionalProperties: false,
          properties: {
            url: { type: 'string', minLength: 1, maxLength: 2048 },
            description: { type: 'string', maxLength: 200 },
            filter: {
              type: 'object',
              additionalProperties: false,
              properties: {
                types: {
                  type: 'array',
                  maxItems: 50,
                  items: { type: 'string', minLength: 1, maxLength: 100 },
                },
                countries: {
                  type: 'array',
                  maxItems: 300,
                  items: { type: 'string', minLength: 1, maxLength: 100 },
                },
              },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const body = req.body as {
        url: string;
        description?: string;
        filter?: { types?: string[]; countries?: string[] };
      };
      for (const t of body.filter?.types ?? []) {
        const known = t.endsWith('*')
          ? ALL_EVENT_TYPES.some((k) => k.startsWith(t.slice(0, -1)))
          : (ALL_EVENT_TYPES as readonly string[]).includes(t);
        if (!known)
          throw new AppError(
            'INPUT_INVALID',
            `filter.types: unknown event type "${t}" (known: ${ALL_EVENT_TYPES.join(', ')})`,
          );
      }
      const check = await validateSubscriptionUrl(body.url, ctx.config.webhooks.allowedNetworks);
      if (!check.ok) throw check.error;
      const { subscription, secret } = await ctx.subscriptions.create(
        {
          url: check.url.href,
          ...(body.filter ? { filter: body.filter } : {}),
          ...(body.description ? { description: body.description } : {}),
        },
        await ctx.events.lastCursor(),
        ctx.now(),
      );
      ctx.logger.info({ subscriptionId: subscription.id }, 'subscription created');
      return reply.code(201).send({ id: subscription.id, secret, subscription });
    },
  );

  app.get('/v1/subscriptions', { preHandler: admin }, async () => ({
    subscriptions: await ctx.subscriptions.list(),
  }));

  app.get('/v1/subscriptions/:id', { preHandler: admin }, async (req) => {
    const sub = await ctx.subscriptions.get((req.params as { id: string }).id);
    if (!sub) throw new AppError('NOT_FOUND', 'no such subscription');
    return sub;
  });

  app.delete('/v1/subscriptions/:id', { preHandler: admin }, async (req, reply) => {
    const removed = await ctx.subscriptions.delete((req.params as { id: string }).id);
    if (!removed) throw new AppError('NOT_FOUND', 'no such subscription');
    return reply.code(204).send();
  });

  app.post('/v1/subscriptions/:id/rotate-secret', { preHandler: admin }, async (req) => {
    const { id } = req.params as { id: string };
    const secret = await ctx.subscriptions.rotateSecret(id, ctx.now());
    if (!secret) throw new AppError('NOT_FOUND', 'no such subscription');
    return { id, secret, previousSecretValidForHours: 24 };
  });

  app.post('/v1/subscriptions/:id/enable', { preHandler: admin }, async (req) => {
    const sub = await ctx.subscriptions.enable((req.params as { id: string }).id);
    if (!sub) throw new AppError('NOT_FOUND', 'no such subscription');
    return sub;
  });

  app.post('/v1/subscriptions/:id/redeliver', { preHandler: admin }, async (req) => {
    const { id } = req.params as { id: string };
    const sub = await ctx.subscriptions.get(id);
    if (!sub) throw new AppError('NOT_FOUND', 'no such subscription');
    if (sub.disabled)
      throw new AppError(
        'INPUT_INVALID',
        `subscription is disabled (${sub.disabled.reason}); enable it first`,
      );
    return { redelivering: await redeliver(ctx, id) };
  });

  app.get('/v1/dead-letters', { preHandler: admin }, async (req) => {
    const q = req.query as { subscription?: string };
    return { deadLetters: await deadLetters(ctx, q.subscription) };
  });

  app.post('/v1/documents/:number/retry', { preHandler: admin }, async (req) => {
    const { number } = req.params as { number: string };
    const record = await ctx.documents.release(number);
    if (!record) throw new AppError('NOT_FOUND', `FR doc ${number} has not been seen`);
    // A fresh job id: the quarantined attempt's job may still be kept as failed.
    await ctx.queues.document.add(
      'document',
      { v: 1, documentNumber: number },
      { jobId: `${documentJobId(number)}-retry-${ctx.now()}` },
    );
    return { documentNumber: number, status: record.status };
  });

  app.get('/v1/sources', { preHandler: admin }, async () => {
    const accepted = await ctx.redis.hgetall(ctx.keys.sourceState);
    const out: Record<string, unknown> = {};
    for (const source of ['ecfr', 'csl'] as const) {
      const held = await heldSnapshot(ctx, source);
      out[source] = {
        accepted: accepted[source] ? (JSON.parse(accepted[source]) as unknown) : null,
        held: held
          ? {
              heldAt: held.heldAt,
              removals: held.removals,
              asOf: held.snapshot.asOf,
              entries: held.snapshot.entries.length,
              anomalyId: held.anomalyId,
            }
          : null,
      };
    }
    return out;
  });

  app.post('/v1/sources/:source/release', { preHandler: admin }, async (req) => {
    const { source } = req.params as { source: string };
    if (source !== 'ecfr' && source !== 'csl')
      throw new AppError('NOT_FOUND', `no source "${source}" (ecfr, csl)`);
    if (!(await releaseHeld(ctx, source))) throw new AppError('NOT_FOUND', `nothing from ${source} is held`);
    return { source, released: true };
  });

  if (options.extend) await options.extend(app);
  return app;
}

/** Bearer-token check in constant time; without a configured token every admin request is refused. */
export function adminGuard(token: string | undefined) {
  const expected = token ? createHash('sha256').update(token).digest() : undefined;
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization ?? '';
    const presented = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const ok =
      expected !== undefined &&
      presented !== undefined &&
      timingSafeEqual(createHash('sha256').update(presented).digest(), expected);
    if (!ok) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({
          error: {
            code: 'UNAUTHORIZED',
            message: expected
              ? 'admin routes need Authorization: Bearer <ADMIN_TOKEN>'
              : 'the admin API is disabled: set ADMIN_TOKEN',
          },
        });
    }
  };
}
