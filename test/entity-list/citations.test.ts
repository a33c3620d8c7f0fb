import { describe, expect, it } from 'vitest';
import {
  canonicalCitation,
  resolveCitationPlaceholder,
  splitCitations,
} from '../../src/entity-list/citations.js';

describe('Federal Register citations in the last column', () => {
  it('splits a cell and writes each citation canonically, comma included', () => {
    expect(
      splitCitations(
        '90 FR 48193, 10/9/25. 90 FR 50859 11/12/25. 91 FR [INSERT FR PAGE NUMBER] AND August 24, 2026.',
      ),
    ).toEqual([
      '90 FR 48193, 10/9/25',
      '90 FR 50859, 11/12/25',
      '91 FR [INSERT FR PAGE NUMBER] AND August 24, 2026',
    ]);
    expect(canonicalCitation('73  FR 54506,9/22/08')).toBe('73 FR 54506, 9/22/08');
    expect(splitCitations('88 FR [INSERT FR PAGE NUMBER AND 2/27/2023].')).toEqual([
      '88 FR [INSERT FR PAGE NUMBER AND 2/27/2023]',
    ]);
  });

  it.each([
    ['88 FR [INSERT FR PAGE NUMBER AND 2/27/2023]', 12171, undefined, '88 FR 12171, 2/27/23'],
    ['91 FR [INSERT FR PAGE NUMBER] AND August 24, 2026', 54659, undefined, '91 FR 54659, 8/24/26'],
    ['90 FR [INSERT FR PAGE NUMBER]', 1001, '2025-01-06', '90 FR 1001, 1/6/25'],
    ['90 FR [INSERT FR PAGE NUMBER AND DATE OF PUBLICATION]', 1001, '2025-01-06', '90 FR 1001, 1/6/25'],
    ['90 FR [INSERT FR PAGE NUMBER]', undefined, '2025-01-06', '90 FR [INSERT FR PAGE NUMBER]'],
    ['84 FR 54002, 10/9/19', 1, undefined, '84 FR 54002, 10/9/19'],
  ])('fills in %s (page %s)', (citation, page, published, want) => {
    expect(resolveCitationPlaceholder(citation, page, published)).toBe(want);
  });
});
