/**
 * Shapes of the Federal Register API (https://www.federalregister.gov/developers/documentation/api/v1)
 * as fedreg-watch uses them. Only fields we read are typed; the rest pass through untouched.
 */

export interface FrAgency {
  raw_name?: string;
  name?: string;
  id?: number;
  url?: string;
  json_url?: string;
  parent_id?: number | null;
  slug?: string;
}

export interface FrCfrReference {
  title: number | string;
  part: number | string;
  chapter?: string | null;
  citation_url?: string | null;
}

/** One result of `documents.json` or the body of `documents/<number>.json`. */
export interface FrDocument {
  document_number: string;
  publication_date: string;
  type?: string;
  subtype?: string | null;
  title?: string;
  action?: string;
  abstract?: string | null;
  agencies?: FrAgency[];
  agency_names?: string[];
  cfr_references?: FrCfrReference[];
  citation?: string | null;
  start_page?: number | null;
  end_page?: number | null;
  effective_on?: string | null;
  signing_date?: string | null;
  correction_of?: string | null;
  corrections?: string[];
  docket_ids?: string[];
  regulation_id_numbers?: string[];
  full_text_xml_url?: string | null;
  html_url?: string;
  json_url?: string;
  pdf_url?: string | null;
  public_inspection_pdf_url?: string | null;
  raw_text_url?: string | null;
  body_html_url?: string | null;
  [field: string]: unknown;
}

/** One page of `documents.json`. */
export interface FrSearchPage {
  count: number;
  description?: string;
  total_pages?: number;
  next_page_url?: string | null;
  previous_page_url?: string | null;
  results: FrDocument[];
}

/** One result of `public-inspection-documents/current.json` or `public-inspection-documents.json`. */
export interface FrPublicInspectionDocument {
  document_number: string;
  type?: string;
  title?: string | null;
  toc_subject?: string | null;
  toc_doc?: string | null;
  subject_1?: string | null;
  subject_2?: string | null;
  subject_3?: string | null;
  agencies?: FrAgency[];
  agency_names?: string[];
  docket_numbers?: string[];
  filing_type?: string | null;
  filed_at?: string | null;
  publication_date?: string | null;
  pdf_url?: string | null;
  raw_text_url?: string | null;
  html_url?: string | null;
  json_url?: string | null;
  num_pages?: number | null;
  editorial_note?: string | null;
  last_public_inspection_issue?: string | null;
  [field: string]: unknown;
}

export interface FrPublicInspectionPage {
  count: number;
  results: FrPublicInspectionDocument[];
  /** Present on the paged `public-inspection-documents.json`. */
  next_page_url?: string | null;
  total_pages?: number;
}

/** API type codes for `conditions[type][]`. */
export type FrDocumentTypeCode = 'RULE' | 'PRORULE' | 'NOTICE' | 'PRESDOCU' | 'CORRECT' | 'UNKNOWN';

export const BIS_AGENCY_SLUG = 'industry-and-security-bureau';
