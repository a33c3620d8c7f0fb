/**
 * The Entity List as fedreg-watch models it. Shapes follow the project's outward contract
 * (shared/contracts/README.md, sections 2 and 3); extra fields are optional.
 */

/** One entry of Supplement No. 4 to part 744, without its destination. */
export interface Entry {
  name: string;
  aliases: string[];
  addresses: string[];
  licenseRequirement: string;
  licenseReviewPolicy: string;
  federalRegisterCitations: string[];
  /** Footnote texts referenced from the row (e.g. the foreign direct product rule footnotes). */
  footnotes?: string[];
  /** Destinations of the same party's other listings: "(See alternate address under Singapore)". */
  seeAlso?: string[];
}

/** An entry together with the destination it is listed under. */
export interface ListedEntry extends Entry {
  /** Destination as the table prints it, upper case: `CHINA, PEOPLE'S REPUBLIC OF`. */
  country: string;
}

/** The state of the list on a date. */
export interface Snapshot {
  /** ISO date (YYYY-MM-DD) the state is as of. */
  asOf: string;
  entries: ListedEntry[];
}

export type ChangeAction = 'add' | 'revise' | 'remove' | 'correct';

/** One entry-level change that a document makes. */
export interface EntryChange {
  action: ChangeAction;
  country: string;
  /** For `remove`, only `name` is required. */
  entry: Entry | { name: string };
  /** For `correct`: the FR document number whose entry is corrected, when the rule names it. */
  correctsDocument?: string;
  /** For `correct`: the citation of the corrected rule ("85 FR 37648"), when the rule names it. */
  correctsCitation?: string;
  /**
   * For revisions and corrections whose row prints a different name from the one the instruction
   * quotes: the instruction's name, which is how the entry is found in the prior state.
   */
  previousName?: string;
  /** Set on changes extracted from public inspection copies before publication. */
  provisional?: boolean;
}

export interface ExtractionWarning {
  code:
    | 'COUNT_MISMATCH'
    | 'ROW_WITHOUT_INSTRUCTION'
    | 'INSTRUCTION_WITHOUT_ROW'
    | 'UNPARSED_INSTRUCTION'
    | 'TABLE_SHAPE'
    | 'AMBIGUOUS_NAME';
  message: string;
  /** Where: REGTEXT index, AMDPAR label, destination, entry name… */
  context?: Record<string, unknown>;
}

/** Document-level metadata read from the rule's own XML. */
export interface DocumentMeta {
  documentNumber: string;
  /** `RULE`, `PRORULE`, `NOTICE`, `CORRECT`… */
  documentType: string;
  agency?: string;
  subAgency?: string;
  cfrParts: string[];
  rin?: string;
  docket?: string;
  subject?: string;
  action?: string;
  datesText?: string;
  /** ISO date parsed from the DATES text, where it states one. */
  effectiveDate?: string;
  /** First page of the document (from PRTPAGE), when present. */
  startPage?: number;
  /** Federal Register volume (from the issue, or the document number's year − 1935). */
  volume?: number;
  /** "84 FR 54002", when volume and first page are known. */
  citation?: string;
  /** ISO date of publication, when the XML states it (a daily issue does; a lone document does not). */
  publicationDate?: string;
  /** The DATES text says the rule takes effect on publication ("[INSERT DATE OF PUBLICATION]"). */
  effectiveOnPublication?: boolean;
  /** "Filed 10–7–19; 8:45 am" from FRDOC, as printed. */
  filed?: string;
}

/** The extraction shape: one per document (contract section 2). */
export interface DocumentExtraction {
  documentNumber: string;
  isEntityListChange: boolean;
  changes: EntryChange[];
  warnings: ExtractionWarning[];
  document: DocumentMeta;
}
