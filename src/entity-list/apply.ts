/**
 * Applying one document's Entity List changes to the prior state of the list. Pure and
 * deterministic: the same prior and document give the same next state and the same events (ids
 * included), so a document can be re-processed safely.
 *
 * Semantics (issue 3 §2):
 * - add: a new entry. An add whose key is already listed is applied as a revision, with an anomaly.
 * - revise: the row the document prints replaces the entry (the row already carries the earlier
 *   citations and the new one at the end; it is applied as given).
 * - remove: the entry leaves the list; its event carries what it was.
 * - correct: like revise, marked as a correction of an earlier document.
 * - A revise/remove/correct that cannot be resolved to exactly one entry is not applied and becomes
 *   an anomaly event carrying the whole instruction: nothing is dropped silently.
 * - A revision whose row has the very words of the entry (only punctuation, spacing or case differ)
 *   is applied, and reported as `entry.editorial` (opt-in), not as `entry.revised`.
 * - The list may name one party twice under a destination (the real list does, a few times): every
 *   listing is kept under its own listing key (listings.ts), and reported once as a warning.
 */
import {
  anomalyEvent,
  documentOrigin,
  entryAddedEvent,
  entryCorrectedEvent,
  entryEditorialEvent,
  entryRemovedEvent,
  entryRevisedEvent,
  rulePublishedEvent,
  type AnomalyInput,
  type EventOrigin,
} from '../events/builders.js';
import type {
  AnomalyEvent,
  ChangeCounts,
  CorrectionTarget,
  EntityListEvent,
  MatchData,
} from '../events/types.js';
import { factsOf, type DocumentChanges } from './document.js';
import { compareWording, cellWords } from './field-diff.js';
import { entryKey, normalizeCountry } from './identity.js';
import { EntryIndex, baseKeyOf, type SharedKey } from './listings.js';
import { DEFAULT_MATCH_THRESHOLDS, resolveEntry, type MatchThresholds, type Resolution } from './matching.js';
import { canonicalEntry, keyOf, laterDate, sortEntries } from './snapshot.js';
import type { Entry, EntryChange, ListedEntry, Snapshot } from './types.js';

export interface ApplyOptions {
  /** How sure a close-name match must be to act on it (see matching.ts). */
  match?: MatchThresholds;
}

export interface ApplyResult {
  next: Snapshot;
  /** Per change, in the document's order: its entry event and/or anomalies; last, rule.published. */
  events: EntityListEvent[];
  /** The anomaly events among `events`, for reporting. */
  anomalies: AnomalyEvent[];
  counts: ChangeCounts;
  /** Names the prior state lists more than once under one destination: all kept, worth a look. */
  shared: SharedKey[];
}

export function applyDocument(
  prior: Snapshot,
  doc: DocumentChanges,
  options: ApplyOptions = {},
): ApplyResult {
  const facts = factsOf(doc);
  const origin = documentOrigin(facts);
  const thresholds = options.match ?? DEFAULT_MATCH_THRESHOLDS;
  const state = new EntryIndex(prior.entries);
  const events: EntityListEvent[] = [];
  if (facts.publicationDate < prior.asOf) {
    events.push(
      anomalyEvent(origin, {
        code: 'EL_DOCUMENT_PREDATES_STATE',
        message: `FR doc ${facts.documentNumber} was published ${facts.publicationDate}, before the state's date ${prior.asOf}: documents are being applied out of publication order; applied anyway, the state keeps its date`,
        applied: true,
      }),
    );
  }
  for (const change of doc.changes) events.push(...applyChange(state, change, origin, thresholds));
  // What extraction found wrong in the rule itself (a count that does not match its rows, a row no
  // instruction introduces) reaches people as anomalies, not only as lines in a log.
  for (const warning of doc.warnings ?? []) {
    events.push(
      anomalyEvent(origin, {
        code: 'EL_EXTRACTION_WARNING',
        message: `FR doc ${facts.documentNumber}: ${warning.message.replace(/^FR doc \S+(, )?:?\s*/, '')}`,
        applied: true,
      }),
    );
  }

  const next: Snapshot = {
    asOf: laterDate(prior.asOf, facts.publicationDate),
    entries: sortEntries([...state.values()]),
  };
  const counts = countEvents(events);
  events.push(
    rulePublishedEvent(facts, {
      isEntityListChange: doc.isEntityListChange,
      counts,
      listSize: next.entries.length,
      asOf: next.asOf,
    }),
  );
  return { next, events, anomalies: events.filter(isAnomaly), counts, shared: state.shared };
}

