/**
 * The list as screening services read it: `GET /v1/entities` (our JSON) and, in exports.ts, the
 * formats their tools already read. Both read the state through `readList`.
 */
import type { FastifyInstance } from 'fastify';
import type { Snapshot } from '../entity-list/types.js';
import { AppError } from '../errors.js';
import { isCalendarDate } from '../exports/dates.js';
import { selectEntries } from '../exports/select.js';
import type { PipelineContext } from '../pipeline/context.js';
import { asOfSchema, countrySchema, errorResponses, snapshotSchema } from './schemas.js';

export interface ListVersion {
  /** Changes whenever the list may have: a new import, or a document applied. */
  tag: string;
}

/** The version of the stored list, without reading it (for conditional requests). */
export async function listVersion(ctx: PipelineContext): Promise<ListVersion> {
  const meta = await ctx.state.meta();
  if (meta.asOf === undefined)
    throw new AppError('NOT_FOUND', 'no state imported yet: `fedreg-watch state import SNAPSHOT.json`');
  return { tag: `${meta.baselineAsOf ?? ''}|${meta.importedAt ?? ''}|${meta.version ?? '0'}` };
}

/** The list now, or as it stood on `asOf` (the imported baseline plus every change effective by then). */
export async function readList(ctx: PipelineContext, asOf?: string): Promise<Snapshot> {
  if (asOf === undefined) {
    if (!(await ctx.state.isInitialised()))
      throw new AppError('NOT_FOUND', 'no state imported yet: `fedreg-watch state import SNAPSHOT.json`');
    return (await ctx.state.read()).snapshot;
  }
  if (!isCalendarDate(asOf))
    throw new AppError('INPUT_INVALID', `asOf=${asOf}: expected a calendar date YYYY-MM-DD`);
  const baseline = await ctx.state.baseline();
  if (!baseline) throw new AppError('NOT_FOUND', 'no state imported yet');
  if (asOf < baseline.asOf) {
    throw new AppError(
      'NOT_FOUND',
      `asOf=${asOf} is before the imported baseline (${baseline.asOf}); history starts there`,
    );
  }
  return ctx.events.stateAsOf(baseline, asOf);
}

export function registerListRoutes(app: FastifyInstance, ctx: PipelineContext): void {
  app.get(
    '/v1/entities',
    {
      schema: {
        operationId: 'listEntities',
        tags: ['list'],
        summary: 'The Entity List now, or as of a date',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            asOf: asOfSchema,
            country: countrySchema,
            q: {
              type: 'string',
              minLength: 1,
              maxLength: 200,
              description:
                'words to find in an entry’s name or one of its aliases: all of them, in any order, ignoring case, accents and punctuation (exact words, not fuzzy)',
            },
          },
        },
        response: { 200: { description: 'the list', ...snapshotSchema }, ...errorResponses(400, 404, 503) },
      },
    },
    async (req) => {
      const q = req.query as { asOf?: string; country?: string; q?: string };
      const snapshot = await readList(ctx, q.asOf);
      if (q.country === undefined && q.q === undefined) return snapshot;
      return {
        ...snapshot,
        entries: selectEntries(snapshot.entries, {
          ...(q.country !== undefined ? { country: q.country } : {}),
          ...(q.q !== undefined ? { q: q.q } : {}),
        }),
      };
    },
  );
}
