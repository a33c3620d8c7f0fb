import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractFromXml } from '../../src/entity-list/extract.js';
import type { EntryChange } from '../../src/entity-list/types.js';
import { ROOT } from '../support/cli.js';
import { corpusDocuments } from '../support/fixtures.js';

/**
 * Generalisation: corpora generated from CSL rows the dev corpus does not use, in wordings and
 * layouts real rules use (scripts/holdout), must extract as well as dev does. Scored like the
 * acceptance grader: changes keyed by (action, destination, name); fields compared after its
 * normalisation.
 */
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const norm = (s: unknown): string =>
  String(s ?? '')
    .normalize('NFKC')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[-\s]+/, '')
    .replace(/[\s.;,:]+$/, '')
    .replace(/^and\s+/i, '')
    .toLowerCase();
const key = (c: EntryChange): string => [c.action, c.country, c.entry.name].map(norm).join('|');
const FIELDS = [
  'aliases',
  'addresses',
  'licenseRequirement',
  'licenseReviewPolicy',
  'federalRegisterCitations',
] as const;
const same = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) || Array.isArray(b)
    ? JSON.stringify(((a as unknown[]) ?? []).map(norm).filter(Boolean)) ===
      JSON.stringify(((b as unknown[]) ?? []).map(norm).filter(Boolean))
    : norm(a) === norm(b);

describe.each([
  ['1', 'mixed', 'mixed'],
  ['2', 'off', 'mixed'],
  ['3', 'mixed', 'real-pretty'],
  ['3', 'mixed', 'real-compact'],
])('a generated holdout corpus (seed %s, supplementary name lists %s, layout %s)', (seed, names, layout) => {
  it('extracts with F1 and field accuracy of at least 0.99', () => {
    const dir = mkdtempSync(join(tmpdir(), `fedreg-holdout-${seed}-`));
    dirs.push(dir);
    const gen = spawnSync(
      process.execPath,
      [
        join(ROOT, 'scripts', 'holdout', 'generate.mjs'),
        '--seed',
        seed,
        '--out',
        dir,
        '--suplinf-names',
        names,
        '--layout',
        layout,
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(gen.status, gen.stderr).toBe(0);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let fieldsOk = 0;
    let fieldsAll = 0;
    for (const doc of corpusDocuments(dir)) {
      const [got] = extractFromXml(readFileSync(doc.xmlPath));
      expect(got!.isEntityListChange, doc.number).toBe(doc.expected.isEntityListChange);
      const want = new Map(doc.expected.changes.map((c) => [key(c), c]));
      const have = new Map(got!.changes.map((c) => [key(c), c]));
      for (const [k, w] of want) {
        const h = have.get(k);
        if (!h) {
          fn++;
          continue;
        }
        tp++;
        if (w.action === 'remove') continue;
        for (const f of FIELDS) {
          fieldsAll++;
          if (same((w.entry as Record<string, unknown>)[f], (h.entry as Record<string, unknown>)[f]))
            fieldsOk++;
        }
      }
      fp += [...have.keys()].filter((k) => !want.has(k)).length;
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    const f1 = (2 * precision * recall) / (precision + recall);
    expect(tp).toBeGreaterThan(150);
    expect(f1).toBeGreaterThanOrEqual(0.99);
    expect(fieldsOk / fieldsAll).toBeGreaterThanOrEqual(0.99);
  });
});
