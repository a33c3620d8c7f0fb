import { documentNumberKey } from '../federal-register/document-number.js';
import { extractFromXml } from '../entity-list/extract.js';
import type { DocumentExtraction } from '../entity-list/types.js';
import { isAppError, isRetryable } from '../errors.js';
import { isRedisUnavailable } from '../store/redis.js';
import { DEFAULT_XML_LIMITS } from '../rule-xml/parser-options.js';
import type { PipelineContext } from './context.js';

/**
 * The document stage: fetch a rule's full-text XML and extract its Entity List changes. Runs in
 * parallel across documents; application happens later, in order, in the apply stage. A permanent
 * failure (bad XML, a 404, a body that is not XML) quarantines the document with its reason and
 * the line moves on; a retryable one is thrown for the queue to back off and try again. XML that
 * ends early is downloaded again first: the same bytes would fail the same way, the next download
 * need not.
 */
export type DocumentOutcome = 'extracted' | 'quarantined' | 'skipped';

/** Downloads of a document whose XML keeps ending early before it is quarantined as truncated. */
export const DOWNLOADS_WHEN_TRUNCATED = 4;

export async function processDocument(
  ctx: PipelineContext,
  documentNumber: string,
  signal: AbortSignal,
): Promise<DocumentOutcome> {
  const record = await ctx.documents.get(documentNumber);
  if (!record) {
    ctx.logger.warn({ documentNumber }, 'document job for a document never discovered; skipped');
    return 'skipped';
  }
  if (record.status === 'applied' || record.status === 'quarantined') return 'skipped';
  if (record.status === 'extracted') {
    await wakeApply(ctx, `document ${documentNumber} already extracted`);
    return 'skipped';
  }

  const started = ctx.now();
  let extraction: DocumentExtraction;
  for (let download = 1; ; download++) {
    try {
      const xml = await ctx.frClient.getFullTextXmlBytes(record.xmlUrl, { signal });
      extraction = pickDocument(
        extractFromXml(xml, {
          source: `FR doc ${documentNumber}`,
          fallbackDocumentNumber: documentNumber,
          limits: { maxBytes: DEFAULT_XML_LIMITS.maxBytes },
        }),
        documentNumber,
      );
      break;
    } catch (err) {
      // Redis away mid-download (the shared rate budget lives there) is no fault of the document.
      if (isRetryable(err) || isRedisUnavailable(err)) throw err;
      // A well-framed body that stops before </RULE> is how a download cut short by a proxy or a
      // failing server looks: fetch it again before blaming the document itself.
      const truncated = isAppError(err, 'XML_TRUNCATED');
      if (truncated && download < DOWNLOADS_WHEN_TRUNCATED) {
        ctx.logger.warn(
          { documentNumber, download, err: (err as Error).message },
          'full-text XML ends early; downloading it again',
        );
        continue;
      }
      await quarantine(ctx, documentNumber, err, truncated ? download : undefined);
      return 'quarantined';
    }
  }
  await ctx.documents.saveExtraction(documentNumber, extraction, ctx.now());
  ctx.observer.emit('document.extracted', {
    documentNumber,
    changes: extraction.changes.length,
    warnings: extraction.warnings.length,
    durationMs: ctx.now() - started,
    isEntityListChange: extraction.isEntityListChange,
  });
  if (extraction.warnings.length > 0) {
    ctx.logger.warn(
      { documentNumber, warnings: extraction.warnings.map((w) => w.message) },
      'extraction warnings',
    );
  }
  await wakeApply(ctx, `document ${documentNumber} extracted`);
  return 'extracted';
}

/**
 * The extraction for this document. Full-text XML holds one document, but its FRDOC may print the
 * number without the API's zero padding (2012-7333 for 2012-07333).
 */
function pickDocument(docs: DocumentExtraction[], documentNumber: string): DocumentExtraction {
  const key = documentNumberKey(documentNumber);
  const found =
    docs.find((d) => documentNumberKey(d.documentNumber) === key) ??
    (docs.length === 1 ? docs[0] : undefined);
  if (!found) {
    return {
      documentNumber,
      isEntityListChange: false,
      changes: [],
      warnings: [],
      document: { documentNumber, documentType: 'UNKNOWN', cfrParts: [] },
    };
  }
  return { ...found, documentNumber };
}

export async function quarantine(
  ctx: PipelineContext,
  documentNumber: string,
  err: unknown,
  attempts?: number,
): Promise<void> {
  const code = isAppError(err) ? err.code : 'INTERNAL';
  const message = err instanceof Error ? err.message : String(err);
  await ctx.documents.quarantine(
    documentNumber,
    { code, message, ...(attempts ? { attempts } : {}) },
    ctx.now(),
  );
  ctx.observer.emit('document.quarantined', { documentNumber, code });
  ctx.logger.error({ documentNumber, code, err: message }, 'document quarantined');
  await wakeApply(ctx, `document ${documentNumber} quarantined`);
}

/** The apply worker drains the line; waking it twice costs one empty pass. */
export async function wakeApply(ctx: PipelineContext, reason: string): Promise<void> {
  await ctx.queues.apply.add('apply', { v: 1, reason });
}