/** The name for `applyDocument`. */
export const apply = applyDocument;

/** Applies documents one after another (callers order them by publication date). */
export function applyDocuments(
  prior: Snapshot,
  docs: readonly DocumentChanges[],
  options: ApplyOptions = {},
): { next: Snapshot; events: EntityListEvent[]; anomalies: AnomalyEvent[] } {
  let state = prior;
  const events: EntityListEvent[] = [];
  for (const doc of docs) {
    const result = applyDocument(state, doc, options);
    state = result.next;
    events.push(...result.events);
  }
  return { next: state, events, anomalies: events.filter(isAnomaly) };
}

/**
 * A warning for each name the list holds more than once under one destination: the listings are all
 * kept (nothing is merged or dropped), and told apart by their listing keys.
 */
export function sharedKeyWarnings(shared: readonly SharedKey[], asOf: string): string[] {
  return shared.map((group) => {
    const { entry } = group.listings[0]!;
    const others = group.listings
      .map((l) => l.key.slice(group.key.length))
      .filter((suffix) => suffix !== '')
      .join(', ');
    return `the list as of ${asOf} names "${entry.name}" ${group.listings.length} times under ${entry.country}: all are kept, as "${group.key}" and "${group.key}" + ${others}`;
  });
}

/** Applies one instruction to the working state (a local map) and returns the events it makes. */
function applyChange(
  state: EntryIndex,
  change: EntryChange,
  origin: EventOrigin,
  thresholds: MatchThresholds,
): EntityListEvent[] {
  if (change.action === 'add') return applyAdd(state, change, origin);

  const row = rowOf(change);
  // A row that renames the entry prints the new name; the instruction's own name finds the old one.
  const instructedName = change.previousName ?? change.entry.name;
  const given = change.entry as Partial<Entry>;
  const resolution = resolveEntry(
    state,
    {
      country: change.country,
      name: instructedName,
      aliases: [change.entry.name, ...row.entry.aliases],
      ...(given.addresses ? { addresses: given.addresses } : {}),
    },
    thresholds,
  );
  if (resolution.kind !== 'found') return [unresolvedAnomaly(origin, change, resolution)];

  const before = resolution.entry;
  const previousKey = resolution.match.key;
  const match: MatchData = {
    method: resolution.match.method,
    confidence: resolution.match.confidence,
    instructedName,
    matchedText: resolution.match.matchedText,
  };
  if (change.action === 'remove') {
    state.remove(previousKey);
    return [entryRemovedEvent(origin, before, { match, key: previousKey })];
  }

  const after = rowOf(change, before).entry;
  const newBase = keyOf(after);
  const collidesWith = newBase !== baseKeyOf(previousKey) ? state.listings(newBase)[0]?.[1] : undefined;
  if (collidesWith) {
    return [
      anomalyEvent(origin, {
        ...instructionFacts(change),
        code: 'EL_RENAME_COLLISION',
        message: `${where(origin, change)}: the ${change.action === 'correct' ? 'corrected' : 'revised'} row renames "${before.name}" to "${after.name}", which is already listed as "${collidesWith.name}" (key ${newBase}); not applied`,
        applied: false,
        key: newBase,
      }),
    ];
  }
  const { key } = state.replace(previousKey, after);
  const keys = { key, previousKey, match };
  const events: EntityListEvent[] = [
    change.action === 'correct'
      ? entryCorrectedEvent(origin, before, after, correctionTarget(change, before), keys)
      : compareWording(before, after).kind === 'editorial'
        ? entryEditorialEvent(origin, before, after, keys)
        : entryRevisedEvent(origin, before, after, keys),
  ];
  if (row.missing.length > 0)
    events.push(incompleteRowAnomaly(origin, change, row.missing, 'the prior values were kept'));
  return events;
}

