import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError, type ErrorCode } from '../errors.js';
import { DEFAULT_XML_LIMITS, FR_XML_PARSER_OPTIONS, type XmlLimits } from './parser-options.js';
import { tagOf, type XmlNode } from './nodes.js';

/** Roots we accept: one document as the full-text XML endpoint serves it, or a daily issue. */
export const DOCUMENT_TAGS: ReadonlySet<string> = new Set([
  'RULE',
  'PRORULE',
  'NOTICE',
  'CORRECT',
  'PRESDOCU',
]);
export const FEDERAL_REGISTER_ROOTS: ReadonlySet<string> = new Set([
  ...DOCUMENT_TAGS,
  'FEDREG',
  'RULES',
  'PRORULES',
  'NOTICES',
]);

export interface ParsedXml {
  root: XmlNode;
  rootTag: string;
  /** Size of the input in bytes (or characters, for string input). */
  size: number;
}

export interface ParseOptions {
  limits?: Partial<XmlLimits>;
  /** Named in error messages: a file name, URL or document number. */
  source?: string;
  /**
   * Root elements accepted; default a Federal Register document or daily issue
   * (`FEDERAL_REGISTER_ROOTS`). Other GPO XML read with the same safeguards (the eCFR) names its own.
   */
  roots?: ReadonlySet<string>;
}

/**
 * Parses Federal Register XML without trusting it: size is checked before decoding, the encoding
 * is decoded strictly, any DOCTYPE that declares entities is refused (entity bombs, external
 * entities), the root must be a Federal Register document or issue (or one of `options.roots`),
 * and the body must be well-formed and shallow. Every refusal is an AppError with a stable code.
 */
export function parseFederalRegisterXml(input: string | Uint8Array, options: ParseOptions = {}): ParsedXml {
  const limits = { ...DEFAULT_XML_LIMITS, ...options.limits };
  const where = options.source ? `${options.source}: ` : '';
  const fail = (code: ErrorCode, message: string, context: Record<string, unknown> = {}): never => {
    throw new AppError(code, where + message, { context: { source: options.source, ...context } });
  };

  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > limits.maxBytes) {
    fail(
      'XML_TOO_LARGE',
      `input is ${formatBytes(size)}, above the limit of ${formatBytes(limits.maxBytes)}`,
      {
        size,
        maxBytes: limits.maxBytes,
      },
    );
  }
  const text = typeof input === 'string' ? stripBom(input) : decode(input, fail);

  const start = skipWhitespace(text, 0);
  if (start >= text.length) fail('XML_NOT_XML', 'input is empty');
  if (text[start] !== '<') {
    fail(
      'XML_NOT_XML',
      `expected XML starting with '<', found ${JSON.stringify(text.slice(start, start + 20))}`,
    );
  }

  const rootStart = skipProlog(text, start, fail);
  const rootTag = /^<([A-Za-z_][\w.-]*)/.exec(text.slice(rootStart, rootStart + 64))?.[1];
  if (!rootTag) fail('XML_NOT_XML', `expected a root element at offset ${rootStart}`, { offset: rootStart });
  const roots = options.roots ?? FEDERAL_REGISTER_ROOTS;
  if (!roots.has(rootTag!)) {
    const expected =
      roots === FEDERAL_REGISTER_ROOTS
        ? 'a Federal Register document (<RULE>, <PRORULE>, <NOTICE>, <CORRECT>, <PRESDOCU>) or daily issue (<FEDREG>)'
        : `one of ${[...roots].map((r) => `<${r}>`).join(', ')}`;
    fail('XML_WRONG_ROOT', `expected ${expected}, found <${rootTag}>`, { rootTag });
  }
  checkNotTruncated(text, rootTag!, fail);

  const valid = XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (valid !== true) {
    // Truncation was ruled out above (the root is closed at the end), so this is malformed markup.
    const { code, msg, line, col } = valid.err;
    fail('XML_INVALID', `not well-formed XML at line ${line}, column ${col}: ${msg}`, {
      line,
      col,
      parserCode: code,
    });
  }

  let nodes: XmlNode[];
  try {
    const parser = new XMLParser({ ...FR_XML_PARSER_OPTIONS, maxNestedTags: limits.maxDepth });
    nodes = parser.parse(text) as XmlNode[];
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/nested tags/i.test(message)) {
      fail('XML_TOO_DEEP', `elements nest deeper than the limit of ${limits.maxDepth}`, {
        maxDepth: limits.maxDepth,
      });
    }
    fail('XML_INVALID', `could not parse XML: ${message}`);
  }
  const root = nodes!.find((n) => tagOf(n) === rootTag);
  if (!root) fail('XML_INVALID', `no <${rootTag}> element after parsing`);
  return { root: root!, rootTag: rootTag!, size };
}

type Fail = (code: ErrorCode, message: string, context?: Record<string, unknown>) => never;

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Bytes to text. UTF-8 unless a byte order mark or the XML declaration says otherwise; invalid
 * byte sequences are an error, never silently replaced (a replaced character in an entity name
 * would make it unmatchable).
 */
