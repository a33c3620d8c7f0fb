/**
 * The `data` of each event type. The JSON Schemas in `schemas/events/` describe the same shapes for
 * receivers; tests validate every event we build against them.
 */
import type { EntryField, EntryFieldDiff } from '../entity-list/field-diff.js';
import type { MatchMethod } from '../entity-list/matching.js';
import type { ChangeAction, EntryChange, ListedEntry } from '../entity-list/types.js';
import { EVENT_TYPES, type CloudEvent } from './cloudevent.js';

/** Where a change came from, as `data` states it: a Federal Register document… */
export interface DocumentOriginData {
  documentNumber: string;
  /** "84 FR 54002"; null when not known. */
  citation: string | null;
  publicationDate: string;
  effectiveDate: string;
  htmlUrl?: string;
}

/** …or a comparison of two whole lists (eCFR Supplement No. 4, the CSL). */
export interface SnapshotOriginData {
  snapshot: {
    /** URI of the list that was read. */
    source: string;
    fromAsOf: string;
    toAsOf: string;
  };
}

export type OriginData = DocumentOriginData | SnapshotOriginData;

/** How the entry an instruction names was found in the state (see entity-list/matching.ts). */
export interface MatchData {
  method: MatchMethod;
  confidence: number;
  /** The name as the instruction gave it. */
  instructedName: string;
  /** The entry's name or alias that matched it. */
  matchedText: string;
}

interface EntryDataBase {
  /** The entry's stable key; equals the event's `subject`. */
  key: string;
  country: string;
  name: string;
}

export type EntryAddedData = EntryDataBase & OriginData & { entry: ListedEntry };

export type EntryRevisedData = EntryDataBase &
  OriginData & {
    entry: ListedEntry;
    before: ListedEntry;
    changes: EntryFieldDiff;
    /** Set when the revision renamed the entry, so its key changed. */
    previousKey?: string;
    match?: MatchData;
  };

export type EntryRemovedData = EntryDataBase & OriginData & { before: ListedEntry; match?: MatchData };

export interface CorrectionTarget {
  documentNumber?: string;
  citation?: string;
  /** `instruction` when the correcting rule named it; `entry-citations` when read off the entry's last citation. */
  basis: 'instruction' | 'entry-citations' | 'unknown';
}

export type EntryCorrectedData = EntryDataBase &
  OriginData & {
    entry: ListedEntry;
    before: ListedEntry;
    changes: EntryFieldDiff;
    corrects: CorrectionTarget;
    previousKey?: string;
    match?: MatchData;
  };

/**
 * An entry whose text changed in punctuation, spacing, line breaks, markup or case only: its words are
 * the same. Opt-in (see `OPT_IN_EVENT_TYPES`): never an `entry.revised`, never drift.
 */
export type EntryEditorialData = EntryDataBase &
  OriginData & {
    entry: ListedEntry;
    before: ListedEntry;
    /** The fields whose text changed (their words did not). */
    changedFields: EntryField[];
    changes: EntryFieldDiff;
    previousKey?: string;
    match?: MatchData;
  };

export interface ChangeCounts {
  added: number;
  revised: number;
  removed: number;
  corrected: number;
  anomalies: number;
}

export type RulePublishedData = DocumentOriginData & {
  title?: string;
  isEntityListChange: boolean;
  counts: ChangeCounts;
  /** Size of the list after the document, and the date the state is now as of. */
  listSize: number;
  asOf: string;
};

export interface ProvisionalChangeData {
  action: ChangeAction;
  country: string;
  name: string;
  key: string;
  /** On `published`: whether the published rule makes this change. */
  confirmed?: boolean;
}

export interface RulePublicInspectionData {
  documentNumber: string;
  title?: string;
  /** When the document went on public inspection, RFC 3339, when known. */
  filedAt?: string;
  /** The date the Federal Register will publish it. */
  publicationDate: string;
  pdfUrl?: string;
  htmlUrl?: string;
  /** Always true: the text can still change before publication. */
  provisional: true;
  counts: { add: number; revise: number; remove: number; correct: number };
  changes: ProvisionalChangeData[];
  /** Entries the instructions announce without naming them: counted in `counts`, not in `changes`. */
  unnamed?: Array<{ action: ChangeAction; country?: string; count: number }>;
  /**
   * Where the filing stands: on inspection (the early warning), published (linked to the
   * published document), or withdrawn (it left inspection without being published).
   */
  status?: PublicInspectionStatus;
  /** For `published`: the published document's number (zero padding may differ) and citation. */
  publishedDocumentNumber?: string;
  publishedCitation?: string;
  /** For `withdrawn`: when it left inspection, and why it is taken as withdrawn. */
  leftAt?: string;
  reason?: string;
}

export type PublicInspectionStatus = 'on_public_inspection' | 'published' | 'withdrawn';

