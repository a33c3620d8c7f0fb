import type { RedisClient } from './redis.js';
import type { DocumentFacts } from '../entity-list/document.js';
import type { DocumentExtraction } from '../entity-list/types.js';
import type { Keys } from './keys.js';

/**
 * Each Federal Register document's way through the pipeline: discovered by a poll, extracted by a
 * document worker, applied (in publication order) by the apply worker, or quarantined with its
 * reason. The pending set orders documents by publication date, then number: the apply worker
 * only ever applies its head.
 */
export type DocumentStatus = 'discovered' | 'extracted' | 'applied' | 'quarantined';

export interface DiscoveredDocument {
  documentNumber: string;
  publicationDate: string;
  /** The full-text XML address, as the API gave it. */
  xmlUrl: string;
  facts: DocumentFacts;
  /** How it was found: a published-documents poll, a backfill, an operator's retry. */
  via: string;
}

export interface DocumentRecord extends DiscoveredDocument {
  status: DocumentStatus;
  discoveredAt: string;
  extraction?: DocumentExtraction;
  extractedAt?: string;
  appliedAt?: string;
  /** Ids of the events the document produced, in order. */
  events: string[];
  error?: { code: string; message: string; at: string; attempts?: number };
}

/** Publication order as a sorted-set score: day, then the document's serial number. */
export function publicationScore(publicationDate: string, documentNumber: string): number {
  const day = Math.floor(Date.parse(`${publicationDate}T00:00:00Z`) / 86_400_000);
  const serial = Number(/(\d+)$/.exec(documentNumber)?.[1] ?? 0) % 1_000_000;
  return day * 1_000_000 + serial;
}

/** KEYS: doc hash, pending set, all set. ARGV: number, score, date, xmlUrl, facts, via, discoveredAt. */
const DISCOVER_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], 'documentNumber') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'status', 'discovered', 'documentNumber', ARGV[1], 'publicationDate', ARGV[3],
  'xmlUrl', ARGV[4], 'facts', ARGV[5], 'via', ARGV[6], 'discoveredAt', ARGV[7])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
return 1
`;

export class DocumentStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /**
   * Records a newly seen document (once: a second discovery changes nothing) and puts it in line
   * for application. Returns false when the document was already known.
   */
  async discover(doc: DiscoveredDocument, now: number): Promise<boolean> {
    const score = publicationScore(doc.publicationDate, doc.documentNumber);
    // One script, so that a Redis failure can never leave a record half-written (a status with
    // no document behind it would be invisible and never applied).
    const created = await this.redis.eval(
      DISCOVER_SCRIPT,
      3,
      this.keys.doc(doc.documentNumber),
      this.keys.docsPending,
      this.keys.docsAll,
      doc.documentNumber,
      String(score),
      doc.publicationDate,
      doc.xmlUrl,
      JSON.stringify(doc.facts),
      doc.via,
      new Date(now).toISOString(),
    );
    return created === 1;
  }

  async get(documentNumber: string): Promise<DocumentRecord | undefined> {
    const h = await this.redis.hgetall(this.keys.doc(documentNumber));
    if (!h.status || !h.documentNumber) return undefined;
    const record: DocumentRecord = {
      documentNumber: h.documentNumber,
      publicationDate: h.publicationDate ?? '',
      xmlUrl: h.xmlUrl ?? '',
      facts: JSON.parse(h.facts ?? '{}') as DocumentFacts,
      via: h.via ?? '',
      status: h.status as DocumentStatus,
      discoveredAt: h.discoveredAt ?? '',
      events: h.events ? (JSON.parse(h.events) as string[]) : [],
    };
    if (h.extraction) record.extraction = JSON.parse(h.extraction) as DocumentExtraction;
    if (h.extractedAt) record.extractedAt = h.extractedAt;
    if (h.appliedAt) record.appliedAt = new Date(Number(h.appliedAt)).toISOString();
    if (h.error) record.error = JSON.parse(h.error) as DocumentRecord['error'];
    return record;
  }

  /** Stores the extraction, unless the document moved on meanwhile (applied or quarantined). */
  async saveExtraction(
    documentNumber: string,
    extraction: DocumentExtraction,
    now: number,
  ): Promise<boolean> {
    const key = this.keys.doc(documentNumber);
    const status = await this.redis.hget(key, 'status');
    if (status !== 'discovered' && status !== 'extracted') return false;
    await this.redis.hset(key, {
      status: 'extracted',
      extraction: JSON.stringify(extraction),
      extractedAt: new Date(now).toISOString(),
    });
    return true;
  }

  /** Takes the document out of line with its reason; it stays visible and can be retried. */
  async quarantine(
    documentNumber: string,
    error: { code: string; message: string; attempts?: number },
    now: number,
  ): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.doc(documentNumber), {
        status: 'quarantined',
        error: JSON.stringify({ ...error, at: new Date(now).toISOString() }),
      })
      .zrem(this.keys.docsPending, documentNumber)
      .sadd(this.keys.docsQuarantined, documentNumber)
      .exec();
  }

  /** Puts a quarantined document back in line for another fetch and extraction. */
  async release(documentNumber: string): Promise<DocumentRecord | undefined> {
    const record = await this.get(documentNumber);
    if (!record || record.status !== 'quarantined') return record;
    await this.redis
      .multi()
      .hset(this.keys.doc(documentNumber), 'status', 'discovered')
      .hdel(this.keys.doc(documentNumber), 'extraction', 'extractedAt')
      .srem(this.keys.docsQuarantined, documentNumber)
      .zadd(this.keys.docsPending, publicationScore(record.publicationDate, documentNumber), documentNumber)
      .exec();
    return this.get(documentNumber);
  }

  /** The next document in publication order waiting to be applied. */
  async head(): Promise<string | undefined> {
    const [first] = await this.redis.zrange(this.keys.docsPending, '0', '0');
    return first;
  }

  async pending(): Promise<string[]> {
    return this.redis.zrange(this.keys.docsPending, '0', '-1');
  }

  async quarantined(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.docsQuarantined)).sort();
  }

  async count(): Promise<number> {
    return this.redis.zcard(this.keys.docsAll);
  }
}
