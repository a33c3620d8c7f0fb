/**
 * The admin API: subscriptions, dead letters, quarantine, held sources. Every route checks the
 * bearer token first (`onRequest`, before the body is read or validated), so a caller without the
 * token learns nothing about the schema.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { validateSubscriptionUrl } from '../delivery/ssrf.js';
import { AppError } from '../errors.js';
import { ALL_EVENT_TYPES } from '../events/cloudevent.js';
import { deadLetters, redeliver } from '../pipeline/deliver.js';
import { documentJobId } from '../pipeline/apply.js';
import type { PipelineContext } from '../pipeline/context.js';
import { heldSnapshot, releaseHeld } from '../pipeline/snapshots.js';
import { errorBody } from './errors.js';
import { ADMIN_SECURITY, anyObject, errorResponses, subscriptionSchema } from './schemas.js';

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
        .send(
          errorBody(
            'UNAUTHORIZED',
            expected
              ? 'admin routes need Authorization: Bearer <ADMIN_TOKEN>'
              : 'the admin API is disabled: set ADMIN_TOKEN',
          ),
        );
    }
  };
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

const documentParams = {
  type: 'object',
  required: ['number'],
  properties: { number: { type: 'string', minLength: 1, maxLength: 40, description: 'FR document number' } },
} as const;

/** The `schema` of an admin route: tagged, secured by the bearer scheme, 401 documented. */
function admin(schema: Record<string, unknown> & { response?: Record<number, unknown> }) {
  return {
    tags: ['admin'],
    security: ADMIN_SECURITY,
    ...schema,
    response: { ...(schema.response ?? {}), ...errorResponses(401, 503) },
  };
}

