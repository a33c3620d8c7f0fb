import { describe, expect, it } from 'vitest';
import { applyDocument } from '../../src/entity-list/apply.js';
import { documentChanges } from '../../src/entity-list/document.js';
import { diffSnapshots } from '../../src/entity-list/diff.js';
import { extractFromXml } from '../../src/entity-list/extract.js';
import type { ListedEntry, Snapshot } from '../../src/entity-list/types.js';
import { driftEvent, lagDays, publicInspectionEvent } from '../../src/events/builders.js';
import { EVENT_TYPES } from '../../src/events/cloudevent.js';
import { validateEvent } from '../../src/events/validate.js';
import { buildRule } from '../support/rule-builder.js';

const entry = (name: string, citations: string[]): ListedEntry => ({
  country: 'IRAN',
  name,
  aliases: [],
  addresses: ['Tehran, Iran'],
  licenseRequirement: 'For all items subject to the EAR.',
  licenseReviewPolicy: 'Presumption of denial.',
  federalRegisterCitations: citations,
});

describe('extraction warnings reach people as anomalies', () => {
  it('turns a count the table does not match into an EL_EXTRACTION_WARNING anomaly', () => {
    const [extraction] = extractFromXml(
      buildRule({
        regtexts: [
          {
            amdpars: [
              '2. Supplement No. 4 to part 744 is amended by adding under Iran, in alphabetical order, three entities to read as follows:',
            ],
            rows: [
              { country: 'IRAN', entity: 'Alborz Parts, Tehran, Iran.' },
              { entity: 'Zagros Electronics, Shiraz, Iran.' },
            ],
          },
        ],
      }),
    );
    const prior: Snapshot = { asOf: '2025-01-01', entries: [] };
    const result = applyDocument(
      prior,
      documentChanges(extraction!, {
        publicationDate: '2025-01-06',
        effectiveDate: '2025-01-06',
        citation: '90 FR 1001',
      }),
    );
    const anomalies = result.events.filter((e) => e.type === EVENT_TYPES.anomaly);
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]!.data).toMatchObject({ code: 'EL_EXTRACTION_WARNING', applied: true });
    expect((anomalies[0]!.data as { message: string }).message).toMatch(
      /^FR doc 2025-01234: .*announces 3 entries to add under Iran, the table gives 2/,
    );
    expect(result.next.entries).toHaveLength(2);
    for (const e of result.events) expect(validateEvent(e)).toEqual({ valid: true });
  });
});

describe('public inspection events say how a filing ended', () => {
  const base = {
    documentNumber: '2019-22210',
    publicationDate: '2019-10-09',
    filedAt: '2019-10-07T12:45:00Z',
  };
  it('gives the early warning, the publication and the withdrawal distinct, stable ids', () => {
    const early = publicInspectionEvent(base);
    const published = publicInspectionEvent({
      ...base,
      status: 'published',
      publishedDocumentNumber: '2019-22210',
      publishedCitation: '84 FR 54002',
    });
    const withdrawn = publicInspectionEvent({
      ...base,
      status: 'withdrawn',
      leftAt: '2019-10-08T14:00:00Z',
      reason: 'removed_before_scheduled_publication',
    });
    expect(new Set([early.id, published.id, withdrawn.id]).size).toBe(3);
    expect(publicInspectionEvent(base).id).toBe(early.id);
    expect(publicInspectionEvent({ ...base, status: 'on_public_inspection' }).id).toBe(early.id);
    for (const e of [early, published, withdrawn]) expect(validateEvent(e)).toEqual({ valid: true });
    expect(withdrawn.data).toMatchObject({
      status: 'withdrawn',
      reason: 'removed_before_scheduled_publication',
    });
  });
});

describe('drift events say how long the source lagged', () => {
  it('measures from the latest citation of each entry the source lacks', () => {
    const ours: Snapshot = {
      asOf: '2019-10-09',
      entries: [
        entry('Alborz Parts', ['73 FR 54506, 9/22/08']),
        entry('Zagros Electronics', ['73 FR 54506, 9/22/08', '84 FR 54002, 10/9/19']),
      ],
    };
    const csl: Snapshot = { asOf: '2019-10-12', entries: [ours.entries[0]!] };
    const event = driftEvent(diffSnapshots(ours, csl, { source: 'https://example.test/csl' }));
    expect(event.data.counts).toEqual({ missing: 1, unexpected: 0, differs: 0 });
    expect(event.data.differences[0]).toMatchObject({ kind: 'missing', lagDays: 3 });
    expect(event.data.maxLagDays).toBe(3);
    expect(validateEvent(event)).toEqual({ valid: true });
  });
  it('reads two- and four-digit years and refuses citations without a date', () => {
    expect(lagDays(entry('A', ['84 FR 54002, 10/9/2019']), '2019-10-19')).toBe(10);
    expect(lagDays(entry('A', ['84 FR 54002']), '2019-10-19')).toBeUndefined();
  });
});
