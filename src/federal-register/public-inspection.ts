import { documentNumberKey } from './document-number.js';
import { addDays, utcDate } from './dates.js';
import { BIS_AGENCY_SLUG, type FrAgency, type FrPublicInspectionDocument } from './types.js';

/**
 * Public inspection: the early warning. Rules are filed for public inspection at least one
 * business day before publication (2019-22210 was on public inspection on 7 October 2019 for
 * publication on the 9th). This module recognises Entity List filings and, as a pure state
 * machine, says what changed between two looks at the listing: a filing appeared, a filing was
 * published (linked to its published document, even when the numbers differ in zero padding),
 * or a filing left public inspection without being published (withdrawn).
 *
 * Outcomes are plain `{ type, data }` objects; `type` is the CloudEvent type the events module
 * should give them. The tracker reads no clock: the observation says when it was made.
 */

export const PI_EVENT_TYPE = 'gov.bis.entitylist.rule.public_inspection';
export const PI_PUBLISHED_EVENT_TYPE = 'gov.bis.entitylist.rule.public_inspection.published';
export const PI_WITHDRAWN_EVENT_TYPE = 'gov.bis.entitylist.rule.public_inspection.withdrawn';

/** What we keep of a public inspection filing. */
export interface PublicInspectionRecord {
  /** As the listing printed it. */
  documentNumber: string;
  /** Matching key (zero padding and dashes normalised). */
  key: string;
  title?: string;
  documentType?: string;
  /** `regular` or `special`. */
  filingType?: string;
  /** ISO instant with offset, as the API prints it. */
  filedAt?: string;
  /** The publication date the filing is scheduled for. */
  scheduledPublicationDate?: string;
  pdfUrl?: string;
  textUrl?: string;
  htmlUrl?: string;
  agencies: string[];
  subjects: string[];
  docketNumbers: string[];
}

function agencyNames(agencies: FrAgency[] | undefined, names: string[] | undefined): string[] {
  const out = new Set<string>();
  for (const a of agencies ?? []) {
    for (const n of [a.name, a.raw_name]) if (n) out.add(n);
  }
  for (const n of names ?? []) out.add(n);
  return [...out];
}

function isBis(doc: FrPublicInspectionDocument): boolean {
  if ((doc.agencies ?? []).some((a) => a.slug === BIS_AGENCY_SLUG)) return true;
  return agencyNames(doc.agencies, doc.agency_names).some((n) => /industry\s+and\s+security/i.test(n));
}

function subjects(doc: FrPublicInspectionDocument): string[] {
  return [doc.title, doc.toc_subject, doc.toc_doc, doc.subject_1, doc.subject_2, doc.subject_3].filter(
    (s): s is string => typeof s === 'string' && s.trim() !== '',
  );
}

/** A BIS filing whose title or subjects mention the Entity List. */
export function isEntityListFiling(doc: FrPublicInspectionDocument): boolean {
  return isBis(doc) && subjects(doc).some((s) => /entity\s+list/i.test(s));
}

export function toPublicInspectionRecord(doc: FrPublicInspectionDocument): PublicInspectionRecord {
  const rec: PublicInspectionRecord = {
    documentNumber: doc.document_number,
    key: documentNumberKey(doc.document_number),
    agencies: agencyNames(doc.agencies, doc.agency_names),
    subjects: [...new Set(subjects(doc).map((s) => s.replace(/\s+/g, ' ').trim()))],
    docketNumbers: doc.docket_numbers ?? [],
  };
  if (doc.title) rec.title = doc.title;
  if (doc.type) rec.documentType = doc.type;
  if (doc.filing_type) rec.filingType = doc.filing_type;
  if (doc.filed_at) rec.filedAt = doc.filed_at;
  if (doc.publication_date) rec.scheduledPublicationDate = doc.publication_date;
  if (doc.pdf_url) rec.pdfUrl = doc.pdf_url;
  if (doc.raw_text_url) rec.textUrl = doc.raw_text_url;
  if (doc.html_url) rec.htmlUrl = doc.html_url;
  return rec;
}

export type FilingStatus = 'on_public_inspection' | 'published' | 'withdrawn';

export interface TrackedFiling extends PublicInspectionRecord {
  status: FilingStatus;
  firstSeenAt: string;
  lastSeenAt: string;
  /** When it was first seen missing from a complete listing. */
  leftAt?: string;
  publishedAs?: { documentNumber: string; publicationDate: string; citation?: string };
  resolvedAt?: string;
}

export interface PublicInspectionState {
  version: 1;
  filings: Record<string, TrackedFiling>;
}

export function emptyPublicInspectionState(): PublicInspectionState {
  return { version: 1, filings: {} };
}

export interface PublishedDocumentRef {
  document_number: string;
  publication_date: string;
  citation?: string | null;
}

export interface PublicInspectionObservation {
  /** When the observation was made (ISO instant). */
  at: string;
  /** The listing as fetched (all agencies; the tracker picks Entity List filings). */
  listing: FrPublicInspectionDocument[];
  /**
   * True when `listing` is everything on public inspection (current.json), so that a filing
   * missing from it has left. False for partial looks (a single available_on date).
   */
  complete: boolean;
  /** Entity List candidates seen published (search results), to link filings to. */
  published: PublishedDocumentRef[];
}

