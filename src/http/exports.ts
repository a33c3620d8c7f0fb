/**
 * `/v1/exports/*`: the list in the formats screening tools already read — the Consolidated
 * Screening List (CSV, JSON), FollowTheMoney entities and OpenSanctions delta lines. Streamed as
 * built, and answered with 304 when the client's `If-None-Match` names the list's version.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Snapshot } from '../entity-list/types.js';
import { AppError } from '../errors.js';
import { parseCitation } from '../exports/dates.js';
import { selectEntries } from '../exports/select.js';
import { CONTENT_TYPES, exportChunks, ftmDeltaChunks, type ExportFormat } from '../exports/stream.js';
import type { PipelineContext } from '../pipeline/context.js';
import { listVersion, readList } from './list.js';
import { asOfSchema, countrySchema, errorResponses, isoDateSchema } from './schemas.js';

interface ExportQuery {
  asOf?: string;
  country?: string;
  since?: string;
}

const ROUTES: Array<{ path: string; format: ExportFormat; summary: string; description: string }> = [
  {
    path: '/v1/exports/csl.csv',
    format: 'csl-csv',
    summary: 'The list as the Consolidated Screening List CSV',
    description:
      'trade.gov’s consolidated.csv header exactly, one row per entry (source “Entity List (EL) - Bureau of Industry and Security”), RFC 4180 quoting, a stable `_id` per entry.',
  },
  {
    path: '/v1/exports/csl.json',
    format: 'csl-json',
    summary: 'The list as the Consolidated Screening List JSON',
    description:
      '`{"total": n, "results": [...]}` with the CSL API’s row shape (lists for alt_names and addresses).',
  },
  {
    path: '/v1/exports/ftm.jsonl',
    format: 'ftm',
    summary: 'The list as FollowTheMoney entities (JSON Lines)',
    description:
      'Per entry a Company, Organization, Person or LegalEntity and a Sanction pointing at it; ids are stable across runs and releases.',
  },
];

const conditionalHeaders = {
  type: 'object',
  properties: {
    'if-none-match': {
      type: 'string',
      description: 'an ETag from an earlier answer: 304 when the list is unchanged',
    },
  },
} as const;

function streamResponse(contentType: string) {
  return {
    200: {
      description: 'the export, streamed; `ETag` names the list’s version',
      headers: { etag: { type: 'string' } },
      content: { [contentType.split(';')[0]!]: { schema: { type: 'string' } } },
    },
    304: { description: 'unchanged since the ETag given in If-None-Match', type: 'null' },
    ...errorResponses(400, 404, 503),
  };
}

/** `start_date`s the service knows better than citations print: each applied rule's effective date. */
async function effectiveDates(ctx: PipelineContext): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let after = '0';
  for (;;) {
    const page = await ctx.events.page(after, 1000);
    for (const { event } of page.events) {
      const data = event.data as { citation?: unknown; effectiveDate?: unknown } | null;
      if (typeof data?.citation !== 'string' || typeof data.effectiveDate !== 'string') continue;
      const citation = parseCitation(data.citation);
      if (citation && !out.has(citation.reference)) out.set(citation.reference, data.effectiveDate);
    }
    if (page.events.length < 1000) return out;
    after = page.next;
  }
}

/** One map per version of the list, so repeated exports do not read the whole log again. */
class EffectiveDatesCache {
  private tag = '';
  private value: Promise<Map<string, string>> | undefined;
  get(ctx: PipelineContext, tag: string): Promise<Map<string, string>> {
    if (this.tag !== tag || !this.value) {
      this.tag = tag;
      this.value = effectiveDates(ctx);
      this.value.catch(() => {
        this.value = undefined;
      });
    }
    return this.value;
  }
}

/**
 * The current list, parsed and sorted once per version: screening services poll exports far more
 * often than the list changes (a few rules a week), and reading 35,000 entries from Redis is most
 * of an export's time to first byte. Lists as of a date are not kept.
 */