export type AnomalyCode =
  /** A revise/remove/correct names an entry the state does not hold; not applied. */
  | 'EL_UNKNOWN_ENTRY'
  /** Several entries fit the name equally well; not applied. */
  | 'EL_AMBIGUOUS_ENTRY'
  /** The closest entry is similar but not enough to act on; not applied. */
  | 'EL_LOW_CONFIDENCE_MATCH'
  /** The name is listed, but under another destination; not applied. */
  | 'EL_ENTRY_UNDER_OTHER_DESTINATION'
  /** An add names an entry that is already listed; applied as a revision. */
  | 'EL_ADD_OF_EXISTING_ENTRY'
  /** A revision renames an entry to the key of another entry; not applied. */
  | 'EL_RENAME_COLLISION'
  /** An add or revision without the row's fields; applied with what there is. */
  | 'EL_INCOMPLETE_ROW'
  /** The document was published before the state's date: documents applied out of order. */
  | 'EL_DOCUMENT_PREDATES_STATE'
  /** Two entries of one snapshot share a key; both are kept, told apart by their listing keys. */
  | 'EL_DUPLICATE_KEY'
  /** A snapshot diff removes more than the circuit breaker allows; held, not emitted. */
  | 'EL_MASS_CHANGE_HELD'
  /** Extraction reported a disagreement in the rule (a count that does not match its rows…). */
  | 'EL_EXTRACTION_WARNING';

export interface AnomalyCandidateData {
  key: string;
  country: string;
  name: string;
  method: MatchMethod;
  confidence: number;
  matchedText: string;
}

export interface MassChangeData {
  priorSize: number;
  added: number;
  revised: number;
  removed: number;
  /** removed / priorSize (0 when the prior list is empty). */
  removedFraction: number;
  thresholds: { maxRemovedFraction: number; maxRemoved: number };
}

export type AnomalyData = OriginData & {
  code: AnomalyCode;
  /** Where, what was found, what was expected: readable by the person who has to act on it. */
  message: string;
  /** Whether the change was applied anyway (e.g. an add of an existing entry, applied as a revision). */
  applied: boolean;
  key?: string;
  country?: string;
  name?: string;
  action?: ChangeAction;
  /** The instruction as extracted, complete, so nothing is lost when it is not applied. */
  instruction?: EntryChange;
  candidates?: AnomalyCandidateData[];
  massChange?: MassChangeData;
};

export type DriftKind = 'missing' | 'unexpected' | 'differs';

export interface DriftDifferenceData {
  key: string;
  /** missing: we hold it, the source does not; unexpected: the reverse; differs: both, not equal. */
  kind: DriftKind;
  /**
   * How many days the source lags: from the date of the entry's latest Federal Register citation
   * (when its last change took effect) to the date of the list read. Set where that date is known.
   */
  lagDays?: number;
  expected?: ListedEntry;
  observed?: ListedEntry;
  changedFields?: EntryField[];
}

export interface DriftData {
  /** URI of the list compared against (eCFR, CSL). */
  source: string;
  /** The date of the state we derived from documents, and of the list we read. */
  expectedAsOf: string;
  observedAsOf: string;
  counts: {
    missing: number;
    unexpected: number;
    differs: number;
    /** Entries both list with the same words, told apart by punctuation, spacing or case: not drift. */
    editorial?: number;
  };
  differences: DriftDifferenceData[];
  /** The largest `lagDays` among the differences, when any is known. */
  maxLagDays?: number;
}

type T = typeof EVENT_TYPES;
export type EntryAddedEvent = CloudEvent<T['entryAdded'], EntryAddedData>;
export type EntryRevisedEvent = CloudEvent<T['entryRevised'], EntryRevisedData>;
export type EntryRemovedEvent = CloudEvent<T['entryRemoved'], EntryRemovedData>;
export type EntryCorrectedEvent = CloudEvent<T['entryCorrected'], EntryCorrectedData>;
export type EntryEditorialEvent = CloudEvent<T['entryEditorial'], EntryEditorialData>;
export type RulePublishedEvent = CloudEvent<T['rulePublished'], RulePublishedData>;
export type RulePublicInspectionEvent = CloudEvent<T['rulePublicInspection'], RulePublicInspectionData>;
export type AnomalyEvent = CloudEvent<T['anomaly'], AnomalyData>;
export type DriftEvent = CloudEvent<T['drift'], DriftData>;

export type EntryEvent = EntryAddedEvent | EntryRevisedEvent | EntryRemovedEvent | EntryCorrectedEvent;

/** Every event fedreg-watch emits; narrow on `type`. */
export type EntityListEvent =
  | EntryEvent
  | EntryEditorialEvent
  | RulePublishedEvent
  | RulePublicInspectionEvent
  | AnomalyEvent
  | DriftEvent;
