/**
 * A document as `apply` sees it: what extraction found in the rule (its changes) plus the facts about
 * the document that the rule XML alone may not give (publication date, citation, web address), which
 * come from the Federal Register API's document record.
 */
import { AppError } from '../errors.js';
import { isIsoDate } from './snapshot.js';
import type { DocumentExtraction } from './types.js';

export const FEDERAL_REGISTER_ORIGIN = 'https://www.federalregister.gov';

/** Facts about a Federal Register document that dates, cites and locates its changes. */
export interface DocumentFacts {
  documentNumber: string;
  /** ISO date the document was published in the Federal Register. */
  publicationDate: string;
  /** ISO date the rule took effect; can precede publication (e.g. 2018-04652). */
  effectiveDate: string;
  /** "84 FR 54002": volume, FR, first page. Null when neither the API nor the XML tells. */
  citation: string | null;
  /** The document's page on federalregister.gov, when the API gave one. */
  htmlUrl?: string;
  title?: string;
}

/**
 * The extraction (contract section 2) plus document facts. `warnings` and `document` are optional so
 * that the golden `expected/<n>.json` files, which hold only the contract fields, are valid input.
 */
export type DocumentChanges = Pick<DocumentExtraction, 'documentNumber' | 'isEntityListChange' | 'changes'> &
  Partial<Pick<DocumentExtraction, 'warnings' | 'document'>> &
  Omit<DocumentFacts, 'documentNumber'>;

/** Joins an extraction with its document facts. */
export function documentChanges(
  extraction: Pick<DocumentExtraction, 'documentNumber' | 'isEntityListChange' | 'changes'> &
    Partial<Pick<DocumentExtraction, 'warnings' | 'document'>>,
  facts: Omit<DocumentFacts, 'documentNumber'>,
): DocumentChanges {
  return { ...extraction, ...facts };
}

/** The FR address of a document, as CloudEvents `source` names it. */
export function documentUrl(documentNumber: string): string {
  return `${FEDERAL_REGISTER_ORIGIN}/documents/${documentNumber}`;
}

/** The facts `apply` reads from a DocumentChanges, checked, so a bad date fails here with its document. */
export function factsOf(doc: DocumentChanges): DocumentFacts {
  const where = `FR doc ${doc.documentNumber}`;
  if (!isIsoDate(doc.publicationDate)) {
    throw new AppError(
      'INPUT_INVALID',
      `${where}: publicationDate must be an ISO date, found ${String(doc.publicationDate)}`,
    );
  }
  if (!isIsoDate(doc.effectiveDate)) {
    throw new AppError(
      'INPUT_INVALID',
      `${where}: effectiveDate must be an ISO date, found ${String(doc.effectiveDate)}`,
    );
  }
  const facts: DocumentFacts = {
    documentNumber: doc.documentNumber,
    publicationDate: doc.publicationDate,
    effectiveDate: doc.effectiveDate,
    citation: doc.citation ?? null,
  };
  if (doc.htmlUrl !== undefined) facts.htmlUrl = doc.htmlUrl;
  if (doc.title !== undefined) facts.title = doc.title;
  return facts;
}

/** The fields of an FR API document record (`/api/v1/documents/<n>.json`) that date and cite it. */
export interface FederalRegisterDocumentRecord {
  document_number?: unknown;
  publication_date?: unknown;
  effective_on?: unknown;
  citation?: unknown;
  html_url?: unknown;
  title?: unknown;
}

/**
 * Document facts from an FR API record. The API leaves `effective_on` null for some rules; the
 * publication date stands in then. Relative URLs (the replay corpus serves them) are made absolute.
 */
export function documentFactsFromApi(record: FederalRegisterDocumentRecord): DocumentFacts {
  const documentNumber = typeof record.document_number === 'string' ? record.document_number : '';
  const where = `FR API record ${documentNumber || '(no document_number)'}`;
  if (!documentNumber) throw new AppError('SOURCE_INVALID', `${where}: document_number is missing`);
  if (!isIsoDate(record.publication_date)) {
    throw new AppError(
      'SOURCE_INVALID',
      `${where}: publication_date is not an ISO date (${String(record.publication_date)})`,
    );
  }
  const facts: DocumentFacts = {
    documentNumber,
    publicationDate: record.publication_date,
    effectiveDate: isIsoDate(record.effective_on) ? record.effective_on : record.publication_date,
    citation: typeof record.citation === 'string' && record.citation ? record.citation : null,
  };
  if (typeof record.html_url === 'string' && record.html_url) {
    facts.htmlUrl = new URL(record.html_url, FEDERAL_REGISTER_ORIGIN).href;
  }
  if (typeof record.title === 'string' && record.title) facts.title = record.title;
  return facts;
}

/**
 * "84 FR 54002" from the publication year and the first page. FR volume N is the year 1935 + N
 * (volume 1 was 1936), which holds for every volume since.
 */
export function citationFromPage(publicationDate: string, startPage: number | undefined): string | null {
  if (startPage === undefined || !Number.isInteger(startPage) || startPage <= 0) return null;
  const year = Number(publicationDate.slice(0, 4));
  return `${year - 1935} FR ${startPage}`;
}
