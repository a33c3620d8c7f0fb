import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DocumentExtraction, Snapshot } from '../../src/entity-list/types.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
export const DEV_CORPUS = join(FIXTURES, 'corpus', 'dev');
export const DAILY_ISSUES = [
  join(FIXTURES, 'real', 'fr-xml', 'FR-2024-02-12.xml'),
  join(FIXTURES, 'real', 'fr-xml', 'FR-2024-02-12.updated.xml'),
];

export interface CorpusDocument {
  number: string;
  publicationDate: string;
  xmlPath: string;
  expected: DocumentExtraction;
  api: Record<string, unknown>;
}

/** The dev timeline's documents in publication order (then document number), as grade.py orders them. */
export function corpusDocuments(corpus = DEV_CORPUS): CorpusDocument[] {
  return readdirSync(join(corpus, 'docs'))
    .filter((f) => f.endsWith('.xml'))
    .map((f) => {
      const number = f.slice(0, -4);
      const api = JSON.parse(readFileSync(join(corpus, 'api', `${number}.json`), 'utf8')) as Record<
        string,
        unknown
      >;
      return {
        number,
        publicationDate: String(api.publication_date ?? ''),
        xmlPath: join(corpus, 'docs', f),
        expected: JSON.parse(
          readFileSync(join(corpus, 'expected', `${number}.json`), 'utf8'),
        ) as DocumentExtraction,
        api,
      };
    })
    .sort((a, b) => a.publicationDate.localeCompare(b.publicationDate) || a.number.localeCompare(b.number));
}

export function readSnapshot(path: string): Snapshot {
  return JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
}
