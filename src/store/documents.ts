import type { RedisClient } from './redis.js';
import type { DocumentFacts } from '../entity-list/document.js';
import type { DocumentExtraction } from '../entity-list/types.js';
import { decode, decodeOptional, isObject, isStringArray, type Shape } from './codec.js';
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

/** A recently seen document, as the public-inspection poll links filings to it. */
export interface RecentDocument {
  documentNumber: string;
  publicationDate: string;
  citation?: string;
  /** Absent when the record has none (a record half written). */
  status?: DocumentStatus;
  discoveredAt: string;
}

/** Facts as the poll found them; a document discovered without any holds `{}`. */
const isFacts: Shape<DocumentFacts> = function DocumentFacts(v): v is DocumentFacts {
  return isObject(v);
};
const isExtraction: Shape<DocumentExtraction> = function DocumentExtraction(v): v is DocumentExtraction {
  return isObject(v) && Array.isArray(v.changes);
};
const isError = function DocumentError(v: unknown): v is NonNullable<DocumentRecord['error']> {
  return isObject(v) && typeof v.code === 'string';
};

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
    const key = this.keys.doc(documentNumber);
    const h = await this.redis.hgetall(key);
    if (!h.status || !h.documentNumber) return undefined;
    const record: DocumentRecord = {
      documentNumber: h.documentNumber,
      publicationDate: h.publicationDate ?? '',
      xmlUrl: h.xmlUrl ?? '',
      facts: decode(h.facts ?? '{}', { key, field: 'facts' }, isFacts),
      via: h.via ?? '',
      status: h.status as DocumentStatus,
      discoveredAt: h.discoveredAt ?? '',
      events: decodeOptional(h.events, { key, field: 'events' }, isStringArray) ?? [],
    };
    const extraction = decodeOptional(h.extraction, { key, field: 'extraction' }, isExtraction);
    if (extraction) record.extraction = extraction;
    if (h.extractedAt) record.extractedAt = h.extractedAt;
    if (h.appliedAt) record.appliedAt = new Date(Number(h.appliedAt)).toISOString();
    const error = decodeOptional(h.error, { key, field: 'error' }, isError);
    if (error) record.error = error;
    return record;
  }

  /** The document's extraction, when it has been extracted. */
  async extraction(documentNumber: string): Promise<DocumentExtraction | undefined> {
    const key = this.keys.doc(documentNumber);
    return decodeOptional(
      await this.redis.hget(key, 'extraction'),
      { key, field: 'extraction' },
      isExtraction,
    );
  }

  /** When a poll first saw the document (ms), if it did. */
  async discoveredAt(documentNumber: string): Promise<number | undefined> {
    const at = await this.redis.hget(this.keys.doc(documentNumber), 'discoveredAt');
    return at ? Date.parse(at) : undefined;
  }

  /**
   * The last `limit` documents seen, in publication order from the newest, with what a filing is
   * linked by; read in one round trip (this runs at every public-inspection poll).
   */
  async recent(limit: number): Promise<RecentDocument[]> {
    const numbers = await this.redis.zrevrange(this.keys.docsAll, 0, limit - 1);
    const pipeline = this.redis.pipeline();
    for (const n of numbers)
      pipeline.hmget(this.keys.doc(n), 'publicationDate', 'facts', 'status', 'discoveredAt');
    const rows = (await pipeline.exec()) ?? [];
    const out: RecentDocument[] = [];
    numbers.forEach((n, i) => {
      const [err, fields] = rows[i] ?? [];
      if (err) throw err;
      const [date, facts, status, discoveredAt] = fields as Array<string | null>;
      if (!date) return;
      const citation = decodeOptional(facts, { key: this.keys.doc(n), field: 'facts' }, isFacts)?.citation;
      out.push({
        documentNumber: n,
        publicationDate: date,
        ...(citation ? { citation } : {}),
        ...(status ? { status: status as DocumentStatus } : {}),
        discoveredAt: discoveredAt ?? '',
      });
    });
    return out;
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

  /** Takes a document out of the apply line (applied or quarantined meanwhile). */
  async dropPending(documentNumber: string): Promise<void> {
    await this.redis.zrem(this.keys.docsPending, documentNumber);
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