function applyAdd(state: EntryIndex, change: EntryChange, origin: EventOrigin): EntityListEvent[] {
  const row = rowOf(change);
  const base = keyOf(row.entry);
  const listed = state.listings(base);
  // Already listed: BIS sometimes "adds" an entry that a prior rule listed. Where the name is listed
  // once, or one of its listings has the row's very words, the row is applied as a revision of that
  // listing, which keeps the state equal to what the table now prints; the anomaly says it happened.
  // Where the name is listed several times and none has the row's words, it is another listing.
  const existing =
    listed.length === 1 ? listed[0] : listed.find(([, e]) => cellWords(e) === cellWords(row.entry));
  const events: EntityListEvent[] = [];
  if (existing) {
    const [previousKey, prior] = existing;
    const after = rowOf(change, prior).entry;
    const { key } = state.replace(previousKey, after);
    events.push(
      entryRevisedEvent(origin, prior, after, {
        key,
        previousKey,
        match: {
          method: 'key',
          confidence: 1,
          instructedName: change.entry.name,
          matchedText: prior.name,
        },
      }),
      anomalyEvent(origin, {
        ...instructionFacts(change),
        code: 'EL_ADD_OF_EXISTING_ENTRY',
        message: `${where(origin, change)}: adds "${change.entry.name}", which is already listed as "${prior.name}"; applied as a revision of that entry`,
        applied: true,
        key,
      }),
    );
  } else {
    const { key } = state.add(row.entry);
    events.push(entryAddedEvent(origin, row.entry, { key }));
    if (listed.length > 0) {
      events.push(
        anomalyEvent(origin, {
          ...instructionFacts(change),
          code: 'EL_ADD_OF_EXISTING_ENTRY',
          message: `${where(origin, change)}: adds "${change.entry.name}", whose name is already listed ${listed.length} times under ${change.country} with other addresses; added as another listing (${key})`,
          applied: true,
          key,
        }),
      );
    }
  }
  if (row.missing.length > 0 && !existing) {
    events.push(incompleteRowAnomaly(origin, change, row.missing, 'added with empty values'));
  } else if (row.missing.length > 0) {
    events.push(incompleteRowAnomaly(origin, change, row.missing, 'the prior values were kept'));
  }
  return events;
}

const ROW_FIELDS = [
  'aliases',
  'addresses',
  'licenseRequirement',
  'licenseReviewPolicy',
  'federalRegisterCitations',
] as const;

/**
 * The listed entry an instruction's row describes. Fields the row lacks (a removal carries only a
 * name; an extractor may miss a cell) come from `fallback`, else are empty; `missing` names them.
 * The destination keeps the state's spelling when both name the same destination.
 */
function rowOf(change: EntryChange, fallback?: ListedEntry): { entry: ListedEntry; missing: string[] } {
  const given = change.entry as Partial<Entry> & { name: string };
  const missing = ROW_FIELDS.filter((f) => given[f] === undefined);
  const country =
    fallback && normalizeCountry(fallback.country) === normalizeCountry(change.country)
      ? fallback.country
      : change.country;
  const entry: Entry = {
    name: given.name,
    aliases: given.aliases ?? fallback?.aliases ?? [],
    addresses: given.addresses ?? fallback?.addresses ?? [],
    licenseRequirement: given.licenseRequirement ?? fallback?.licenseRequirement ?? '',
    licenseReviewPolicy: given.licenseReviewPolicy ?? fallback?.licenseReviewPolicy ?? '',
    federalRegisterCitations: given.federalRegisterCitations ?? fallback?.federalRegisterCitations ?? [],
  };
  const footnotes = given.footnotes ?? fallback?.footnotes;
  if (footnotes) entry.footnotes = footnotes;
  return { entry: canonicalEntry(country, entry), missing };
}