export type PublicInspectionOutcome =
  | { type: typeof PI_EVENT_TYPE; data: PublicInspectionRecord }
  | {
      type: typeof PI_PUBLISHED_EVENT_TYPE;
      data: PublicInspectionRecord & {
        publishedDocumentNumber: string;
        publicationDate: string;
        citation?: string;
        /** Set when we had already reported the filing withdrawn. */
        previouslyWithdrawn?: boolean;
      };
    }
  | {
      type: typeof PI_WITHDRAWN_EVENT_TYPE;
      data: PublicInspectionRecord & {
        leftAt: string;
        reason: 'removed_before_scheduled_publication' | 'not_published_after_grace';
      };
    };

export interface TrackerOptions {
  /**
   * A filing that leaves on or after its scheduled date is called withdrawn only if no published
   * document links to it this many days after that date (the API can lag). Default 3.
   */
  graceDays?: number;
  /** Resolved filings are forgotten this many days after resolution. Default 30. */
  retainDays?: number;
}

function record(f: TrackedFiling): PublicInspectionRecord {
  const {
    status: _s,
    firstSeenAt: _f,
    lastSeenAt: _l,
    leftAt: _left,
    publishedAs: _p,
    resolvedAt: _r,
    ...rec
  } = f;
  return rec;
}

/** One step of the tracker: state in, state and outcomes out. Pure and deterministic. */
export function trackPublicInspection(
  state: PublicInspectionState,
  obs: PublicInspectionObservation,
  options: TrackerOptions = {},
): { state: PublicInspectionState; outcomes: PublicInspectionOutcome[] } {
  const graceDays = options.graceDays ?? 3;
  const retainDays = options.retainDays ?? 30;
  const today = utcDate(Date.parse(obs.at));
  const filings: Record<string, TrackedFiling> = {};
  for (const [k, f] of Object.entries(state.filings)) filings[k] = { ...f };
  const outcomes: PublicInspectionOutcome[] = [];

  // 1. Filings on the listing.
  const listed = new Set<string>();
  const entityListFilings = obs.listing.filter(isEntityListFiling).map(toPublicInspectionRecord);
  entityListFilings.sort((a, b) => a.key.localeCompare(b.key));
  for (const rec of entityListFilings) {
    listed.add(rec.key);
    const known = filings[rec.key];
    if (!known) {
      filings[rec.key] = { ...rec, status: 'on_public_inspection', firstSeenAt: obs.at, lastSeenAt: obs.at };
      outcomes.push({ type: PI_EVENT_TYPE, data: rec });
    } else if (known.status === 'on_public_inspection') {
      // Refresh what the listing says now (a rescheduled date, a corrected URL); keep the history.
      const { leftAt: _gone, ...rest } = known;
      filings[rec.key] = { ...rest, ...rec, lastSeenAt: obs.at };
    }
  }

  // 2. Published documents link to their filings.
  const published = [...obs.published].sort((a, b) => a.document_number.localeCompare(b.document_number));
  for (const doc of published) {
    const key = documentNumberKey(doc.document_number);
    const known = filings[key];
    if (!known || known.status === 'published') continue;
    const previouslyWithdrawn = known.status === 'withdrawn';
    const publishedAs: TrackedFiling['publishedAs'] = {
      documentNumber: doc.document_number,
      publicationDate: doc.publication_date,
    };
    if (doc.citation) publishedAs.citation = doc.citation;
    filings[key] = { ...known, status: 'published', publishedAs, resolvedAt: obs.at };
    const data: Extract<PublicInspectionOutcome, { type: typeof PI_PUBLISHED_EVENT_TYPE }>['data'] = {
      ...record(known),
      publishedDocumentNumber: doc.document_number,
      publicationDate: doc.publication_date,
    };
    if (doc.citation) data.citation = doc.citation;
    if (previouslyWithdrawn) data.previouslyWithdrawn = true;
    outcomes.push({ type: PI_PUBLISHED_EVENT_TYPE, data });
  }

  // 3. Filings missing from a complete listing have left public inspection.
  if (obs.complete) {
    for (const key of Object.keys(filings).sort()) {
      const f = filings[key]!;
      if (f.status !== 'on_public_inspection' || listed.has(key)) continue;
      const leftAt = f.leftAt ?? obs.at;
      const scheduled = f.scheduledPublicationDate;
      let reason: 'removed_before_scheduled_publication' | 'not_published_after_grace' | undefined;
      if (scheduled && utcDate(Date.parse(leftAt)) < scheduled)
        reason = 'removed_before_scheduled_publication';
      else if (!scheduled || today >= addDays(scheduled, graceDays)) reason = 'not_published_after_grace';
      if (reason) {
        filings[key] = { ...f, leftAt, status: 'withdrawn', resolvedAt: obs.at };
        outcomes.push({ type: PI_WITHDRAWN_EVENT_TYPE, data: { ...record(f), leftAt, reason } });
      } else {
        filings[key] = { ...f, leftAt };
      }
    }
  }

  // 4. Forget long-resolved filings so the state stays small.
  for (const [key, f] of Object.entries(filings)) {
    if (f.resolvedAt && utcDate(Date.parse(f.resolvedAt)) < addDays(today, -retainDays)) delete filings[key];
  }

  return { state: { version: 1, filings }, outcomes };
}
