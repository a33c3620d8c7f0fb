/**
 * Validation of events against the published JSON Schemas (`schemas/events/*.schema.json`, draft
 * 2020-12). The pipeline validates before appending to the event log; tests validate everything
 * we build. The schemas are compiled once, on first use.
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import anomaly from '../../schemas/events/anomaly.schema.json' with { type: 'json' };
import common from '../../schemas/events/common.schema.json' with { type: 'json' };
import drift from '../../schemas/events/drift.schema.json' with { type: 'json' };
import entryAdded from '../../schemas/events/entry.added.schema.json' with { type: 'json' };
import entryCorrected from '../../schemas/events/entry.corrected.schema.json' with { type: 'json' };
import entryEditorial from '../../schemas/events/entry.editorial.schema.json' with { type: 'json' };
import entryRemoved from '../../schemas/events/entry.removed.schema.json' with { type: 'json' };
import entryRevised from '../../schemas/events/entry.revised.schema.json' with { type: 'json' };
import rulePublicInspection from '../../schemas/events/rule.public_inspection.schema.json' with { type: 'json' };
import rulePublished from '../../schemas/events/rule.published.schema.json' with { type: 'json' };
import { AppError } from '../errors.js';
import { EVENT_TYPES, type EventType } from './cloudevent.js';

// ajv and ajv-formats are CommonJS with a `default` export; under NodeNext the default import is the
// module object, whose `default` is the constructor / plugin.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

/** The schema of each event type, as published. */
export const EVENT_SCHEMAS: Readonly<Record<EventType, { $id: string }>> = Object.freeze({
  [EVENT_TYPES.entryAdded]: entryAdded,
  [EVENT_TYPES.entryRevised]: entryRevised,
  [EVENT_TYPES.entryRemoved]: entryRemoved,
  [EVENT_TYPES.entryCorrected]: entryCorrected,
  [EVENT_TYPES.entryEditorial]: entryEditorial,
  [EVENT_TYPES.rulePublished]: rulePublished,
  [EVENT_TYPES.rulePublicInspection]: rulePublicInspection,
  [EVENT_TYPES.anomaly]: anomaly,
  [EVENT_TYPES.drift]: drift,
});

export type EventValidation = { valid: true } | { valid: false; errors: string[] };

let validators: Map<string, ValidateFunction> | undefined;

function compiled(): Map<string, ValidateFunction> {
  if (validators) return validators;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  ajv.addSchema(common);
  validators = new Map(Object.entries(EVENT_SCHEMAS).map(([type, schema]) => [type, ajv.compile(schema)]));
  return validators;
}

/** Checks an event against the schema of its `type`; unknown types are invalid. */
export function validateEvent(event: unknown): EventValidation {
  const type = (event as { type?: unknown } | null)?.type;
  const validate = typeof type === 'string' ? compiled().get(type) : undefined;
  if (!validate)
    return {
      valid: false,
      errors: [
        `type: expected one of ${Object.keys(EVENT_SCHEMAS).join(', ')}, found ${JSON.stringify(type)}`,
      ],
    };
  if (validate(event)) return { valid: true };
  return { valid: false, errors: (validate.errors ?? []).map(describe) };
}

/** Like `validateEvent`, but throws AppError INPUT_INVALID naming the event and what is wrong. */
export function assertValidEvent(event: unknown): void {
  const result = validateEvent(event);
  if (result.valid) return;
  const { id, type } = (event ?? {}) as { id?: unknown; type?: unknown };
  throw new AppError(
    'INPUT_INVALID',
    `event ${String(id)} (${String(type)}) does not match its schema: ${result.errors.join('; ')}`,
    {
      context: { id, type, errors: result.errors },
    },
  );
}

function describe(error: ErrorObject): string {
  return `${error.instancePath || '(event)'} ${error.message ?? 'is invalid'}${error.params && Object.keys(error.params).length ? ` ${JSON.stringify(error.params)}` : ''}`;
}
