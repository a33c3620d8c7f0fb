import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError } from '../errors.js';

/**
 * A small ordered XML tree for the snapshot sources (eCFR), with the parser's options pinned here:
 * order and mixed content kept (`<TD>text<sup>1</sup>, more<br/>…</TD>`), no value coercion
 * (ZIP codes and document numbers stay text), only the five predefined entities, and documents
 * with a DOCTYPE refused outright so that no entity can expand.
 */

export type XNode = XElement | XText;
export interface XElement {
  tag: string;
  attrs: Record<string, string>;
  children: XNode[];
}
export interface XText {
  text: string;
}

export function isElement(n: XNode): n is XElement {
  return (n as XElement).tag !== undefined;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
});

type Raw = Record<string, unknown>;

function convert(raw: Raw[]): XNode[] {
  const out: XNode[] = [];
  for (const item of raw) {
    if ('#text' in item) {
      out.push({ text: String(item['#text']) });
      continue;
    }
    const tag = Object.keys(item).find((k) => k !== ':@');
    if (!tag) continue;
    const attrs: Record<string, string> = {};
    const rawAttrs = item[':@'] as Record<string, unknown> | undefined;
    if (rawAttrs) for (const [k, v] of Object.entries(rawAttrs)) attrs[k] = String(v);
    out.push({ tag, attrs, children: convert((item[tag] as Raw[]) ?? []) });
  }
  return out;
}

export interface ParseXmlOptions {
  /** Where the XML came from, for messages. */
  label: string;
  maxBytes?: number;
}

/** Parses XML into an ordered tree. Throws SOURCE_INVALID / XML_* AppErrors with a location. */
export function parseXml(xml: string, options: ParseXmlOptions): XElement {
  const max = options.maxBytes ?? 64 * 1024 * 1024;
  if (xml.length > max) {
    throw new AppError(
      'XML_TOO_LARGE',
      `${options.label}: ${xml.length} characters, more than the ${max} accepted`,
      {
        context: { length: xml.length, max },
      },
    );
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw new AppError(
      'XML_ENTITY_FORBIDDEN',
      `${options.label}: DOCTYPE/ENTITY declarations are not accepted`,
      {
        context: {},
      },
    );
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new AppError(
      'XML_INVALID',
      `${options.label}: not well-formed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`,
      { context: { line: valid.err.line, col: valid.err.col } },
    );
  }
  const nodes = convert(parser.parse(xml) as Raw[]);
  const root = nodes.find(isElement);
  if (!root) throw new AppError('XML_INVALID', `${options.label}: no root element`, { context: {} });
  return root;
}

/** Depth-first search for elements. */
export function findAll(node: XElement, pred: (e: XElement) => boolean, out: XElement[] = []): XElement[] {
  for (const child of node.children) {
    if (!isElement(child)) continue;
    if (pred(child)) out.push(child);
    findAll(child, pred, out);
  }
  return out;
}

export function findFirst(node: XElement, pred: (e: XElement) => boolean): XElement | undefined {
  for (const child of node.children) {
    if (!isElement(child)) continue;
    if (pred(child)) return child;
    const deep = findFirst(child, pred);
    if (deep) return deep;
  }
  return undefined;
}

/** All text below a node, in order. */
export function textOf(node: XNode): string {
  if (!isElement(node)) return node.text;
  return node.children.map(textOf).join('');
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Escapes text for element content or attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ESC[c]!);
}
