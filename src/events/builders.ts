/**
 * Builders for every event type. Pure: the same inputs give the same event, id included.
 *
 * An event's id hashes its origin (document number, or snapshot source + date), its type, its subject
 * and the content of the change (the entry after it, the anomaly's code and instruction…). It leaves
 * out anything that depends on when or how often we processed the document, so re-processing yields
 * the same ids, while two different changes differ in at least one hashed part.
 */
import { documentUrl, type DocumentFacts } from '../entity-list/document.js';
import { diffEntryFields, type EntryField } from '../entity-list/field-diff.js';
import { entryKey } from '../entity-list/identity.js';
import { keyOf } from '../entity-list/snapshot.js';
import type { EntryChange, ListedEntry } from '../entity-list/types.js';
import type { AnnouncedChanges } from '../entity-list/provisional.js';
import { EVENT_TYPES, eventId, timeOfDate, type CloudEvent, type EventType } from './cloudevent.js';
import type {
  AnomalyData,
  AnomalyEvent,
  ChangeCounts,
  CorrectionTarget,
  DocumentOriginData,
  DriftData,
  DriftDifferenceData,
  DriftEvent,
  EntryAddedEvent,
  EntryCorrectedEvent,
  EntryEditorialEvent,
  EntryRemovedEvent,
  EntryRevisedEvent,
  MatchData,
  OriginData,
  PublicInspectionStatus,
  RulePublicInspectionEvent,
  RulePublishedEvent,
} from './types.js';

/** What a batch of events came from: one FR document, or the comparison of two whole lists. */
export type EventOrigin =
  | { kind: 'document'; facts: DocumentFacts }
  | { kind: 'snapshot'; source: string; fromAsOf: string; toAsOf: string };

export function documentOrigin(facts: DocumentFacts): EventOrigin {
  return { kind: 'document', facts };
}

export function snapshotOrigin(source: string, fromAsOf: string, toAsOf: string): EventOrigin {
  return { kind: 'snapshot', source, fromAsOf, toAsOf };
}

function originSource(origin: EventOrigin): string {
  return origin.kind === 'document' ? documentUrl(origin.facts.documentNumber) : origin.source;
}

/** Documents: the rule's effective date. Snapshots: the date of the newer list. */
function originTime(origin: EventOrigin): string {
  return timeOfDate(origin.kind === 'document' ? origin.facts.effectiveDate : origin.toAsOf);
}

/** Identifies the origin inside ids. A snapshot diff is identified by its source and the newer date. */
function originIdBasis(origin: EventOrigin): unknown[] {
  return origin.kind === 'document'
    ? ['document', origin.facts.documentNumber]
    : ['snapshot', origin.source, origin.toAsOf];
}

export function documentOriginData(facts: DocumentFacts): DocumentOriginData {
  const data: DocumentOriginData = {
    documentNumber: facts.documentNumber,
    citation: facts.citation,
    publicationDate: facts.publicationDate,
    effectiveDate: facts.effectiveDate,
  };
  if (facts.htmlUrl !== undefined) data.htmlUrl = facts.htmlUrl;
  return data;
}

function originData(origin: EventOrigin): OriginData {
  return origin.kind === 'document'
    ? documentOriginData(origin.facts)
    : { snapshot: { source: origin.source, fromAsOf: origin.fromAsOf, toAsOf: origin.toAsOf } };
}

function envelope<TType extends EventType, TData>(
  type: TType,
  origin: EventOrigin,
  subject: string,
  content: unknown,
  data: TData,
): CloudEvent<TType, TData> {
  return {
    specversion: '1.0',
    id: eventId([...originIdBasis(origin), type, subject, content]),
    source: originSource(origin),
    type,
    subject,
    time: originTime(origin),
    datacontenttype: 'application/json',
    data,
  };
}

/**
 * Which listing an event is about. Most entries' key is `keyOf(entry)`; where a list names one party
 * twice under a destination, the listing key (see entity-list/listings.ts) tells the two apart, and
 * the caller that holds the list passes it.
 */
export interface ListingKeys {
  key?: string;
  /** The listing's key before the change, when the caller knows it. */
  previousKey?: string;
}

export function entryAddedEvent(
  origin: EventOrigin,
  entry: ListedEntry,
  options: ListingKeys = {},
): EntryAddedEvent {
  const key = options.key ?? keyOf(entry);
  return envelope(EVENT_TYPES.entryAdded, origin, key, entry, {
    key,
    country: entry.country,
    name: entry.name,
    ...originData(origin),
    entry,
  });
}

