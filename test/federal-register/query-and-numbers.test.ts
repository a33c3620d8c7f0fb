import { describe, expect, it } from 'vitest';
import {
  apiDocumentNumber,
  documentNumberKey,
  sameDocumentNumber,
} from '../../src/federal-register/document-number.js';
import {
  apiEndpoint,
  ENTITY_LIST_FIELDS,
  entityListSearch,
  resolveApiUrl,
  searchQueryString,
} from '../../src/federal-register/search-query.js';

describe('document numbers', () => {
  it('match across zero padding, dashes and the FR Doc prefix', () => {
    expect(sameDocumentNumber('2012-07333', '2012-7333')).toBe(true);
    expect(sameDocumentNumber('FR Doc. 2019\u201322210', '2019-22210')).toBe(true);
    expect(sameDocumentNumber('[FR Doc. 2019\u201322210 ', '2019-22210')).toBe(true);
    expect(sameDocumentNumber('2012-07333', '2012-07334')).toBe(false);
    expect(sameDocumentNumber('2012-07333', '2013-07333')).toBe(false);
  });
  it('keep correction prefixes apart from the original', () => {
    expect(documentNumberKey('c1-2019-022210')).toBe('C1-2019-22210');
    expect(sameDocumentNumber('C1-2019-22210', '2019-22210')).toBe(false);
  });
  it('print the API spelling', () => {
    expect(apiDocumentNumber('2012-7333')).toBe('2012-07333');
    expect(apiDocumentNumber('2019\u201322210')).toBe('2019-22210');
  });
});

describe('search query', () => {
  it('asks for BIS rules under 15 CFR 744 from a date, explicit fields, oldest first, 1000 a page', () => {
    const q = new URLSearchParams(searchQueryString(entityListSearch('2019-10-01')));
    expect(q.getAll('conditions[agencies][]')).toEqual(['industry-and-security-bureau']);
    expect(q.getAll('conditions[type][]')).toEqual(['RULE']);
    expect(q.get('conditions[cfr][title]')).toBe('15');
    expect(q.get('conditions[cfr][part]')).toBe('744');
    expect(q.get('conditions[publication_date][gte]')).toBe('2019-10-01');
    expect(q.getAll('fields[]')).toEqual([...ENTITY_LIST_FIELDS]);
    expect(q.get('per_page')).toBe('1000');
    expect(q.get('order')).toBe('oldest');
    expect(searchQueryString(entityListSearch('2019-10-01'))).toContain(
      'conditions%5Bagencies%5D%5B%5D=industry-and-security-bureau',
    );
  });
  it('caps per_page at the API maximum and passes extra types', () => {
    const s = entityListSearch('2020-01-01', {
      perPage: 5000,
      types: ['RULE', 'CORRECT'],
      until: '2020-12-31',
    });
    expect(s.perPage).toBe(1000);
    const q = new URLSearchParams(searchQueryString(s));
    expect(q.getAll('conditions[type][]')).toEqual(['RULE', 'CORRECT']);
    expect(q.get('conditions[publication_date][lte]')).toBe('2020-12-31');
  });
  it('resolves relative URLs against the API origin', () => {
    const base = 'https://www.federalregister.gov/api/v1';
    expect(resolveApiUrl('/documents/full_text/xml/2019/10/09/2019-22210.xml', base)).toBe(
      'https://www.federalregister.gov/documents/full_text/xml/2019/10/09/2019-22210.xml',
    );
    expect(resolveApiUrl('https://other.example/x.xml', base)).toBe('https://other.example/x.xml');
    expect(apiEndpoint(base, 'documents.json', 'a=1')).toBe(
      'https://www.federalregister.gov/api/v1/documents.json?a=1',
    );
    expect(apiEndpoint(`${base}/`, '/documents/1.json')).toBe(
      'https://www.federalregister.gov/api/v1/documents/1.json',
    );
  });
});
