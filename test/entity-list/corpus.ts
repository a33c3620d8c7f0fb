/**
 * The dev corpus (test/fixtures/corpus/dev, constructed from real CSL records; see
 * test/fixtures/corpus/README.constructed.md): baseline, final state, and every document's golden
 * extraction joined with its FR API record, in publication order.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  documentChanges,
  documentFactsFromApi,
  type DocumentChanges,
} from '../../src/entity-list/document.js';
import { parseSnapshot } from '../../src/entity-list/snapshot.js';
import type { DocumentExtraction, Snapshot } from '../../src/entity-list/types.js';

export const CORPUS_DIR = fileURLToPath(new URL('../fixtures/corpus/dev/', import.meta.url));

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function loadBaseline(): Snapshot {
  return parseSnapshot(readJson(join(CORPUS_DIR, 'baseline.json')), 'baseline.json');
}

export function loadFinal(): Snapshot {
  return parseSnapshot(readJson(join(CORPUS_DIR, 'final.json')), 'final.json');
}

/** The raw final.json, not passed through parseSnapshot, for exact comparison. */
export function loadFinalRaw(): Snapshot {
  return readJson(join(CORPUS_DIR, 'final.json')) as Snapshot;
}

export type ExpectedExtraction = Pick<
  DocumentExtraction,
  'documentNumber' | 'isEntityListChange' | 'changes'
>;

export function loadExpected(documentNumber: string): ExpectedExtraction {
  return readJson(join(CORPUS_DIR, 'expected', `${documentNumber}.json`)) as ExpectedExtraction;
}

export function loadDocument(documentNumber: string): DocumentChanges {
  const facts = documentFactsFromApi(readJson(join(CORPUS_DIR, 'api', `${documentNumber}.json`)) as object);
  const { documentNumber: _n, ...rest } = facts;
  return documentChanges(loadExpected(documentNumber), rest);
}

/** Every document of the timeline, ordered by publication date (then document number). */
export function loadTimeline(): DocumentChanges[] {
  return readdirSync(join(CORPUS_DIR, 'expected'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => loadDocument(f.replace(/\.json$/, '')))
    .sort((a, b) =>
      a.publicationDate < b.publicationDate
        ? -1
        : a.publicationDate > b.publicationDate
          ? 1
          : a.documentNumber < b.documentNumber
            ? -1
            : 1,
    );
}
