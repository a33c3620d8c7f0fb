import { createRequire } from 'node:module';
import type { FtmEntity } from '../../src/exports/ftm.js';

/**
 * Validation of FollowTheMoney entities against the model shipped by `@alephdata/followthemoney`
 * (its `defaultModel.json`, read through the package's own `Model` class): the schema exists and is
 * not abstract, every property exists on the schema, and values hold for the property's type —
 * countries are codes the model knows, dates ISO dates, URLs absolute http(s), topics known,
 * entity references point at entities of the export that fit the property's range, and lengths
 * keep to the model's limits (names excepted: see src/exports/ftm.ts).
 */
const require = createRequire(import.meta.url);
const ftm = require('@alephdata/followthemoney') as typeof import('@alephdata/followthemoney');

export const model = new ftm.Model(ftm.defaultModel);

const DATE = /^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?)?)?$/;

export function ftmProblems(entities: readonly FtmEntity[]): string[] {
  const problems: string[] = [];
  const byId = new Map(entities.map((e) => [e.id, e]));
  const countries = model.getType('country').values;
  const topics = model.getType('topic').values;
  for (const entity of entities) {
    const where = `${entity.schema} ${entity.id}`;
    const schema = model.schemata[entity.schema];
    if (!schema) {
      problems.push(`${where}: no schema ${entity.schema} in the model`);
      continue;
    }
    if (schema.abstract) problems.push(`${where}: schema ${entity.schema} is abstract`);
    if (!entity.id || entity.id.length > model.getType('entity').maxLength) problems.push(`${where}: bad id`);
    for (const [name, values] of Object.entries(entity.properties)) {
      if (!schema.hasProperty(name)) {
        problems.push(`${where}: ${entity.schema} has no property "${name}"`);
        continue;
      }
      const prop = schema.getProperty(name);
      if (!Array.isArray(values) || values.length === 0)
        problems.push(`${where}.${name}: not a non-empty list`);
      for (const value of values) {
        if (typeof value !== 'string' || value === '') {
          problems.push(`${where}.${name}: ${JSON.stringify(value)} is not a non-empty string`);
          continue;
        }
        if (prop.type.name !== 'name' && value.length > prop.maxLength)
          problems.push(`${where}.${name}: ${value.length} characters, the model allows ${prop.maxLength}`);
        switch (prop.type.name) {
          case 'country':
            if (!countries.has(value))
              problems.push(`${where}.${name}: "${value}" is not a country code of the model`);
            break;
          case 'date':
            if (!DATE.test(value)) problems.push(`${where}.${name}: "${value}" is not an ISO date`);
            break;
          case 'url':
            if (!/^https?:\/\/[^\s]+$/.test(value))
              problems.push(`${where}.${name}: "${value}" is not a URL`);
            break;
          case 'topic':
            if (!topics.has(value)) problems.push(`${where}.${name}: "${value}" is not a topic of the model`);
            break;
          case 'entity': {
            const target = byId.get(value);
            if (!target) problems.push(`${where}.${name}: points at ${value}, not in the export`);
            else if (!model.getSchema(target.schema).isA(prop.getRange()))
              problems.push(`${where}.${name}: ${target.schema} is not a ${prop.getRange().name}`);
            break;
          }
          default:
            break;
        }
      }
    }
  }
  return problems;
}