/**
 * What a correction corrects: the document the instruction names, else the entry's latest citation
 * before the correction (the rule that last printed the row), else unknown.
 */
function correctionTarget(change: EntryChange, before: ListedEntry): CorrectionTarget {
  if (change.correctsDocument !== undefined || change.correctsCitation !== undefined) {
    return {
      ...(change.correctsDocument !== undefined ? { documentNumber: change.correctsDocument } : {}),
      ...(change.correctsCitation !== undefined ? { citation: change.correctsCitation } : {}),
      basis: 'instruction',
    };
  }
  const last = before.federalRegisterCitations[before.federalRegisterCitations.length - 1];
  const citation = last?.match(/^\s*(\d+\s+FR\s+\d+)/)?.[1];
  return citation ? { citation, basis: 'entry-citations' } : { basis: 'unknown' };
}

function unresolvedAnomaly(
  origin: EventOrigin,
  change: EntryChange,
  resolution: Exclude<Resolution, { kind: 'found' }>,
): AnomalyEvent {
  const seen = resolution.candidates
    .map((c) => `"${c.name}" under ${c.country} (${c.method}, ${c.confidence})`)
    .join('; ');
  const detail = {
    'not-found': { code: 'EL_UNKNOWN_ENTRY', text: 'no such entry in the state' },
    ambiguous: { code: 'EL_AMBIGUOUS_ENTRY', text: `several entries fit equally well: ${seen}` },
    'low-confidence': {
      code: 'EL_LOW_CONFIDENCE_MATCH',
      text: `closest entries are not close enough to act on: ${seen}`,
    },
    'other-destination': {
      code: 'EL_ENTRY_UNDER_OTHER_DESTINATION',
      text: `listed only under another destination: ${seen}`,
    },
  } as const;
  const { code, text } = detail[resolution.kind];
  const anomaly: AnomalyInput = {
    ...instructionFacts(change),
    code,
    message: `${where(origin, change)}: cannot ${change.action} "${change.previousName ?? change.entry.name}": ${text}; not applied`,
    applied: false,
  };
  if (resolution.candidates.length > 0) anomaly.candidates = resolution.candidates;
  return anomalyEvent(origin, anomaly);
}

function incompleteRowAnomaly(
  origin: EventOrigin,
  change: EntryChange,
  missing: string[],
  outcome: string,
): AnomalyEvent {
  return anomalyEvent(origin, {
    ...instructionFacts(change),
    code: 'EL_INCOMPLETE_ROW',
    message: `${where(origin, change)}: the row for "${change.entry.name}" lacks ${missing.join(', ')}; ${outcome}`,
    applied: true,
  });
}

function instructionFacts(
  change: EntryChange,
): Pick<AnomalyInput, 'key' | 'country' | 'name' | 'action' | 'instruction'> {
  const name = change.previousName ?? change.entry.name;
  return {
    key: entryKey(change.country, name),
    country: change.country,
    name,
    action: change.action,
    instruction: change,
  };
}

function where(origin: EventOrigin, change: EntryChange): string {
  const doc = origin.kind === 'document' ? `FR doc ${origin.facts.documentNumber}` : origin.source;
  return `${doc}, ${change.action} under ${change.country}`;
}

function countEvents(events: readonly EntityListEvent[]): ChangeCounts {
  const counts: ChangeCounts = { added: 0, revised: 0, removed: 0, corrected: 0, anomalies: 0 };
  for (const event of events) {
    if (event.type === 'gov.bis.entitylist.entry.added') counts.added += 1;
    else if (event.type === 'gov.bis.entitylist.entry.revised') counts.revised += 1;
    else if (event.type === 'gov.bis.entitylist.entry.removed') counts.removed += 1;
    else if (event.type === 'gov.bis.entitylist.entry.corrected') counts.corrected += 1;
    else if (event.type === 'gov.bis.entitylist.anomaly') counts.anomalies += 1;
  }
  return counts;
}

function isAnomaly(event: EntityListEvent): event is AnomalyEvent {
  return event.type === 'gov.bis.entitylist.anomaly';
}
