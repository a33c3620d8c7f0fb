/**
 * CloudEvents 1.0 in structured JSON mode, and the deterministic ids that let receivers de-duplicate:
 * an id is a hash of where the change came from and what it is, so processing the same document (or
 * the same pair of snapshots) again yields the same ids and no new events.
 */
import { createHash } from 'node:crypto';

export const EVENT_TYPES = {
  entryAdded: 'gov.bis.entitylist.entry.added',
  entryRevised: 'gov.bis.entitylist.entry.revised',
  entryRemoved: 'gov.bis.entitylist.entry.removed',
  entryCorrected: 'gov.bis.entitylist.entry.corrected',
  entryEditorial: 'gov.bis.entitylist.entry.editorial',
  rulePublished: 'gov.bis.entitylist.rule.published',
  rulePublicInspection: 'gov.bis.entitylist.rule.public_inspection',
  anomaly: 'gov.bis.entitylist.anomaly',
  drift: 'gov.bis.entitylist.drift',
} as const;

export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

export const ALL_EVENT_TYPES: readonly EventType[] = Object.freeze(Object.values(EVENT_TYPES));

/**
 * Types delivered only to those who ask for them by name: a subscription whose filter lists the
 * type itself (not a wildcard, not "all types"), a feed request that names it. Editorial changes
 * (punctuation, spacing, line breaks, markup or case of an entry, its words unchanged) are not
 * changes to the list, and most receivers must not be woken by them.
 */
export const OPT_IN_EVENT_TYPES: ReadonlySet<string> = new Set<string>([EVENT_TYPES.entryEditorial]);

/** Whether a filter of event types asks for `type`: opt-in types only when named outright. */
export function typeWanted(type: string, wanted: readonly string[] | undefined): boolean {
  if (!wanted || wanted.length === 0) return !OPT_IN_EVENT_TYPES.has(type);
  return wanted.some((t) =>
    t.endsWith('*') ? !OPT_IN_EVENT_TYPES.has(type) && type.startsWith(t.slice(0, -1)) : type === t,
  );
}

/** A CloudEvents 1.0 event as fedreg-watch emits it: every optional attribute we use is always set. */
export interface CloudEvent<TType extends EventType = EventType, TData = unknown> {
  specversion: '1.0';
  /** 32 lowercase hex digits: the first 128 bits of a SHA-256 over the change (see `eventId`). */
  id: string;
  /** URI of what the change came from: the FR document, or the snapshot source (eCFR, CSL). */
  source: string;
  type: TType;
  /** The entry key for entry events; the document number or source for document-level events. */
  subject: string;
  /** When the change took effect, RFC 3339 (see `timeOfDate`). */
  time: string;
  datacontenttype: 'application/json';
  data: TData;
}

/**
 * The id of an event: SHA-256 over the canonical JSON of `parts`, first 32 hex digits. 128 bits make
 * an accidental collision between distinct changes negligible; equal parts give equal ids by design.
 */
export function eventId(parts: readonly unknown[]): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex').slice(0, 32);
}

/**
 * JSON with object keys sorted at every level, and `undefined` members left out (as JSON.stringify
 * does), so that two equal values always hash alike whatever order their fields were built in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
  return `{${members.join(',')}}`;
}

/**
 * The CloudEvents `time` of an ISO date. The Federal Register dates rules, it does not time them, and
 * CloudEvents requires an RFC 3339 timestamp: midnight UTC of the date, so the date part reads true.
 */
export function timeOfDate(isoDate: string): string {
  return `${isoDate}T00:00:00Z`;
}