export interface RevisionOptions extends ListingKeys {
  match?: MatchData;
}

export function entryRevisedEvent(
  origin: EventOrigin,
  before: ListedEntry,
  after: ListedEntry,
  options: RevisionOptions = {},
): EntryRevisedEvent {
  const key = options.key ?? keyOf(after);
  return envelope(
    EVENT_TYPES.entryRevised,
    origin,
    key,
    after,
    beforeAfterData(origin, key, before, after, options, { changes: diffEntryFields(before, after) }),
  );
}

/**
 * The data of an event that takes an entry from `before` to `after` (revised, corrected,
 * editorial): `fields` are what the type adds, placed after `before` as the schemas list them.
 */
function beforeAfterData<F extends object>(
  origin: EventOrigin,
  key: string,
  before: ListedEntry,
  after: ListedEntry,
  options: RevisionOptions,
  fields: F,
) {
  const previousKey = options.previousKey ?? keyOf(before);
  return {
    key,
    country: after.country,
    name: after.name,
    ...originData(origin),
    entry: after,
    before,
    ...fields,
    ...(previousKey !== key ? { previousKey } : {}),
    ...(options.match ? { match: options.match } : {}),
  };
}

export function entryCorrectedEvent(
  origin: EventOrigin,
  before: ListedEntry,
  after: ListedEntry,
  corrects: CorrectionTarget,
  options: RevisionOptions = {},
): EntryCorrectedEvent {
  const key = options.key ?? keyOf(after);
  return envelope(
    EVENT_TYPES.entryCorrected,
    origin,
    key,
    after,
    beforeAfterData(origin, key, before, after, options, {
      changes: diffEntryFields(before, after),
      corrects,
    }),
  );
}

export function entryRemovedEvent(
  origin: EventOrigin,
  before: ListedEntry,
  options: RevisionOptions = {},
): EntryRemovedEvent {
  const key = options.key ?? keyOf(before);
  // The removal is identified by what left the list; the entry's content is in `data`, not the id,
  // so an entry removed twice in one document is one change.
  return envelope(EVENT_TYPES.entryRemoved, origin, key, null, {
    key,
    country: before.country,
    name: before.name,
    ...originData(origin),
    before,
    ...(options.match ? { match: options.match } : {}),
  });
}

/**
 * `gov.bis.entitylist.entry.editorial` (opt-in): the entry's text changed, its words did not. The id
 * hashes the text after the change, like a revision's, so the same editorial change is one event.
 */
export function entryEditorialEvent(
  origin: EventOrigin,
  before: ListedEntry,
  after: ListedEntry,
  options: RevisionOptions = {},
): EntryEditorialEvent {
  const key = options.key ?? keyOf(after);
  const changes = diffEntryFields(before, after);
  return envelope(
    EVENT_TYPES.entryEditorial,
    origin,
    key,
    after,
    beforeAfterData(origin, key, before, after, options, { changedFields: changes.changedFields, changes }),
  );
}

/**
 * The editorial changes between two versions of a source list (eCFR, CSL), one opt-in event each:
 * the source re-rendered an entry's text with the same words. From the diff of the two versions.
 */
export function sourceEditorialEvents(diff: {
  source: string;
  fromAsOf: string;
  toAsOf: string;
  changes: ReadonlyArray<
    | { kind: 'editorial'; key: string; previousKey?: string; before: ListedEntry; after: ListedEntry }
    | { kind: 'added' | 'removed' | 'revised' }
  >;
}): EntryEditorialEvent[] {
  const origin = snapshotOrigin(diff.source, diff.fromAsOf, diff.toAsOf);
  const out: EntryEditorialEvent[] = [];
  for (const c of diff.changes) {
    if (c.kind !== 'editorial' || !('before' in c)) continue;
    out.push(
      entryEditorialEvent(origin, c.before, c.after, {
        key: c.key,
        previousKey: c.previousKey ?? c.key,
      }),
    );
  }
  return out;
}

/** An anomaly as the caller describes it; origin fields are added by the builder. */
export type AnomalyInput = Omit<AnomalyData, keyof DocumentOriginData | 'snapshot'>;

