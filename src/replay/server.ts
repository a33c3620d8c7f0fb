import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError, isAppError } from '../errors.js';
import { easternDate, isIsoDate, utcDate } from '../federal-register/dates.js';
import { documentNumberKey } from '../federal-register/document-number.js';
import { renderEcfrPart744 } from '../sources/ecfr.js';
import {
  ecfrFileAt,
  filedDate,
  loadCorpus,
  readEcfrFile,
  type Corpus,
  type CorpusDocument,
} from './corpus.js';
import { FaultInjector, validateFaultRule, type FaultRule, type RouteKind } from './faults.js';
import { publicInspectionRecord, xmlToText } from './public-inspection.js';
import { filterDocuments, parseSearchQuery, projectResult, searchPage } from './search.js';
import { RequestStats, type RequestRecord } from './stats.js';
import { extractedStateAt, groundTruthStateAt, type StateAt } from './timeline.js';

/**
 * A Federal Register API (and eCFR versioner) served from a corpus directory, with a clock, faults
 * on demand and request statistics, so that tests and demos run the real clients over real HTTP.
 *
 * API routes (GET):
 *   /api/v1/documents[.json]                         search (conditions, fields[], per_page, page, order)
 *   /api/v1/documents/<n>[.json]                     one document (`?publication_date=` ignored)
 *   <full_text_xml_url path>                         the XML file's bytes, application/xml
 *   <raw_text_url path>, /public-inspection/<n>.txt  plain text of the XML
 *   /api/v1/public-inspection-documents/current.json filed and not yet published at the clock
 *   /api/v1/public-inspection-documents[.json]?conditions[available_on]=YYYY-MM-DD
 *   /api/v1/public-inspection-documents/<n>.json
 *   /api/versioner/v1/full/<date>/title-15.xml?part=744   part 744 at <date>, eCFR XML: the corpus's
 *                                                    ecfr/<date>.xml in force, else rendered from the state
 *   /api/versioner/v1/titles.json
 * Control routes (never faulted, never counted):
 *   GET/POST /_replay/clock {"now": ISO}; GET/POST/DELETE /_replay/faults; GET/DELETE /_replay/stats;
 *   GET/POST/DELETE /_replay/documents (late appearance, withdrawal); GET /_replay/corpus; POST /_replay/reset
 *
 * The clock: a document is published (visible to search, document, XML) from 00:00 UTC of its
 * publication date; it is on public inspection from its filing instant until then.
 */

export interface ReplayServerOptions {
  corpusDir: string;
  /** Initial clock: ISO instant or date (`2019-10-09` = 00:00 UTC), or ms. Default: the real time. */
  now?: string | number;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /**
   * State of the Entity List at a date, for the eCFR route. Default: the corpus's ground truth
   * (baseline + expected/), else its XML extracted and applied, else the route answers 501.
   */
  stateAt?: StateAt;
  /** Base of absolute URLs in answers; default from the request's Host header. */
  publicUrl?: string;
  /** `absolute` (default, like the real API) or `as-stored` (the corpus's relative URLs). */
  urls?: 'absolute' | 'as-stored';
  log?: (line: string) => void;
}

export interface DocumentOverride {
  /** Hidden from search/document/XML until the clock reaches this instant (a late appearance). */
  availableAt?: number;
  /** Leaves public inspection at this instant and is never published. */
  withdrawnAt?: number;
}

