/**
 * Exports written out chunk by chunk: the list is thousands of entries, and a response must
 * start before its last row is built. Each format is an async generator of text chunks, rows
 * built as the reader pulls (a Node `Readable.from` of it applies backpressure). Pure apart from
 * yielding to the event loop between batches.
 */
import { stringify } from 'csv-stringify/sync';
import { keyOf } from '../entity-list/snapshot.js';
import type { ListedEntry } from '../entity-list/types.js';
import { CSL_HEADER, cslCsvRow, cslJsonRow, type EffectiveDates } from './csl.js';
import { ftmDelta } from './delta.js';
import { ftmEntities } from './ftm.js';

export const EXPORT_FORMATS = ['csl-csv', 'csl-json', 'ftm'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat | 'ftm-delta', string> = {
  'csl-csv': 'text/csv; charset=utf-8',
  'csl-json': 'application/json; charset=utf-8',
  ftm: 'application/x-ndjson; charset=utf-8',
  'ftm-delta': 'application/x-ndjson; charset=utf-8',
};

export interface ExportOptions {
  effectiveDates?: EffectiveDates;
  /** Rows per chunk (default 256). */
  batch?: number;
}

/** RFC 4180: records end with CRLF; every field is quoted, as the CSL quotes them. */
const CSV_OPTIONS = { quoted: true, quoted_empty: true, record_delimiter: '\r\n' } as const;

/** The header line exactly as trade.gov's file prints it (unquoted). */
export const CSL_HEADER_LINE = `${CSL_HEADER.join(',')}\r\n`;

/** Counts listings per key as an export goes, for ids that stay unique (see `ftmEntityId`). */
function occurrences(): (entry: ListedEntry) => number {
  const seen = new Map<string, number>();
  return (entry) => {
    const key = keyOf(entry);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n;
  };
}

function* batches<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** Lets other requests (and the socket's writes) run between batches. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function* cslCsvChunks(
  entries: readonly ListedEntry[],
  options: ExportOptions = {},
): AsyncGenerator<string> {
  yield CSL_HEADER_LINE;
  const occurrence = occurrences();
  for (const batch of batches(entries, options.batch ?? 256)) {
    const records = batch.map((entry) => {
      const row = cslCsvRow(entry, options.effectiveDates, occurrence(entry));
      return CSL_HEADER.map((column) => row[column]);
    });
    yield stringify(records, CSV_OPTIONS);
    await tick();
  }
}

export async function* cslJsonChunks(
  entries: readonly ListedEntry[],
  options: ExportOptions = {},
): AsyncGenerator<string> {
  yield `{"total":${entries.length},"results":[`;
  let first = true;
  const occurrence = occurrences();
  for (const batch of batches(entries, options.batch ?? 256)) {
    let chunk = '';
    for (const entry of batch) {
      const row = cslJsonRow(entry, options.effectiveDates, occurrence(entry));
      chunk += (first ? '\n' : ',\n') + JSON.stringify(row);
      first = false;
    }
    yield chunk;
    await tick();
  }
  yield '\n]}\n';
}

export async function* ftmChunks(
  entries: readonly ListedEntry[],
  options: ExportOptions = {},
): AsyncGenerator<string> {
  const occurrence = occurrences();
  for (const batch of batches(entries, options.batch ?? 256)) {
    let chunk = '';
    for (const entry of batch) {
      const entities = ftmEntities(entry, { ...options, occurrence: occurrence(entry) });
      for (const entity of entities) chunk += `${JSON.stringify(entity)}\n`;
    }
    yield chunk;
    await tick();
  }
}

export async function* ftmDeltaChunks(
  before: readonly ListedEntry[],
  after: readonly ListedEntry[],
  options: ExportOptions = {},
): AsyncGenerator<string> {
  let chunk = '';
  let n = 0;
  for (const line of ftmDelta(before, after, options)) {
    chunk += `${JSON.stringify(line)}\n`;
    if (++n % (options.batch ?? 256) === 0) {
      yield chunk;
      chunk = '';
      await tick();
    }
  }
  if (chunk) yield chunk;
}

export function exportChunks(
  format: ExportFormat,
  entries: readonly ListedEntry[],
  options: ExportOptions = {},
): AsyncGenerator<string> {
  switch (format) {
    case 'csl-csv':
      return cslCsvChunks(entries, options);
    case 'csl-json':
      return cslJsonChunks(entries, options);
    case 'ftm':
      return ftmChunks(entries, options);
  }
}