function decode(bytes: Uint8Array, fail: Fail): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return strictDecode(bytes.subarray(3), 'utf-8', fail);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return strictDecode(bytes.subarray(2), 'utf-16le', fail);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return strictDecode(bytes.subarray(2), 'utf-16be', fail);
  if (bytes.length >= 2 && (bytes[0] === 0 || bytes[1] === 0)) {
    fail('XML_ENCODING', 'input looks like UTF-16 or UTF-32 without a byte order mark; expected UTF-8');
  }
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 256));
  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  const encoding = declared ?? 'utf-8';
  if (!SUPPORTED_ENCODINGS.has(encoding)) {
    fail('XML_ENCODING', `declared encoding "${declared}" is not supported; expected UTF-8`, {
      encoding: declared,
    });
  }
  return strictDecode(bytes, encoding === 'utf8' ? 'utf-8' : encoding, fail);
}

const SUPPORTED_ENCODINGS = new Set([
  'utf-8',
  'utf8',
  'us-ascii',
  'ascii',
  'iso-8859-1',
  'latin1',
  'windows-1252',
]);

function strictDecode(bytes: Uint8Array, encoding: string, fail: Fail): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    const offset = encoding === 'utf-8' ? firstInvalidUtf8(bytes) : undefined;
    return fail(
      'XML_ENCODING',
      `bytes are not valid ${encoding.toUpperCase()}${offset === undefined ? '' : ` (first invalid byte at offset ${offset})`}`,
      { encoding, offset },
    );
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lo = 0;
  let hi = bytes.length;
  // Binary search for the shortest invalid prefix; cheap, and only on the error path.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    try {
      decoder.decode(bytes.subarray(0, mid + 1), { stream: true });
      decoder.decode();
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return lo < bytes.length ? lo : undefined;
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

/** Skips the XML declaration, comments, processing instructions and a DOCTYPE; returns the root's offset. */
function skipProlog(text: string, i: number, fail: Fail): number {
  for (;;) {
    i = skipWhitespace(text, i);
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i);
      if (end < 0) fail('XML_TRUNCATED', 'input ends inside the XML declaration');
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) fail('XML_TRUNCATED', 'input ends inside a comment before the root element');
      i = end + 3;
    } else if (text.startsWith('<!DOCTYPE', i)) {
      i = checkDoctype(text, i, fail);
    } else {
      return i;
    }
  }
}

/**
 * Federal Register XML never needs a DTD. A DOCTYPE that declares entities is how entity bombs
 * and external-entity reads get in, so it is refused outright rather than expanded with limits.
 */
function checkDoctype(text: string, i: number, fail: Fail): number {
  const bracket = text.indexOf('[', i);
  const close = text.indexOf('>', i);
  if (close < 0) fail('XML_TRUNCATED', 'input ends inside the DOCTYPE');
  if (bracket < 0 || bracket > close) {
    if (/\b(SYSTEM|PUBLIC)\b/.test(text.slice(i, close))) {
      fail('XML_ENTITY_FORBIDDEN', 'DOCTYPE refers to an external DTD; Federal Register XML needs none', {
        offset: i,
      });
    }
    return close + 1;
  }
  const subsetEnd = text.indexOf(']', bracket);
  if (subsetEnd < 0) fail('XML_TRUNCATED', 'input ends inside the DOCTYPE internal subset');
  const subset = text.slice(bracket, subsetEnd);
  if (/<!ENTITY/i.test(subset)) {
    const external = /<!ENTITY[^>]*\b(SYSTEM|PUBLIC)\b/i.test(subset);
    const count = subset.match(/<!ENTITY/gi)?.length ?? 0;
    fail(
      'XML_ENTITY_FORBIDDEN',
      external
        ? 'DOCTYPE declares an external entity; entities are never expanded'
        : `DOCTYPE declares ${count} entit${count === 1 ? 'y' : 'ies'} (a possible entity-expansion bomb); entities are never expanded`,
      { entityCount: count, external },
    );
  }
  const end = text.indexOf('>', subsetEnd);
  if (end < 0) fail('XML_TRUNCATED', 'input ends inside the DOCTYPE');
  return end + 1;
}

/** A cut-off download is the commonest bad input: say so plainly rather than "unclosed tag". */
function checkNotTruncated(text: string, rootTag: string, fail: Fail): void {
  let end = text.length;
  for (;;) {
    while (end > 0 && /\s/.test(text[end - 1]!)) end--;
    if (text.endsWith('-->', end)) {
      const open = text.lastIndexOf('<!--', end);
      if (open < 0) break;
      end = open;
      continue;
    }
    break;
  }
  const tail = text.slice(Math.max(0, end - 64), end);
  const closesRoot = new RegExp(`</${rootTag}\\s*>$`).test(tail) || /\/>$/.test(tail);
  if (!closesRoot) {
    fail(
      'XML_TRUNCATED',
      `input ends before </${rootTag}> (it ends with ${JSON.stringify(tail.slice(-40))})`,
      {
        length: text.length,
      },
    );
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${n} bytes`;
}