export function anomalyEvent(origin: EventOrigin, anomaly: AnomalyInput): AnomalyEvent {
  const subject = anomaly.key ?? (origin.kind === 'document' ? origin.facts.documentNumber : origin.source);
  const content = {
    code: anomaly.code,
    action: anomaly.action,
    instruction: anomaly.instruction,
    massChange: anomaly.massChange,
    // Anomalies without an instruction (extraction warnings) differ only in what they say.
    ...(anomaly.instruction === undefined && anomaly.key === undefined ? { message: anomaly.message } : {}),
  };
  const data = { ...anomaly, ...originData(origin) } as AnomalyData;
  return envelope(EVENT_TYPES.anomaly, origin, subject, content, data);
}

export interface RuleSummary {
  isEntityListChange: boolean;
  counts: ChangeCounts;
  listSize: number;
  asOf: string;
}

/** One per applied document, with what it changed. Subject: the document number. */
export function rulePublishedEvent(facts: DocumentFacts, summary: RuleSummary): RulePublishedEvent {
  const origin = documentOrigin(facts);
  const content = { isEntityListChange: summary.isEntityListChange, counts: summary.counts };
  return envelope(EVENT_TYPES.rulePublished, origin, facts.documentNumber, content, {
    ...documentOriginData(facts),
    ...(facts.title !== undefined ? { title: facts.title } : {}),
    isEntityListChange: summary.isEntityListChange,
    counts: summary.counts,
    listSize: summary.listSize,
    asOf: summary.asOf,
  });
}

/** A document on public inspection, before publication (from the FR public-inspection API). */
export interface PublicInspectionInput {
  documentNumber: string;
  /** The date the Federal Register will publish it (ISO date). */
  publicationDate: string;
  /** When it went on public inspection (RFC 3339), when known. */
  filedAt?: string;
  title?: string;
  pdfUrl?: string;
  htmlUrl?: string;
  /**
   * Changes extracted from the public-inspection copy, if any (provisional); on publication,
   * `confirmed` says whether the published rule makes each.
   */
  changes?: ReadonlyArray<EntryChange & { confirmed?: boolean }>;
  /** Entries the copy's instructions announce without naming them ("twenty-eight entities"). */
  unnamed?: readonly AnnouncedChanges[];
  /** Default `on_public_inspection`; `published` and `withdrawn` report how the filing ended. */
  status?: PublicInspectionStatus;
  publishedDocumentNumber?: string;
  publishedCitation?: string;
  leftAt?: string;
  reason?: string;
}

/**
 * `gov.bis.entitylist.rule.public_inspection`: early warning that a rule is coming. `time` is when it
 * went on inspection (else its scheduled publication date); `source` is the document's FR address.
 * The id hashes the document and the provisional changes, so a re-filed version with different
 * changes is a new event and a re-poll of the same one is not.
 */
export function publicInspectionEvent(input: PublicInspectionInput): RulePublicInspectionEvent {
  const changes = (input.changes ?? []).map((c) => ({
    action: c.action,
    country: c.country,
    name: c.entry.name,
    key: entryKey(c.country, c.entry.name),
    ...(c.confirmed !== undefined ? { confirmed: c.confirmed } : {}),
  }));
  const unnamed = (input.unnamed ?? []).map((u) => ({
    action: u.action,
    ...(u.country ? { country: u.country } : {}),
    count: u.count,
  }));
  const counts = { add: 0, revise: 0, remove: 0, correct: 0 };
  for (const c of changes) counts[c.action] += 1;
  for (const u of unnamed) counts[u.action] += u.count;
  const type = EVENT_TYPES.rulePublicInspection;
  return {
    specversion: '1.0',
    // The first report keeps its original id basis; how the filing ended is a change of its own.
    id: eventId(
      input.status === undefined || input.status === 'on_public_inspection'
        ? [
            'public-inspection',
            input.documentNumber,
            type,
            input.documentNumber,
            changes,
            ...(unnamed.length ? [unnamed] : []),
          ]
        : ['public-inspection', input.documentNumber, type, input.documentNumber, input.status],
    ),
    source: documentUrl(input.documentNumber),
    type,
    subject: input.documentNumber,
    time: input.filedAt ?? timeOfDate(input.publicationDate),
    datacontenttype: 'application/json',
    data: {
      documentNumber: input.documentNumber,
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.filedAt !== undefined ? { filedAt: input.filedAt } : {}),
      publicationDate: input.publicationDate,
      ...(input.pdfUrl !== undefined ? { pdfUrl: input.pdfUrl } : {}),
      ...(input.htmlUrl !== undefined ? { htmlUrl: input.htmlUrl } : {}),
      provisional: true,
      counts,
      changes,
      ...(unnamed.length > 0 ? { unnamed } : {}),
      ...(input.status !== undefined ? { status: input.status } : {}),
      ...(input.publishedDocumentNumber !== undefined
        ? { publishedDocumentNumber: input.publishedDocumentNumber }
        : {}),
      ...(input.publishedCitation !== undefined ? { publishedCitation: input.publishedCitation } : {}),
      ...(input.leftAt !== undefined ? { leftAt: input.leftAt } : {}),
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
    },
  };
}