export interface ReplayServer {
  /** `http://host:port` */
  url: string;
  /** `http://host:port/api/v1`: the client's base URL. */
  apiBase: string;
  corpus: Corpus;
  faults: FaultInjector;
  stats: RequestStats;
  now(): number;
  setNow(ms: number): void;
  setOverride(documentNumber: string, override: DocumentOverride | undefined): void;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  kind: RouteKind;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function json(status: number, value: unknown, kind: RouteKind): Answer {
  return { status, headers: { 'content-type': JSON_TYPE }, body: Buffer.from(JSON.stringify(value)), kind };
}

function notFound(kind: RouteKind, message: string): Answer {
  return json(404, { status: 404, message }, kind);
}

/** Parses `now` input: ISO instant, ISO date (UTC midnight), or ms. Throws INPUT_INVALID. */
export function parseClock(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const ms = isIsoDate(value) ? Date.parse(`${value}T00:00:00Z`) : Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new AppError(
    'INPUT_INVALID',
    `clock: expected an ISO 8601 instant or date, got ${JSON.stringify(value)}`,
  );
}

function publicationInstant(doc: CorpusDocument): number {
  return Date.parse(`${doc.publicationDate}T00:00:00Z`);
}

/** Hosts whose document URLs the replay server stands in for. */
const FR_HOSTS = new Set(['www.federalregister.gov', 'federalregister.gov']);
/** Paths the replay server answers itself (API, full texts, public-inspection copies). */
const SERVED_PATHS = /^\/(api\/v1\/|documents\/full_text\/|public-inspection\/)/;

/**
 * The record's URLs as a client should follow them here: relative paths made absolute (unless the
 * server keeps records as stored), and the Federal Register's own absolute URLs for what this
 * server answers (real records carry `https://www.federalregister.gov/documents/full_text/xml/…`)
 * pointed at this server, so that a client never leaves the replay for the real site.
 */
function absolutizer(
  origin: string,
  mode: 'absolute' | 'as-stored',
): (r: Record<string, unknown>) => Record<string, unknown> {
  const rewrite = (v: string): string => {
    if (v.startsWith('/') && !v.startsWith('//')) return mode === 'absolute' ? origin + v : v;
    if (!/^https?:\/\//i.test(v)) return v;
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      return v;
    }
    if (!FR_HOSTS.has(url.hostname.toLowerCase()) || !SERVED_PATHS.test(url.pathname)) return v;
    return origin + url.pathname + url.search;
  };
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'string') return key.endsWith('url') ? rewrite(v) : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
      return out;
    }
    return v;
  };
  return (r) => walk(r, '') as Record<string, unknown>;
}

function etagOf(body: Buffer): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

