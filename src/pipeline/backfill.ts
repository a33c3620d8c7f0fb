import { drainApplyLine } from './apply.js';
import type { PipelineContext } from './context.js';
import { processDocument } from './document.js';
import { fanOut } from './fanout.js';
import { enqueueDocuments } from './poll.js';

/**
 * Backfill: walk the Federal Register over a date range and apply what it finds, in this process,
 * through the same stages the workers run (discover → fetch and extract → apply in order → fan
 * out). Documents already applied are skipped by the document store; the events reach
 * subscribers when the service's delivery workers run.
 */
export interface BackfillProgress {
  phase: 'search' | 'extract' | 'apply' | 'done';
  done: number;
  total: number;
  documentNumber?: string;
}

export interface BackfillSummary {
  found: number;
  discovered: number;
  extracted: number;
  applied: number;
  quarantined: string[];
  alreadyKnown: number;
  queuedDeliveries: number;
  asOf: string;
  entries: number;
}

export async function backfill(
  ctx: PipelineContext,
  range: { since: string; until?: string },
  signal: AbortSignal,
  onProgress: (p: BackfillProgress) => void = () => {},
): Promise<BackfillSummary> {
  onProgress({ phase: 'search', done: 0, total: 0 });
  const result = await ctx.frClient.entityListCandidates({
    since: range.since,
    ...(range.until ? { until: range.until } : {}),
    signal,
  });
  const documents = [...result.documents].sort(
    (a, b) =>
      a.publication_date.localeCompare(b.publication_date) ||
      a.document_number.localeCompare(b.document_number),
  );
  const discovered = await enqueueDocuments(ctx, documents, 'backfill');

  let extracted = 0;
  const quarantined: string[] = [];
  let done = 0;
  for (const doc of documents) {
    onProgress({ phase: 'extract', done, total: documents.length, documentNumber: doc.document_number });
    const outcome = await processDocument(ctx, doc.document_number, signal);
    if (outcome === 'extracted') extracted++;
    if (outcome === 'quarantined') quarantined.push(doc.document_number);
    done++;
  }
  onProgress({ phase: 'apply', done, total: documents.length });
  const { applied } = await drainApplyLine(ctx, signal);
  const queuedDeliveries = await fanOut(ctx, signal);
  const { snapshot } = await ctx.state.read();
  onProgress({ phase: 'done', done, total: documents.length });
  return {
    found: documents.length,
    discovered: discovered.length,
    extracted,
    applied: applied.length,
    quarantined,
    alreadyKnown: documents.length - discovered.length,
    queuedDeliveries,
    asOf: snapshot.asOf,
    entries: snapshot.entries.length,
  };
}
