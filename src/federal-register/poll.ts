import type { FederalRegisterClient, RequestContext } from './client.js';
import type { DocumentCursor } from '../store/cursor.js';
import type { FrDocument, FrDocumentTypeCode } from './types.js';

export interface PollResult {
  since: string;
  /** Documents the search returned (all pages). */
  returned: number;
  pages: number;
  notModifiedPages: number;
  /** Not yet processed, oldest first: enqueue these, then `cursor.markProcessed` each when done. */
  documents: FrDocument[];
}

/**
 * One poll of the Entity List candidate search from the cursor. Marking documents processed is
 * left to the caller, after the document's job is safely enqueued (or done), so that a crash
 * between the two repeats a document rather than losing it.
 */
export async function pollEntityListDocuments(
  client: FederalRegisterClient,
  cursor: DocumentCursor,
  ctx: RequestContext & { types?: FrDocumentTypeCode[] },
): Promise<PollResult> {
  const since = await cursor.since();
  const result = await client.entityListCandidates({
    since,
    signal: ctx.signal,
    ...(ctx.types ? { types: ctx.types } : {}),
  });
  const documents = await cursor.newDocuments(result.documents);
  return {
    since,
    returned: result.documents.length,
    pages: result.pages,
    notModifiedPages: result.notModifiedPages,
    documents,
  };
}
