/**
 * apply and diffSnapshots on a list of today's size (about 3,500 entries) and ten times that.
 *
 * The dev corpus lists a few hundred entries, so it is grown deterministically: copy k of every real
 * entry is the same row with "Branch k" in its name (a distinct key under the same destination, with
 * the same aliases, addresses and texts), until the list reaches the target size. Copy 0 is the real
 * entry, so the real document applies exactly as it does on the corpus.
 *
 * - apply: FR doc 2024-10314 (46 additions, 2 revisions) onto the state just before it.
 * - diffSnapshots: that state against a copy of the state after the document (the same 48 changes).
 *
 * Goals (issue 3): ≤ 10 ms at 3,500 entries, ≤ 100 ms at 35,000. The "×" ratio of the large to the
 * small size shows how time grows: linear growth is about 10×.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyDocument, applyDocuments } from '../src/entity-list/apply.js';
import { diffSnapshots } from '../src/entity-list/diff.js';
import { documentChanges, documentFactsFromApi, type DocumentChanges } from '../src/entity-list/document.js';
import { parseSnapshot, sortEntries } from '../src/entity-list/snapshot.js';
import type { DocumentExtraction, Snapshot } from '../src/entity-list/types.js';
import { peakRssMb, timeIt, type Benchmark, type BenchRow } from './harness.js';

const GROUP = 'apply/diff';
const DOCUMENT = '2024-10314';
const SIZES = [
  { entries: 3_500, goalMs: 10 },
  { entries: 35_000, goalMs: 100 },
] as const;

export const benchmark: Benchmark = {
  name: 'apply-diff',
  async run(): Promise<BenchRow[]> {
    const corpus = findCorpus();
    const { before, doc } = loadCorpus(corpus);
    const rows: BenchRow[] = [];
    const measured: Array<{ apply: number; diff: number }> = [];

    for (const size of SIZES) {
      const rssBefore = peakRssMb();
      const prior = grow(before, size.entries);
      // A separate copy, as a list read from eCFR or the CSL would be: no entry object is shared, so
      // every kept entry is compared field by field.
      const after = structuredClone(applyDocument(prior, doc).next);
      const label = `${prior.entries.length.toLocaleString('en-US')} entries`;

      const apply = await timeIt(() => applyDocument(prior, doc), 30, 5);
      const diff = await timeIt(() => diffSnapshots(prior, after), 30, 5);
      const small = measured[0];
      measured.push({ apply: apply.median, diff: diff.median });
      const growth = (now: number, then: number | undefined) =>
        then === undefined ? undefined : round(now / then);

      rows.push(
        {
          group: GROUP,
          name: `apply ${DOCUMENT} (${doc.changes.length} changes), ${label}`,
          value: round(apply.median),
          unit: 'ms (median)',
          ratio: growth(apply.median, small?.apply),
          goal: `≤ ${size.goalMs} ms`,
          note: `p99 ${round(apply.p99)} ms${small ? '; ratio = time vs the small list (linear ≈ 10)' : ''}`,
        },
        {
          group: GROUP,
          name: `diffSnapshots before/after ${DOCUMENT}, ${label}`,
          value: round(diff.median),
          unit: 'ms (median)',
          ratio: growth(diff.median, small?.diff),
          goal: `≤ ${size.goalMs} ms`,
          note: `p99 ${round(diff.p99)} ms`,
        },
        {
          group: GROUP,
          name: `peak RSS after ${label}`,
          value: round(peakRssMb()),
          unit: 'MB',
          note: `whole process; +${round(peakRssMb() - rssBefore)} MB while measuring this size`,
        },
      );
    }
    return rows;
  },
};

/**
 * The list grown to `target` entries: "Branch k" copies of every real entry, round after round, in
 * the list's order, so the mix of destinations and row sizes stays that of the real list.
 */
export function grow(snapshot: Snapshot, target: number): Snapshot {
  const entries = [...snapshot.entries];
  for (let copy = 1; entries.length < target; copy++) {
    for (const entry of snapshot.entries) {
      if (entries.length >= target) break;
      entries.push({ ...entry, name: `${entry.name} Branch ${copy}` });
    }
  }
  return { asOf: snapshot.asOf, entries: sortEntries(entries) };
}

function loadCorpus(dir: string): { before: Snapshot; doc: DocumentChanges } {
  const read = (...path: string[]) => JSON.parse(readFileSync(join(dir, ...path), 'utf8')) as unknown;
  const docs = readdirSync(join(dir, 'expected'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const { documentNumber: _n, ...facts } = documentFactsFromApi(read('api', f) as object);
      return documentChanges(read('expected', f) as DocumentExtraction, facts);
    })
    .sort((a, b) =>
      a.publicationDate < b.publicationDate ? -1 : a.publicationDate > b.publicationDate ? 1 : 0,
    );
  const index = docs.findIndex((d) => d.documentNumber === DOCUMENT);
  const baseline = parseSnapshot(read('baseline.json'), 'baseline.json');
  return { before: applyDocuments(baseline, docs.slice(0, index)).next, doc: docs[index]! };
}

/** test/fixtures/corpus/dev, found upwards from this file (it runs from bench/ and from dist/bench/). */
function findCorpus(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'test', 'fixtures', 'corpus', 'dev');
    if (existsSync(join(candidate, 'baseline.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('bench/apply-diff: test/fixtures/corpus/dev not found above the bench');
    dir = parent;
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