class CurrentListCache {
  private tag = '';
  private value: Promise<Snapshot> | undefined;
  get(ctx: PipelineContext, tag: string): Promise<Snapshot> {
    if (this.tag !== tag || !this.value) {
      this.tag = tag;
      this.value = readList(ctx);
      this.value.catch(() => {
        this.value = undefined;
      });
    }
    return this.value;
  }
}

function etagOf(tag: string, request: string): string {
  return `"${createHash('sha256').update(`${tag}\u0000${request}`).digest('base64url').slice(0, 27)}"`;
}

/** RFC 9110: `If-None-Match` is a list of tags, or `*`; weak comparison. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

export function registerExportRoutes(app: FastifyInstance, ctx: PipelineContext): void {
  const dates = new EffectiveDatesCache();
  const current = new CurrentListCache();
  /** The list a request asks for: the current one (kept per version), or as of a date. */
  const listFor = (tag: string, asOf: string | undefined): Promise<Snapshot> =>
    asOf === undefined ? current.get(ctx, tag) : readList(ctx, asOf);

  /** 304, or the export as a stream with its ETag. */
  async function answer(
    req: FastifyRequest,
    reply: FastifyReply,
    kind: ExportFormat | 'ftm-delta',
    build: (effective: Map<string, string>, tag: string) => Promise<AsyncGenerator<string>>,
  ): Promise<FastifyReply> {
    const q = req.query as ExportQuery;
    const version = await listVersion(ctx);
    const etag = etagOf(version.tag, `${kind}|${q.asOf ?? ''}|${q.country ?? ''}|${q.since ?? ''}`);
    if (matches(req.headers['if-none-match'], etag))
      return reply.code(304).header('etag', etag).header('cache-control', 'no-cache').send();
    const chunks = await build(await dates.get(ctx, version.tag), version.tag);
    return reply
      .header('etag', etag)
      .header('cache-control', 'no-cache')
      .type(CONTENT_TYPES[kind])
      .send(Readable.from(chunks, { objectMode: false }));
  }

  for (const route of ROUTES) {
    app.get(
      route.path,
      {
        schema: {
          operationId: `export_${route.format.replace('-', '_')}`,
          tags: ['exports'],
          summary: route.summary,
          description: route.description,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { asOf: asOfSchema, country: countrySchema },
          },
          headers: conditionalHeaders,
          response: streamResponse(CONTENT_TYPES[route.format]),
        },
      },
      async (req, reply) =>
        answer(req, reply, route.format, async (effectiveDates, tag) => {
          const q = req.query as ExportQuery;
          const list = await listFor(tag, q.asOf);
          const entries =
            q.country === undefined ? list.entries : selectEntries(list.entries, { country: q.country });
          return exportChunks(route.format, entries, { effectiveDates });
        }),
    );
  }

  app.get(
    '/v1/exports/ftm-delta.jsonl',
    {
      schema: {
        operationId: 'export_ftm_delta',
        tags: ['exports'],
        summary: 'What changed since a date, as OpenSanctions delta lines',
        description:
          'One line per FollowTheMoney entity that changed between the list as of `since` and the list now (or as of `asOf`): `{"op": "ADD"|"MOD"|"DEL", "entity": {...}}`; DEL carries the entity as it last was.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['since'],
          properties: {
            since: { ...isoDateSchema, description: 'the list as of this date is the starting point' },
            asOf: asOfSchema,
            country: countrySchema,
          },
        },
        headers: conditionalHeaders,
        response: streamResponse(CONTENT_TYPES['ftm-delta']),
      },
    },
    async (req, reply) =>
      answer(req, reply, 'ftm-delta', async (effectiveDates, tag) => {
        const q = req.query as ExportQuery & { since: string };
        if (q.asOf !== undefined && q.asOf < q.since)
          throw new AppError('INPUT_INVALID', `asOf=${q.asOf} is before since=${q.since}`);
        const [before, after] = await Promise.all([readList(ctx, q.since), listFor(tag, q.asOf)]);
        const pick = (entries: typeof before.entries) =>
          q.country === undefined ? entries : selectEntries(entries, { country: q.country });
        return ftmDeltaChunks(pick(before.entries), pick(after.entries), { effectiveDates });
      }),
  );
}
