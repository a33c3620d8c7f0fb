import type { CorpusDocument } from './corpus.js';

/**
 * A corpus document as the public inspection API lists it before publication. The corpus holds
 * published records; the filing facts (filed_at, filing_type) come from the XML's FRDOC line or
 * are derived (the business day before publication, 8:45 am Eastern). Pure.
 */
export function publicInspectionRecord(doc: CorpusDocument, origin: string): Record<string, unknown> {
  const r = doc.record;
  const abs = (u: unknown): unknown =>
    typeof u === 'string' && u.startsWith('/') && !u.startsWith('//') ? origin + u : u;
  const pdf = r.public_inspection_pdf_url ?? `/public-inspection/${doc.number}.pdf`;
  return {
    agencies: r.agencies ?? [],
    agency_names: r.agency_names ?? [],
    docket_numbers: r.docket_ids ?? [],
    document_number: doc.number,
    editorial_note: null,
    excerpts: r.abstract ?? null,
    filed_at: doc.filedAt.iso,
    filing_type: doc.filingType,
    html_url: abs(`/public-inspection/${doc.number}`),
    json_url: abs(`/api/v1/public-inspection-documents/${doc.number}.json`),
    num_pages: r.page_length ?? null,
    pdf_file_name: `${doc.number}.pdf`,
    pdf_url: abs(pdf),
    publication_date: doc.publicationDate,
    raw_text_url: abs(`/public-inspection/${doc.number}.txt`),
    subject_1: r.title ?? null,
    subject_2: null,
    subject_3: null,
    title: r.title ?? null,
    toc_doc: r.toc_doc ?? null,
    toc_subject: r.toc_subject ?? null,
    type: r.type ?? null,
  };
}

/** Plain text of an FR XML document (for the text URLs): tags dropped, entities decoded, lines kept. */
export function xmlToText(xml: string): string {
  return xml
    .replace(/<\?xml[^>]*\?>/g, '')
    .replace(
      /<\/(P|FP|HD|LI|ROW|AMDPAR|FRDOC|SUBJECT|AGENCY|SUBAGY|CFR|DEPDOC|RIN|DATED|NAME|TITLE|TNOTE)>/gi,
      '\n',
    )
    .replace(/<\/ENT>/gi, ' | ')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
