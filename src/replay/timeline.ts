import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyDocuments } from '../entity-list/apply.js';
import { documentChanges, documentFactsFromApi, type DocumentChanges } from '../entity-list/document.js';
import { extractFromXml } from '../entity-list/extract.js';
import { entryKey } from '../entity-list/identity.js';
import type { EntryChange, ListedEntry, Snapshot } from '../entity-list/types.js';
import type { Corpus } from './corpus.js';

/**
 * The state of the Entity List on a date, as the replay server's eCFR renders it. The eCFR is
 * the authority the service reconciles against, so the replay renders the corpus's own truth:
 * `baseline.json` plus the changes of `expected/<n>.json` for every document published up to the
 * date, applied by entry key. (Rendering our own extraction instead would make reconciliation
 * compare the service with itself.) A corpus without `expected/` falls back to extracting its
 * XML and applying that (`extractedStateAt`). Callers can inject another `StateAt`.
 */
export type StateAt = (date: string) => Promise<Snapshot>;

interface DocumentTruth {
  documentNumber: string;
  changes: EntryChange[];
}

/** Applies ground-truth changes by key. Revisions of an unknown key are added; removals of one are ignored. */
export function applyTruth(state: Map<string, ListedEntry>, changes: readonly EntryChange[]): string[] {
  const problems: string[] = [];
  for (const c of changes) {
    const key = entryKey(c.country, c.entry.name);
    if (c.action === 'remove') {
      if (!state.delete(key)) problems.push(`remove of unknown entry ${c.country} / ${c.entry.name}`);
      continue;
    }
    if (c.action !== 'add' && !state.has(key))
      problems.push(`${c.action} of unknown entry ${c.country} / ${c.entry.name}`);
    state.set(key, { country: c.country, ...(c.entry as Omit<ListedEntry, 'country'>) });
  }
  return problems;
}

function sorted(entries: Iterable<ListedEntry>): ListedEntry[] {
  return [...entries].sort((a, b) => a.country.localeCompare(b.country) || a.name.localeCompare(b.name));
}

/**
 * `StateAt` from the corpus files, or undefined when the corpus has no `baseline.json` or no
 * `expected/` directory. States are computed once per distinct set of documents and cached.
 */
export function groundTruthStateAt(corpus: Corpus): StateAt | undefined {
  const baseline = corpus.baseline;
  const expectedDir = join(corpus.dir, 'expected');
  if (!baseline || !existsSync(expectedDir)) return undefined;
  const truths = new Map<string, Promise<DocumentTruth | undefined>>();
  const truthOf = (number: string): Promise<DocumentTruth | undefined> => {
    let t = truths.get(number);
    if (!t) {
      const file = join(expectedDir, `${number}.json`);
      t = existsSync(file)
        ? readFile(file, 'utf8').then((text) => JSON.parse(text) as DocumentTruth)
        : Promise.resolve(undefined);
      truths.set(number, t);
    }
    return t;
  };
  const cache = new Map<number, Promise<Snapshot>>();
  return async (date: string): Promise<Snapshot> => {
    const docs = corpus.documents.filter(
      (d) => d.publicationDate <= date && d.publicationDate > baseline.asOf,
    );
    const count = docs.length;
    let snap = cache.get(count);
    if (!snap) {
      snap = (async () => {
        const state = new Map<string, ListedEntry>();
        for (const e of baseline.entries) state.set(entryKey(e.country, e.name), e);
        let asOf = baseline.asOf;
        for (const d of docs) {
          const truth = await truthOf(d.number);
          if (truth) applyTruth(state, truth.changes);
          asOf = d.publicationDate;
        }
        return { asOf, entries: sorted(state.values()) };
      })();
      cache.set(count, snap);
    }
    const s = await snap;
    return { asOf: date < s.asOf ? s.asOf : date, entries: s.entries };
  };
}

/**
 * `StateAt` for a corpus with `baseline.json` but no `expected/`: the documents' XML run through
 * extraction and `apply`, the way the service itself would build the state. Undefined without a
 * baseline.
 */
export function extractedStateAt(corpus: Corpus): StateAt | undefined {
  const baseline = corpus.baseline;
  if (!baseline) return undefined;
  const changes = new Map<string, Promise<DocumentChanges | undefined>>();
  const changesOf = (doc: Corpus['documents'][number]): Promise<DocumentChanges | undefined> => {
    let c = changes.get(doc.key);
    if (!c) {
      c = doc.xmlFile
        ? readFile(doc.xmlFile).then((xml) => {
            const extraction = extractFromXml(xml, { fallbackDocumentNumber: doc.number })[0];
            return extraction ? documentChanges(extraction, documentFactsFromApi(doc.record)) : undefined;
          })
        : Promise.resolve(undefined);
      changes.set(doc.key, c);
    }
    return c;
  };
  const cache = new Map<number, Promise<Snapshot>>();
  return async (date: string): Promise<Snapshot> => {
    const docs = corpus.documents.filter(
      (d) => d.publicationDate <= date && d.publicationDate > baseline.asOf,
    );
    let snap = cache.get(docs.length);
    if (!snap) {
      snap = (async () => {
        const list = (await Promise.all(docs.map(changesOf))).filter(
          (c): c is DocumentChanges => c !== undefined,
        );
        return applyDocuments(baseline, list).next;
      })();
      cache.set(docs.length, snap);
    }
    const s = await snap;
    return { asOf: date < s.asOf ? s.asOf : date, entries: s.entries };
  };
}
