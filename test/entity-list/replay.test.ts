import { describe, expect, it } from 'vitest';
import { applyDocument, applyDocuments } from '../../src/entity-list/apply.js';
import type { Snapshot } from '../../src/entity-list/types.js';
import { loadBaseline, loadFinalRaw, loadTimeline } from './corpus.js';

describe('replaying the dev timeline (pure)', () => {
  const baseline = loadBaseline();
  const timeline = loadTimeline();

  it('baseline + every document in publication order gives exactly final.json', () => {
    const { next } = applyDocuments(baseline, timeline);
    const final = loadFinalRaw();
    expect(next.asOf).toBe(final.asOf);
    expect(next.entries).toHaveLength(final.entries.length);
    // Field by field and in order: the serialised state must be final.json's.
    expect(JSON.stringify(next)).toBe(JSON.stringify(final));
  });

  it('applies every change without anomalies and counts them as the corpus README does', () => {
    const { events, anomalies } = applyDocuments(baseline, timeline);
    expect(anomalies.map((a) => a.data.message)).toEqual([]);
    const count = (type: string) => events.filter((e) => e.type === type).length;
    expect(count('gov.bis.entitylist.entry.added')).toBe(184);
    expect(count('gov.bis.entitylist.entry.revised')).toBe(12);
    expect(count('gov.bis.entitylist.entry.removed')).toBe(7);
    expect(count('gov.bis.entitylist.entry.corrected')).toBe(2);
    expect(count('gov.bis.entitylist.rule.published')).toBe(15);
  });

  it('moves asOf to each document’s publication date', () => {
    let state: Snapshot = baseline;
    for (const doc of timeline) {
      state = applyDocument(state, doc).next;
      expect(state.asOf).toBe(doc.publicationDate);
    }
  });
});