export function registerAdminRoutes(app: FastifyInstance, ctx: PipelineContext): void {
  const onRequest = adminGuard(ctx.config.adminToken);

  app.post(
    '/v1/subscriptions',
    {
      onRequest,
      schema: admin({
        operationId: 'createSubscription',
        summary: 'Create a webhook subscription',
        description:
          'Answers the secret (`whsec_…`) once. Deliveries follow Standard Webhooks; see the `webhooks` section for what is sent.',
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
                  description: 'event types; a trailing * matches a prefix (gov.bis.entitylist.entry.*)',
                },
                countries: {
                  type: 'array',
                  maxItems: 300,
                  items: { type: 'string', minLength: 1, maxLength: 100 },
                  description: 'destinations, in any spelling the list or a rule uses',
                },
              },
            },
          },
        },
        response: {
          201: {
            description: 'created',
            type: 'object',
            required: ['id', 'secret', 'subscription'],
            properties: {
              id: { type: 'string' },
              secret: { type: 'string' },
              subscription: subscriptionSchema,
            },
          },
          ...errorResponses(400, 422),
        },
      }),
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

  app.get(
    '/v1/subscriptions',
    {
      onRequest,
      schema: admin({
        operationId: 'listSubscriptions',
        summary: 'List subscriptions',
        response: {
          200: {
            description: 'every subscription (without secrets)',
            type: 'object',
            properties: { subscriptions: { type: 'array', items: subscriptionSchema } },
          },
        },
      }),
    },
    async () => ({ subscriptions: await ctx.subscriptions.list() }),
  );

  app.get(
    '/v1/subscriptions/:id',
    {
      onRequest,
      schema: admin({
        operationId: 'getSubscription',
        summary: 'Read a subscription',
        params: idParams,
        response: { 200: { description: 'the subscription', ...subscriptionSchema }, ...errorResponses(404) },
      }),
    },
    async (req) => {
      const sub = await ctx.subscriptions.get((req.params as { id: string }).id);
      if (!sub) throw new AppError('NOT_FOUND', 'no such subscription');
      return sub;
    },
  );

  app.delete(
    '/v1/subscriptions/:id',
    {
      onRequest,
      schema: admin({
        operationId: 'deleteSubscription',
        summary: 'Delete a subscription',
        params: idParams,
        response: { 204: { description: 'deleted', type: 'null' }, ...errorResponses(404) },
      }),
    },
    async (req, reply) => {
      const removed = await ctx.subscriptions.delete((req.params as { id: string }).id);
      if (!removed) throw new AppError('NOT_FOUND', 'no such subscription');
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/subscriptions/:id/rotate-secret',
    {
      onRequest,
      schema: admin({
        operationId: 'rotateSubscriptionSecret',
        summary: 'A new secret; the previous one keeps signing alongside for 24 h',
        params: idParams,
        response: {
          200: {
            description: 'the new secret',
            type: 'object',
            properties: {
              id: { type: 'string' },
              secret: { type: 'string' },
              previousSecretValidForHours: { type: 'integer' },
            },
          },
          ...errorResponses(404),
        },
      }),
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const secret = await ctx.subscriptions.rotateSecret(id, ctx.now());
      if (!secret) throw new AppError('NOT_FOUND', 'no such subscription');
      return { id, secret, previousSecretValidForHours: 24 };
    },
  );

  app.post(
    '/v1/subscriptions/:id/enable',
    {
      onRequest,
      schema: admin({
        operationId: 'enableSubscription',
        summary: 'Re-enable a disabled subscription',
        params: idParams,
        response: { 200: { description: 'the subscription', ...subscriptionSchema }, ...errorResponses(404) },
      }),
    },
    async (req) => {
      const sub = await ctx.subscriptions.enable((req.params as { id: string }).id);
      if (!sub) throw new AppError('NOT_FOUND', 'no such subscription');
      return sub;
    },
  );

  app.post(
    '/v1/subscriptions/:id/redeliver',
    {
      onRequest,
      schema: admin({
        operationId: 'redeliverDeadLetters',
        summary: 'Redeliver a subscription’s dead-lettered events',
        params: idParams,
        response: {
          200: {
            description: 'how many deliveries were queued again',
            type: 'object',
            properties: { redelivering: { type: 'integer' } },
          },
          ...errorResponses(400, 404),
        },
      }),
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const sub = await ctx.subscriptions.get(id);
      if (!sub) throw new AppError('NOT_FOUND', 'no such subscription');
      if (sub.disabled)
        throw new AppError(
          'INPUT_INVALID',
          `subscription is disabled (${sub.disabled.reason}); enable it first`,
        );
      return { redelivering: await redeliver(ctx, id) };
    },
  );

  app.get(
    '/v1/dead-letters',
    {
      onRequest,
      schema: admin({
        operationId: 'listDeadLetters',
        summary: 'Deliveries that exhausted their retries',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { subscription: { type: 'string', minLength: 1, maxLength: 100 } },
        },
        response: {
          200: {
            description: 'dead letters',
            type: 'object',
            properties: { deadLetters: { type: 'array', items: anyObject } },
          },
          ...errorResponses(400),
        },
      }),
    },
    async (req) => {
      const q = req.query as { subscription?: string };
      return { deadLetters: await deadLetters(ctx, q.subscription) };
    },
  );

  app.post(
    '/v1/documents/:number/retry',
    {
      onRequest,
      schema: admin({
        operationId: 'retryDocument',
        summary: 'Put a quarantined document back in line',
        params: documentParams,
        response: {
          200: {
            description: 'queued again',
            type: 'object',
            properties: { documentNumber: { type: 'string' }, status: { type: 'string' } },
          },
          ...errorResponses(404),
        },
      }),
    },
    async (req) => {
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
    },
  );

  app.get(
    '/v1/sources',
    {
      onRequest,
      schema: admin({
        operationId: 'listSources',
        summary: 'Commerce lists (eCFR, CSL) accepted or held by the circuit breaker',
        response: { 200: { description: 'per source: accepted and held', ...anyObject } },
      }),
    },
    async () => {
      const accepted = await ctx.sourceLists.accepted();
      const out: Record<string, unknown> = {};
      for (const source of ['ecfr', 'csl'] as const) {
        const held = await heldSnapshot(ctx, source);
        out[source] = {
          accepted: accepted[source] ?? null,
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
    },
  );

  app.post(
    '/v1/sources/:source/release',
    {
      onRequest,
      schema: admin({
        operationId: 'releaseSource',
        summary: 'Release a held list',
        params: {
          type: 'object',
          required: ['source'],
          properties: { source: { type: 'string', enum: ['ecfr', 'csl'] } },
        },
        response: {
          200: {
            description: 'released',
            type: 'object',
            properties: { source: { type: 'string' }, released: { type: 'boolean' } },
          },
          ...errorResponses(400, 404),
        },
      }),
    },
    async (req) => {
      const { source } = req.params as { source: 'ecfr' | 'csl' };
      if (!(await releaseHeld(ctx, source)))
        throw new AppError('NOT_FOUND', `nothing from ${source} is held`);
      return { source, released: true };
    },
  );
}