/** What reconciliation compares: the state we derived (`from`) and a whole list read (`to`). */
export interface DriftInput {
  source: string;
  fromAsOf: string;
  toAsOf: string;
  /** Differences in words: entries only we list, only the source lists, or both with other words. */
  changes: ReadonlyArray<
    | { kind: 'added'; key: string; after: ListedEntry }
    | { kind: 'removed'; key: string; before: ListedEntry }
    | { kind: 'revised'; key: string; before: ListedEntry; after: ListedEntry; fields?: EntryField[] }
    | { kind: 'editorial'; key: string }
  >;
}

/**
 * `gov.bis.entitylist.drift`: the state derived from documents (`expected`) disagrees with a whole
 * list read from a source (eCFR, CSL) in its words. Built from the diff of the two lists: entries
 * the source lacks are `missing`, entries only the source has are `unexpected`, entries both hold
 * with other words `differs`. Editorial differences (same words) are counted, not listed. One event
 * per reconciliation; subject and source are the list's URI.
 */
export function driftEvent(diff: DriftInput): DriftEvent {
  const differences: DriftData['differences'] = [];
  let editorial = 0;
  for (const c of diff.changes) {
    if (c.kind === 'editorial') {
      editorial += 1;
      continue;
    }
    const d: DriftDifferenceData =
      c.kind === 'removed'
        ? { key: c.key, kind: 'missing', expected: c.before }
        : c.kind === 'added'
          ? { key: c.key, kind: 'unexpected', observed: c.after }
          : {
              key: c.key,
              kind: 'differs',
              expected: c.before,
              observed: c.after,
              changedFields: c.fields ?? diffEntryFields(c.before, c.after).changedFields,
            };
    const lag = d.expected ? lagDays(d.expected, diff.toAsOf) : undefined;
    if (lag !== undefined) d.lagDays = lag;
    differences.push(d);
  }
  const lags = differences.map((d) => d.lagDays).filter((n): n is number => n !== undefined);
  const counts = {
    missing: differences.filter((d) => d.kind === 'missing').length,
    unexpected: differences.filter((d) => d.kind === 'unexpected').length,
    differs: differences.filter((d) => d.kind === 'differs').length,
    ...(editorial > 0 ? { editorial } : {}),
  };
  const type = EVENT_TYPES.drift;
  return {
    specversion: '1.0',
    id: eventId(['drift', diff.source, diff.fromAsOf, diff.toAsOf, type, differences]),
    source: diff.source,
    type,
    subject: diff.source,
    time: timeOfDate(diff.toAsOf),
    datacontenttype: 'application/json',
    data: {
      source: diff.source,
      expectedAsOf: diff.fromAsOf,
      observedAsOf: diff.toAsOf,
      counts,
      differences,
      ...(lags.length > 0 ? { maxLagDays: Math.max(...lags) } : {}),
    },
  };
}

/**
 * Days from the entry's latest Federal Register citation ("84 FR 54002, 10/9/19": when its last
 * change took effect) to `asOf`, the date of the list that does not show it yet.
 */
export function lagDays(entry: ListedEntry, asOf: string): number | undefined {
  const last = entry.federalRegisterCitations[entry.federalRegisterCitations.length - 1];
  const m = last ? /(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})\b/.exec(last) : null;
  if (!m) return undefined;
  const year = m[3]!.length === 2 ? 2000 + Number(m[3]) - (Number(m[3]) > 70 ? 100 : 0) : Number(m[3]);
  const cited = Date.UTC(year, Number(m[1]) - 1, Number(m[2]));
  const days = Math.floor((Date.parse(`${asOf}T00:00:00Z`) - cited) / 86_400_000);
  return Number.isFinite(days) && days >= 0 ? days : undefined;
}
