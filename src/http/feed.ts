/** `GET /v1/events`: the event log as a feed, paged by stream-id cursors. */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import { typeWanted } from '../events/cloudevent.js';
import type { PipelineContext } from '../pipeline/context.js';
import { cloudEventSchema, errorResponses } from './schemas.js';

export const MAX_FEED_PAGE = 100_000;

/** Redis stream ids are two unsigned 64-bit integers. */
const MAX_ID_PART = 2n ** 64n - 1n;

/**
 * Checks a cursor against the range Redis accepts (a cursor past it made XRANGE fail with a 500).
 * Returns whether it is the largest possible id, after which nothing can follow.
 */
export function checkCursor(after: string): { last: boolean } {
  if (after === '0' || after === '0-0') return { last: false };
  const m = /^(\d{1,20})-(\d{1,20})$/.exec(after);
  if (!m || BigInt(m[1]!) > MAX_ID_PART || BigInt(m[2]!) > MAX_ID_PART) {
    throw new AppError(
      'INPUT_INVALID',
      `after=${after}: expected a cursor from a previous page's "next" (two integers up to 2^64-1, as "1700000000000-0")`,
    );
  }
  return { last: BigInt(m[1]!) === MAX_ID_PART && BigInt(m[2]!) === MAX_ID_PART };
}

export function registerFeedRoutes(app: FastifyInstance, ctx: PipelineContext): void {
  app.get(
    '/v1/events',
    {
      schema: {
        operationId: 'listEvents',
        tags: ['feed'],
        summary: 'The event log in order of application',
        description:
          'Page with `after=<next>` and resume from the last `next` you stored. Events are CloudEvents; their schemas are at /schemas/events/<type>.json.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: {
              type: 'string',
              pattern: '^(0|\\d{1,20}-\\d{1,20})$',
              description: 'a cursor: the `next` of a previous page (default: from the start)',
            },
            limit: {
              type: 'string',
              pattern: '^\\d{1,6}$',
              description: `events per page, 1 to ${MAX_FEED_PAGE} (default 100)`,
            },
            types: {
              type: 'string',
              description:
                'comma-separated event types to keep (a trailing `*` matches a prefix); the opt-in `gov.bis.entitylist.entry.editorial` only when named',
            },
          },
        },
        response: {
          200: {
            description: 'a page of the feed',
            type: 'object',
            required: ['events', 'next'],
            properties: { events: { type: 'array', items: cloudEventSchema }, next: { type: 'string' } },
          },
          ...errorResponses(400, 503),
        },
      },
    },
    async (req, reply) => {
      const q = req.query as { after?: string; limit?: string; types?: string };
      const after = q.after ?? '0-0';
      const { last } = checkCursor(after);
      const limit = q.limit === undefined ? 100 : Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_FEED_PAGE) {
        throw new AppError(
          'INPUT_INVALID',
          `limit=${q.limit}: expected an integer from 1 to ${MAX_FEED_PAGE}`,
        );
      }
      if (last) return reply.send({ events: [], next: after });
      const page = await ctx.events.page(after, limit);
      // Opt-in types (entry.editorial) only when `types` names them; `types` filters the page.
      const types = q.types ? q.types.split(',').map((t) => t.trim()) : undefined;
      const events = page.events.map((e) => e.event).filter((e) => typeWanted(e.type, types));
      return reply.send({ events, next: page.next });
    },
  );
}