async function readBody(req: IncomingMessage, limit = 1_000_000): Promise<unknown> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw new AppError('INPUT_INVALID', `request body over ${limit} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('INPUT_INVALID', `request body is not JSON (${(err as Error).message})`);
  }
}

export async function createReplayServer(options: ReplayServerOptions): Promise<ReplayServer> {
  const corpus = await loadCorpus(options.corpusDir);
  const log = options.log ?? (() => undefined);
  for (const w of corpus.warnings) log(`replay corpus: ${w}`);
  let nowMs = options.now === undefined ? Date.now() : parseClock(options.now);
  const faults = new FaultInjector();
  const stats = new RequestStats();
  const overrides = new Map<string, DocumentOverride>();
  const stateAt = options.stateAt ?? groundTruthStateAt(corpus) ?? extractedStateAt(corpus);
  const urlMode = options.urls ?? 'absolute';
  const xmlCache = new Map<string, Promise<Buffer>>();
  const textPaths = new Map<string, CorpusDocument>();
  for (const d of corpus.documents) {
    const raw = d.record.raw_text_url;
    if (typeof raw === 'string') textPaths.set(new URL(raw, 'http://x').pathname, d);
    textPaths.set(`/public-inspection/${d.number}.txt`, d);
  }

  const xmlBytes = (doc: CorpusDocument): Promise<Buffer> => {
    let p = xmlCache.get(doc.key);
    if (!p) {
      p = readFile(doc.xmlFile!);
      xmlCache.set(doc.key, p);
    }
    return p;
  };

  // Full text for `conditions[term]`, read once at start-up.
  const textCache = new Map<string, string>();
  await Promise.all(
    corpus.documents
      .filter((d) => d.xmlFile)
      .map(async (d) => textCache.set(d.key, xmlToText((await xmlBytes(d)).toString('utf8')))),
  );

  const isPublished = (doc: CorpusDocument, at: number): boolean => {
    const o = overrides.get(doc.key);
    if (o?.withdrawnAt !== undefined) return false;
    if (o?.availableAt !== undefined && at < o.availableAt) return false;
    return publicationInstant(doc) <= at;
  };
  const isOnPublicInspection = (doc: CorpusDocument, at: number): boolean => {
    const o = overrides.get(doc.key);
    if (o?.withdrawnAt !== undefined && at >= o.withdrawnAt) return false;
    return doc.filedAt.ms <= at && at < publicationInstant(doc);
  };

  const origin = (req: IncomingMessage): string =>
    options.publicUrl?.replace(/\/+$/, '') ?? `http://${req.headers.host ?? 'localhost'}`;

  // ---- API routes --------------------------------------------------------------------------

  const search = (url: URL, req: IncomingMessage): Answer => {
    const q = parseSearchQuery(url.searchParams);
    const visible = corpus.documents.filter((d) => isPublished(d, nowMs));
    const matching = filterDocuments(visible, q, (d) => (d.xmlFile ? (textCache.get(d.key) ?? '') : ''));
    const base = origin(req);
    const pageUrl = (page: number): string => {
      const params = new URLSearchParams(url.searchParams);
      params.set('page', String(page));
      return `${base}${url.pathname}?${params.toString()}`;
    };
    return json(200, searchPage(matching, q, pageUrl, absolutizer(base, urlMode)), 'search');
  };

  const documentRoute = (ids: string, url: URL, req: IncomingMessage): Answer => {
    const fields = url.searchParams.getAll('fields[]');
    const abs = absolutizer(origin(req), urlMode);
    const numbers = ids
      .split(',')
      .map((s) => decodeURIComponent(s).trim())
      .filter((s) => s !== '');
    const found = numbers
      .map((n) => corpus.byKey.get(documentNumberKey(n)))
      .filter((d): d is CorpusDocument => !!d && isPublished(d, nowMs));
    if (numbers.length === 1) {
      const doc = found[0];
      if (!doc) return notFound('document', `Document ${numbers[0]} not found`);
      return json(200, projectResult(doc.record, fields.length ? fields : undefined, abs), 'document');
    }
    return json(
      200,
      {
        count: found.length,
        results: found.map((d) => projectResult(d.record, fields.length ? fields : undefined, abs)),
      },
      'document',
    );
  };

  const xmlRoute = async (doc: CorpusDocument): Promise<Answer> => {
    if (!isPublished(doc, nowMs) || !doc.xmlFile) return notFound('xml', `No full text for ${doc.number}`);
    return {
      status: 200,
      headers: { 'content-type': 'application/xml' },
      body: await xmlBytes(doc),
      kind: 'xml',
    };
  };

  const textRoute = async (doc: CorpusDocument, path: string): Promise<Answer> => {
    const onPi =
      path.startsWith('/public-inspection/') && (isOnPublicInspection(doc, nowMs) || isPublished(doc, nowMs));
    if ((!onPi && !isPublished(doc, nowMs)) || !doc.xmlFile)
      return notFound('text', `No text for ${doc.number}`);
    const text = xmlToText((await xmlBytes(doc)).toString('utf8'));
    return {
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: Buffer.from(`${text}\n`),
      kind: 'text',
    };
  };

  const piCurrent = (req: IncomingMessage): Answer => {
    const base = origin(req);
    const results = corpus.documents
      .filter((d) => isOnPublicInspection(d, nowMs))
      .map((d) => publicInspectionRecord(d, base));
    return json(200, { count: results.length, results }, 'public-inspection');
  };

  const piOn = (url: URL, req: IncomingMessage): Answer => {
    const date = url.searchParams.get('conditions[available_on]') ?? easternDate(nowMs);
    if (!isIsoDate(date))
      throw new AppError(
        'INPUT_INVALID',
        `conditions[available_on] must be YYYY-MM-DD, got ${JSON.stringify(date)}`,
      );
    const base = origin(req);
    const results = corpus.documents
      .filter((d) => {
        const o = overrides.get(d.key);
        if (d.filedAt.ms > nowMs) return false; // not filed yet at the clock
        if (o?.withdrawnAt !== undefined && easternDate(o.withdrawnAt) <= date) return false;
        return filedDate(d) <= date && date < d.publicationDate;
      })
      .map((d) => publicInspectionRecord(d, base));
    return json(
      200,
      { count: results.length, total_pages: results.length ? 1 : 0, results },
      'public-inspection',
    );
  };

  const piOne = (id: string, req: IncomingMessage): Answer => {
    const doc = corpus.byKey.get(documentNumberKey(decodeURIComponent(id)));
    if (!doc || doc.filedAt.ms > nowMs)
      return notFound('public-inspection', `Public inspection document ${id} not found`);
    return json(200, publicInspectionRecord(doc, origin(req)), 'public-inspection');
  };

  const ecfr = async (date: string, url: URL): Promise<Answer> => {
    if (!isIsoDate(date)) return json(400, { error: `date must be YYYY-MM-DD, got ${date}` }, 'ecfr');
    const part = url.searchParams.get('part');
    if (part !== null && part !== '744')
      return notFound('ecfr', `the replay serves only part 744, not part ${part}`);
    if (date > utcDate(nowMs)) return notFound('ecfr', `no eCFR content after ${utcDate(nowMs)} (the clock)`);
    if (corpus.ecfr.length > 0) {
      // Real eCFR files: the text in force on the date, as the versioner sends it.
      const file = ecfrFileAt(corpus, date);
      if (!file) return notFound('ecfr', `the replay corpus has no eCFR text on or before ${date}`);
      return {
        status: 200,
        headers: { 'content-type': 'application/xml' },
        body: await readEcfrFile(file),
        kind: 'ecfr',
      };
    }
    if (!stateAt) {
      return json(
        501,
        {
          error:
            'the replay corpus has no baseline.json and no stateAt was injected; the eCFR route cannot render a state',
        },
        'ecfr',
      );
    }
    const visibleUpTo = (await stateAt(date)).entries;
    const snapshot = { asOf: date, entries: visibleUpTo };
    return {
      status: 200,
      headers: { 'content-type': 'application/xml' },
      body: Buffer.from(renderEcfrPart744(snapshot)),
      kind: 'ecfr',
    };
  };

  const route = async (req: IncomingMessage, url: URL): Promise<Answer> => {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    let m: RegExpExecArray | null;
    if (path === '/api/v1/documents.json' || path === '/api/v1/documents') return search(url, req);
    if ((m = /^\/api\/v1\/documents\/([^/]+?)(?:\.json)?$/.exec(path))) return documentRoute(m[1]!, url, req);
    if (
      path === '/api/v1/public-inspection-documents/current.json' ||
      path === '/api/v1/public-inspection-documents/current'
    ) {
      return piCurrent(req);
    }
    if (path === '/api/v1/public-inspection-documents.json' || path === '/api/v1/public-inspection-documents')
      return piOn(url, req);
    if ((m = /^\/api\/v1\/public-inspection-documents\/([^/]+?)(?:\.json)?$/.exec(path)))
      return piOne(m[1]!, req);
    if ((m = /^\/api\/versioner\/v1\/full\/([^/]+)\/title-15\.xml$/.exec(path))) return ecfr(m[1]!, url);
    if (path === '/api/versioner/v1/titles.json') {
      const today = utcDate(nowMs);
      return json(
        200,
        {
          titles: [
            {
              number: 15,
              name: 'Commerce and Foreign Trade',
              latest_amended_on: today,
              latest_issue_date: today,
              up_to_date_as_of: today,
            },
          ],
        },
        'ecfr',
      );
    }
    const xmlDoc = corpus.byXmlPath.get(path);
    if (xmlDoc) return xmlRoute(xmlDoc);
    const textDoc = textPaths.get(path);
    if (textDoc) return textRoute(textDoc, path);
    return notFound('other', `No route for ${path}`);
  };

  // ---- control routes ----------------------------------------------------------------------

  const admin = async (req: IncomingMessage, url: URL): Promise<Answer> => {
    const path = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    if (path === '/_replay/clock') {
      if (method === 'POST' || method === 'PUT') {
        const body = (await readBody(req)) as { now?: unknown } | undefined;
        nowMs = parseClock(body?.now);
        log(`replay: clock set to ${new Date(nowMs).toISOString()}`);
      }
      return json(200, { now: new Date(nowMs).toISOString() }, 'other');
    }
    if (path === '/_replay/faults') {
      if (method === 'DELETE') faults.clear();
      if (method === 'POST') {
        const body = await readBody(req);
        const list = Array.isArray(body)
          ? body
          : Array.isArray((body as { rules?: unknown })?.rules)
            ? (body as { rules: unknown[] }).rules
            : [body];
        const added: FaultRule[] = faults.add(list.map((r, i) => validateFaultRule(r, i)));
        return json(201, { added, rules: faults.list() }, 'other');
      }
      return json(200, { rules: faults.list() }, 'other');
    }
    if (path === '/_replay/stats') {
      if (method === 'DELETE') stats.reset();
      return json(200, stats.report(), 'other');
    }
    if (path === '/_replay/documents') {
      if (method === 'DELETE') overrides.clear();
      if (method === 'POST') {
        const body = (await readBody(req)) as Record<string, unknown> | undefined;
        const n = body?.document_number;
        if (typeof n !== 'string' || !corpus.byKey.has(documentNumberKey(n))) {
          throw new AppError('INPUT_INVALID', `document_number ${JSON.stringify(n)} is not in the corpus`);
        }
        const o: DocumentOverride = {};
        if (body?.availableAt !== undefined) o.availableAt = parseClock(body.availableAt);
        if (body?.withdrawnAt !== undefined) o.withdrawnAt = parseClock(body.withdrawnAt);
        overrides.set(documentNumberKey(n), o);
      }
      return json(
        200,
        { overrides: Object.fromEntries([...overrides].map(([k, o]) => [k, describeOverride(o)])) },
        'other',
      );
    }
    if (path === '/_replay/corpus') {
      return json(
        200,
        {
          dir: corpus.dir,
          documents: corpus.documents.map((d) => ({
            document_number: d.number,
            publication_date: d.publicationDate,
            filed_at: d.filedAt.iso,
            filed_at_source: d.filedAt.source,
            full_text_xml_path: d.xmlUrlPath,
            has_xml: d.xmlFile !== undefined,
          })),
          baseline: corpus.baseline
            ? { asOf: corpus.baseline.asOf, entries: corpus.baseline.entries.length }
            : null,
          warnings: corpus.warnings,
        },
        'other',
      );
    }
    if (path === '/_replay/reset' && method === 'POST') {
      faults.clear();
      stats.reset();
      overrides.clear();
      return json(200, { ok: true }, 'other');
    }
    return notFound('other', `No control route ${path}`);
  };

  // ---- HTTP plumbing -----------------------------------------------------------------------

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    a: Answer,
    fault: FaultRule | undefined,
  ): { notModified: boolean } => {
    let body = a.body;
    const headers: Record<string, string> = { ...a.headers };
    let status = a.status;
    let notModified = false;
    if (status === 200 && (req.method ?? 'GET') === 'GET') {
      const etag = etagOf(body);
      headers.etag = etag;
      headers['cache-control'] = 'no-cache';
      const inm = req.headers['if-none-match'];
      if (inm && inm.split(/\s*,\s*/).includes(etag) && !fault?.truncate) {
        status = 304;
        body = Buffer.alloc(0);
        notModified = true;
      }
    }
    if (fault?.truncate && body.length > 0) {
      const half = body.subarray(0, Math.floor(body.length / 2));
      if (fault.truncate === 'clean') {
        res.writeHead(status, { ...headers, 'content-length': String(half.length) });
        res.end(half);
      } else {
        // Promise the whole body, send half, then reset: what a connection cut mid-body looks like.
        res.writeHead(status, { ...headers, 'content-length': String(body.length) });
        res.write(half, () => res.socket?.destroy());
      }
      return { notModified };
    }
    res.writeHead(status, { ...headers, 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
    return { notModified };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://replay.invalid');
    if (url.pathname.startsWith('/_replay/')) {
      send(req, res, await admin(req, url), undefined);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(req, res, json(405, { status: 405, message: 'only GET' }, 'other'), undefined);
      return;
    }
    const kind = classify(url.pathname);
    const fault = faults.pick(kind, url.pathname);
    // Recorded on arrival (status filled in when answered), so in-flight requests count too.
    const record: RequestRecord = { at, kind, path: url.pathname, status: 0 };
    if (fault) record.fault = fault.id;
    stats.record(record);
    if (fault?.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
    if (fault?.drop) {
      req.socket.destroy();
      return;
    }
    let answer: Answer;
    if (fault?.status !== undefined) {
      const headers: Record<string, string> = { 'content-type': JSON_TYPE };
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
      const body =
        fault.body ?? JSON.stringify({ status: fault.status, message: `replay fault ${fault.id}` });
      answer = { status: fault.status, headers, body: Buffer.from(body), kind };
    } else {
      answer = await route(req, url);
    }
    record.status = answer.status;
    const { notModified } = send(req, res, answer, fault);
    if (notModified) record.notModified = true;
  };

  // Route kinds without running the route, for faults and statistics.
  const classify = (pathname: string): RouteKind => {
    const path = pathname.replace(/\/+$/, '');
    if (path === '/api/v1/documents.json' || path === '/api/v1/documents') return 'search';
    if (path.startsWith('/api/v1/documents/')) return 'document';
    if (path.startsWith('/api/v1/public-inspection-documents')) return 'public-inspection';
    if (path.startsWith('/api/versioner/')) return 'ecfr';
    if (corpus.byXmlPath.has(path)) return 'xml';
    if (textPaths.has(path)) return 'text';
    return 'other';
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = isAppError(err, 'INPUT_INVALID') ? 400 : 500;
      if (status === 500) log(`replay: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (res.headersSent) {
        res.socket?.destroy();
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      send(req, res, json(status, { status, errors: { message } }, 'other'), undefined);
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;
  log(
    `replay: serving ${corpus.documents.length} documents from ${corpus.dir} at ${url} (clock ${new Date(nowMs).toISOString()})`,
  );

  return {
    url,
    apiBase: `${url}/api/v1`,
    corpus,
    faults,
    stats,
    now: () => nowMs,
    setNow: (ms) => {
      nowMs = ms;
    },
    setOverride: (n, o) => {
      if (o) overrides.set(documentNumberKey(n), o);
      else overrides.delete(documentNumberKey(n));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function describeOverride(o: DocumentOverride): Record<string, string> {
  const out: Record<string, string> = {};
  if (o.availableAt !== undefined) out.availableAt = new Date(o.availableAt).toISOString();
  if (o.withdrawnAt !== undefined) out.withdrawnAt = new Date(o.withdrawnAt).toISOString();
  return out;
}
