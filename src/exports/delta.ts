/**
 * What changed between two states of the list, as OpenSanctions delta lines: `ADD` for an entity
 * that is new, `MOD` for one whose content changed, `DEL` for one that is gone (carrying the
 * entity as it last was). Entities compare by their stable ids, so a revised entry is a `MOD` of
 * its legal entity and of its `Sanction`, and a renamed one is a `DEL` and an `ADD`. Pure.
 */
import { keyOf } from '../entity-list/snapshot.js';
import type { ListedEntry } from '../entity-list/types.js';
import { ftmEntities, type FtmEntity, type FtmOptions } from './ftm.js';

export type DeltaOp = 'ADD' | 'MOD' | 'DEL';

export interface DeltaLine {
  op: DeltaOp;
  entity: FtmEntity;
}

/** Each entry's entities, numbering repeated keys as the full export does. */
function* entitiesOf(entries: Iterable<ListedEntry>, options: FtmOptions): Generator<FtmEntity> {
  const seen = new Map<string, number>();
  for (const entry of entries) {
    const key = keyOf(entry);
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    yield* ftmEntities(entry, { ...options, occurrence });
  }
}

function byId(entries: Iterable<ListedEntry>, options: FtmOptions): Map<string, FtmEntity> {
  const out = new Map<string, FtmEntity>();
  for (const entity of entitiesOf(entries, options)) out.set(entity.id, entity);
  return out;
}

/** Delta lines in a stable order: additions and modifications in `after`'s order, then deletions. */
export function* ftmDelta(
  before: Iterable<ListedEntry>,
  after: Iterable<ListedEntry>,
  options: FtmOptions = {},
): Generator<DeltaLine> {
  const old = byId(before, options);
  const seen = new Set<string>();
  for (const entity of entitiesOf(after, options)) {
    seen.add(entity.id);
    const prior = old.get(entity.id);
    if (!prior) yield { op: 'ADD', entity };
    else if (JSON.stringify(prior) !== JSON.stringify(entity)) yield { op: 'MOD', entity };
  }
  for (const [id, entity] of old) if (!seen.has(id)) yield { op: 'DEL', entity };
}
