/** `GET /v1/documents`, `GET /v1/documents/<number>`: what happened to the documents seen. */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import type { PipelineContext } from '../pipeline/context.js';
import { anyObject, cloudEventSchema, errorResponses } from './schemas.js';

export function registerDocumentRoutes(app: FastifyInstance, ctx: PipelineContext): void {
  app.get(
    '/v1/documents',
    {
      schema: {
        operationId: 'listDocuments',
        tags: ['documents'],
        summary: 'Pending and quarantined documents',
        response: {
          200: {
            description: 'documents not (yet) applied',
            type: 'object',
            properties: {
              pending: { type: 'array', items: anyObject },
              quarantined: { type: 'array', items: anyObject },
              count: { type: 'integer' },
            },
          },
          ...errorResponses(503),
        },
      },
    },
    async () => ({
      pending: await ctx.documents.pending(),
      quarantined: await ctx.documents.quarantined(),
      count: await ctx.documents.count(),
    }),
  );

  app.get(
    '/v1/documents/:number',
    {
      schema: {
        operationId: 'getDocument',
        tags: ['documents'],
        summary: 'What happened to one document',
        description: 'status, events, anomalies, quarantine reason',
        params: {
          type: 'object',
          required: ['number'],
          properties: {
            number: { type: 'string', minLength: 1, maxLength: 40, description: 'FR document number' },
          },
        },
        response: {
          200: {
            description: 'the document’s record',
            type: 'object',
            additionalProperties: true,
            properties: {
              status: { type: 'string' },
              events: { type: 'array', items: cloudEventSchema },
              anomalies: { type: 'array', items: cloudEventSchema },
              quarantine: anyObject,
            },
          },
          ...errorResponses(404, 503),
        },
      },
    },
    async (req) => {
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
    },
  );
}
