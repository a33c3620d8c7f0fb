import { describe, expect, it } from 'vitest';
import {
  emptyPublicInspectionState,
  isEntityListFiling,
  PI_EVENT_TYPE,
  PI_PUBLISHED_EVENT_TYPE,
  PI_WITHDRAWN_EVENT_TYPE,
  trackPublicInspection,
  type PublicInspectionState,
} from '../../src/federal-register/public-inspection.js';
import type { FrPublicInspectionDocument } from '../../src/federal-register/types.js';

/** Pure tier: the public inspection tracker, state in, outcomes out. */

const BIS = [
  { name: 'Commerce Department', slug: 'commerce-department' },
  {
    name: 'Industry and Security Bureau',
    raw_name: 'Bureau of Industry and Security',
    slug: 'industry-and-security-bureau',
  },
];

function filing(
  n: string,
  scheduled: string,
  extra: Partial<FrPublicInspectionDocument> = {},
): FrPublicInspectionDocument {
  return {
    document_number: n,
    title: 'Addition of Certain Entities to the Entity List',
    agencies: BIS,
    filing_type: 'regular',
    filed_at: '2012-03-20T08:45:00.000-04:00',
    publication_date: scheduled,
    pdf_url: `https://public-inspection.federalregister.gov/${n}.pdf`,
    raw_text_url: `https://public-inspection.federalregister.gov/${n}.txt`,
    ...extra,
  };
}

function step(
  state: PublicInspectionState,
  at: string,
  listing: FrPublicInspectionDocument[],
  published: Array<{ document_number: string; publication_date: string; citation?: string }> = [],
) {
  return trackPublicInspection(state, { at, listing, complete: true, published });
}

describe('recognising Entity List filings', () => {
  it('needs BIS and an Entity List subject', () => {
    expect(isEntityListFiling(filing('2012-7333', '2012-03-22'))).toBe(true);
    expect(
      isEntityListFiling(
        filing('2012-7333', '2012-03-22', { title: 'Export Administration Regulations: Wassenaar' }),
      ),
    ).toBe(false);
    expect(
      isEntityListFiling(
        filing('2012-7333', '2012-03-22', {
          title: 'Revisions',
          toc_subject: 'Entity List; Additions',
          agencies: [],
          agency_names: ['Industry and Security Bureau'],
        }),
      ),
    ).toBe(true);
    expect(
      isEntityListFiling(
        filing('2012-7333', '2012-03-22', {
          agencies: [{ name: 'Treasury Department', slug: 'treasury-department' }],
        }),
      ),
    ).toBe(false);
  });
});

