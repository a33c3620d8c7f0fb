/**
 * JSON Schemas the routes declare: Fastify validates requests against them, and the OpenAPI
 * document (openapi.ts) is generated from the same objects, so the two cannot drift apart.
 * Responses are described, not enforced: the server sends them with JSON.stringify (see server.ts).
 */
import { ALL_EVENT_TYPES } from '../events/cloudevent.js';

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: {
          type: 'string',
          description: 'stable error code (INPUT_INVALID, NOT_FOUND, UNAUTHORIZED, …)',
        },
        message: { type: 'string', description: 'what was wrong, where, and how to fix it' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            required: ['in', 'name', 'message'],
            properties: {
              in: { type: 'string', enum: ['querystring', 'params', 'headers', 'body', 'request'] },
              name: { type: 'string' },
              message: { type: 'string' },
            },
          },
        },
      },
    },
  },
} as const;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad input: a query parameter, path parameter, header or body that does not hold (INPUT_INVALID)',
  401: 'No or wrong admin token (UNAUTHORIZED)',
  404: 'Not found (NOT_FOUND), or no state imported yet',
  422: 'Well-formed but refused (e.g. WEBHOOK_URL_FORBIDDEN)',
  503: 'Redis unavailable, or the service is not ready',
};

/** Error answers for a route's `response`, in the one error shape. */
export function errorResponses(...codes: number[]): Record<number, unknown> {
  return Object.fromEntries(
    codes.map((code) => [code, { description: ERROR_DESCRIPTIONS[code] ?? 'Error', ...errorSchema }]),
  );
}

export const isoDateSchema = {
  type: 'string',
  format: 'date',
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
} as const;

export const countrySchema = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  description:
    "a destination, matched as subscription filters match: `China`, `CHINA` and `CHINA, PEOPLE'S REPUBLIC OF` are one",
} as const;

export const asOfSchema = {
  ...isoDateSchema,
  description: 'the list as it stood on this date (history starts at the imported baseline)',
} as const;

const stringList = { type: 'array', items: { type: 'string' } } as const;

export const listedEntrySchema = {
  type: 'object',
  required: [
    'country',
    'name',
    'aliases',
    'addresses',
    'licenseRequirement',
    'licenseReviewPolicy',
    'federalRegisterCitations',
  ],
  properties: {
    country: { type: 'string' },
    name: { type: 'string' },
    aliases: stringList,
    addresses: stringList,
    licenseRequirement: { type: 'string' },
    licenseReviewPolicy: { type: 'string' },
    federalRegisterCitations: stringList,
    footnotes: stringList,
    seeAlso: stringList,
  },
} as const;

export const snapshotSchema = {
  type: 'object',
  required: ['asOf', 'entries'],
  properties: {
    asOf: { type: 'string', format: 'date' },
    entries: { type: 'array', items: listedEntrySchema },
  },
} as const;

export const cloudEventSchema = {
  type: 'object',
  description: 'a CloudEvents 1.0 event; each type has a JSON Schema at /schemas/events/<type>.json',
  required: ['specversion', 'id', 'source', 'type', 'time', 'data'],
  properties: {
    specversion: { type: 'string', const: '1.0' },
    id: { type: 'string' },
    source: { type: 'string' },
    type: { type: 'string', enum: [...ALL_EVENT_TYPES] },
    subject: { type: 'string' },
    time: { type: 'string' },
    datacontenttype: { type: 'string' },
    data: { type: 'object', additionalProperties: true },
  },
  additionalProperties: true,
} as const;

export const subscriptionSchema = {
  type: 'object',
  required: ['id', 'url', 'filter', 'createdAt'],
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    description: { type: 'string' },
    filter: {
      type: 'object',
      properties: { types: stringList, countries: stringList },
    },
    createdAt: { type: 'string' },
    startCursor: { type: 'string' },
    disabled: { type: 'object', properties: { at: { type: 'string' }, reason: { type: 'string' } } },
    failingSince: { type: 'string' },
    lastSuccessAt: { type: 'string' },
    lastFailureAt: { type: 'string' },
  },
} as const;

export const anyObject = { type: 'object', additionalProperties: true } as const;

/** Admin routes: the bearer scheme of the OpenAPI document. */
export const ADMIN_SECURITY = [{ adminBearer: [] }];
