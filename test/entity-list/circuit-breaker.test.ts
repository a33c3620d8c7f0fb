import { describe, expect, it } from 'vitest';
import { DEFAULT_MASS_CHANGE_THRESHOLDS, evaluateDiff } from '../../src/entity-list/circuit-breaker.js';
import { CSL_ENTITY_LIST_URL, diffSnapshots } from '../../src/entity-list/diff.js';
import type { Snapshot } from '../../src/entity-list/types.js';
import { loadFinal } from './corpus.js';

const final = loadFinal(); // 413 entries: 5% is 20.65, so 21 removals trip the fraction rule

function withoutFirst(n: number, snapshot: Snapshot = final): Snapshot {
  return { asOf: '2024-05-09', entries: snapshot.entries.slice(n) };
}

describe('evaluateDiff, the mass-change circuit breaker (pure)', () => {
  it('lets an ordinary diff through', () => {
    const verdict = evaluateDiff(diffSnapshots(final, withoutFirst(3)), final);
    expect(verdict.held).toBe(false);
    expect(verdict.anomaly).toBeUndefined();
    expect(verdict.massChange).toMatchObject({ priorSize: 413, removed: 3 });
  });

  it('lets exactly 5% through and holds one more', () => {
    const atLimit = { ...final, entries: final.entries.slice(0, 400) }; // 5% of 400 is 20
    expect(evaluateDiff(diffSnapshots(atLimit, withoutFirst(20, atLimit)), atLimit).held).toBe(false);
    expect(evaluateDiff(diffSnapshots(atLimit, withoutFirst(21, atLimit)), atLimit).held).toBe(true);
  });

  it('holds a diff removing more than 5% of the list and reports its counts as an anomaly', () => {
    const diff = diffSnapshots(final, withoutFirst(30), { source: CSL_ENTITY_LIST_URL });
    const verdict = evaluateDiff(diff, final);
    expect(verdict.held).toBe(true);
    expect(verdict.anomaly?.type).toBe('gov.bis.entitylist.anomaly');
    expect(verdict.anomaly?.source).toBe(CSL_ENTITY_LIST_URL);
    expect(verdict.anomaly?.data).toMatchObject({
      code: 'EL_MASS_CHANGE_HELD',
      applied: false,
      massChange: {
        priorSize: 413,
        removed: 30,
        added: 0,
        revised: 0,
        removedFraction: 0.0726,
        thresholds: DEFAULT_MASS_CHANGE_THRESHOLDS,
      },
    });
    expect(verdict.anomaly?.data.message).toContain('removes 30 of 413 entries');
  });

  it('holds more than 50 removals even from a list where that is under 5%', () => {
    const big: Snapshot = {
      asOf: final.asOf,
      entries: Array.from({ length: 3 }, (_, i) =>
        final.entries.map((e) => ({ ...e, name: `${e.name} ${i}` })),
      ).flat(),
    };
    const diff = diffSnapshots(big, withoutFirst(51, big));
    expect(diff.counts.removed / big.entries.length).toBeLessThan(0.05);
    expect(evaluateDiff(diff, big).held).toBe(true);
    expect(evaluateDiff(diffSnapshots(big, withoutFirst(50, big)), big).held).toBe(false);
  });

  it('takes configurable thresholds', () => {
    const diff = diffSnapshots(final, withoutFirst(3));
    expect(evaluateDiff(diff, final, { maxRemovedFraction: 0.005, maxRemoved: 1000 }).held).toBe(true);
    expect(evaluateDiff(diff, final, { maxRemovedFraction: 1, maxRemoved: 2 }).held).toBe(true);
    expect(evaluateDiff(diff, final, { maxRemovedFraction: 1, maxRemoved: 3 }).held).toBe(false);
  });

  it('gives a held diff the same anomaly id each time it is evaluated', () => {
    const diff = diffSnapshots(final, withoutFirst(60));
    expect(evaluateDiff(diff, final).anomaly?.id).toBe(
      evaluateDiff(diffSnapshots(final, withoutFirst(60)), final).anomaly?.id,
    );
  });
});