describe('public inspection tracker', () => {
  it('reports a new filing once, with its filing facts', () => {
    const s0 = emptyPublicInspectionState();
    const a = step(s0, '2012-03-20T13:00:00Z', [
      filing('2012-7333', '2012-03-22'),
      filing('2012-7400', '2012-03-22', { title: 'Other rule' }),
    ]);
    expect(a.outcomes).toHaveLength(1);
    expect(a.outcomes[0]).toMatchObject({
      type: PI_EVENT_TYPE,
      data: {
        documentNumber: '2012-7333',
        filingType: 'regular',
        filedAt: '2012-03-20T08:45:00.000-04:00',
        scheduledPublicationDate: '2012-03-22',
        pdfUrl: 'https://public-inspection.federalregister.gov/2012-7333.pdf',
        textUrl: 'https://public-inspection.federalregister.gov/2012-7333.txt',
      },
    });
    const b = step(a.state, '2012-03-21T13:00:00Z', [filing('2012-7333', '2012-03-22')]);
    expect(b.outcomes).toEqual([]);
  });

  it('links the published document even when the numbers differ in zero padding', () => {
    const a = step(emptyPublicInspectionState(), '2012-03-20T13:00:00Z', [filing('2012-7333', '2012-03-22')]);
    const b = step(
      a.state,
      '2012-03-22T11:00:00Z',
      [],
      [{ document_number: '2012-07333', publication_date: '2012-03-22', citation: '77 FR 16592' }],
    );
    expect(b.outcomes).toEqual([
      expect.objectContaining({
        type: PI_PUBLISHED_EVENT_TYPE,
        data: expect.objectContaining({
          documentNumber: '2012-7333',
          publishedDocumentNumber: '2012-07333',
          citation: '77 FR 16592',
        }),
      }),
    ]);
    expect(b.state.filings['2012-7333']!.status).toBe('published');
    // Seeing it published again changes nothing.
    expect(
      step(
        b.state,
        '2012-03-23T11:00:00Z',
        [],
        [{ document_number: '2012-07333', publication_date: '2012-03-22' }],
      ).outcomes,
    ).toEqual([]);
  });

  it('says withdrawn when a filing leaves before its scheduled date', () => {
    const a = step(emptyPublicInspectionState(), '2012-03-20T13:00:00Z', [filing('2012-7333', '2012-03-22')]);
    const b = step(a.state, '2012-03-21T13:00:00Z', []);
    expect(b.outcomes).toEqual([
      expect.objectContaining({
        type: PI_WITHDRAWN_EVENT_TYPE,
        data: expect.objectContaining({
          documentNumber: '2012-7333',
          reason: 'removed_before_scheduled_publication',
          leftAt: '2012-03-21T13:00:00Z',
        }),
      }),
    ]);
  });

  it('waits for a late publication before calling a filing that left on schedule withdrawn', () => {
    const a = step(emptyPublicInspectionState(), '2012-03-20T13:00:00Z', [filing('2012-7333', '2012-03-22')]);
    const b = step(a.state, '2012-03-22T11:00:00Z', []); // left on its date, not yet in the API
    expect(b.outcomes).toEqual([]);
    expect(b.state.filings['2012-7333']!.leftAt).toBe('2012-03-22T11:00:00Z');
    const c = step(
      b.state,
      '2012-03-23T11:00:00Z',
      [],
      [{ document_number: '2012-07333', publication_date: '2012-03-22' }],
    );
    expect(c.outcomes.map((o) => o.type)).toEqual([PI_PUBLISHED_EVENT_TYPE]);
    // The same filing never published: withdrawn after the grace period.
    const d = step(b.state, '2012-03-24T11:00:00Z', []);
    expect(d.outcomes).toEqual([]);
    const e = step(d.state, '2012-03-25T11:00:00Z', []);
    expect(e.outcomes).toEqual([
      expect.objectContaining({
        type: PI_WITHDRAWN_EVENT_TYPE,
        data: expect.objectContaining({
          reason: 'not_published_after_grace',
          leftAt: '2012-03-22T11:00:00Z',
        }),
      }),
    ]);
  });

  it('partial listings (one available_on date) never withdraw anything', () => {
    const a = step(emptyPublicInspectionState(), '2012-03-20T13:00:00Z', [filing('2012-7333', '2012-03-22')]);
    const b = trackPublicInspection(a.state, {
      at: '2012-03-21T13:00:00Z',
      listing: [],
      complete: false,
      published: [],
    });
    expect(b.outcomes).toEqual([]);
  });

  it('is pure: the input state is not modified, and resolved filings are forgotten after retainDays', () => {
    const a = step(emptyPublicInspectionState(), '2012-03-20T13:00:00Z', [filing('2012-7333', '2012-03-22')]);
    const frozen = JSON.stringify(a.state);
    const b = step(
      a.state,
      '2012-03-22T11:00:00Z',
      [],
      [{ document_number: '2012-7333', publication_date: '2012-03-22' }],
    );
    expect(JSON.stringify(a.state)).toBe(frozen);
    const later = trackPublicInspection(
      b.state,
      { at: '2012-05-01T00:00:00Z', listing: [], complete: true, published: [] },
      { retainDays: 30 },
    );
    expect(later.state.filings).toEqual({});
  });
});
