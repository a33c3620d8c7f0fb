import type { DocumentMeta } from '../entity-list/types.js';
import { parseEffectiveDate, parseLongDate } from './dates.js';
import {
  attr,
  childElements,
  childrenOf,
  findAll,
  findFirst,
  firstChild,
  tagOf,
  textContent,
  type XmlNode,
} from './nodes.js';
import { undoPrettyPrinting } from './layout.js';
import { DOCUMENT_TAGS } from './safe-parse.js';

/**
 * The typed model of a Federal Register document: its metadata from the preamble and FRDOC, and
 * its regulatory text as an ordered list of amendatory instructions, tables and headings per
 * REGTEXT. Built from the parser's ordered nodes without copying their content.
 */
export interface FrDocument {
  meta: DocumentMeta;
  element: XmlNode;
  regtexts: RegText[];
}

export interface RegText {
  /** 1-based position among the document's REGTEXT elements, for messages. */
  index: number;
  title?: string;
  part?: string;
  items: RegTextItem[];
}

export type RegTextItem =
  | { kind: 'amdpar'; text: string; node: XmlNode }
  | { kind: 'table'; node: XmlNode }
  | { kind: 'heading'; text: string }
  | { kind: 'other'; tag: string; node: XmlNode };

/** Containers inside REGTEXT whose children are read as if they were REGTEXT's own. */
const REGTEXT_CONTAINERS = new Set(['SECTION', 'APPENDIX', 'SUBPART', 'EXTRACT', 'SUPPLEMENT']);

export interface ReadOptions {
  /** Used when a document has no FRDOC (a fragment): usually the file name. */
  fallbackDocumentNumber?: string;
}

/** Every document in a parsed root: the root itself, or each document of a daily issue. */
export function readDocuments(root: XmlNode, rootTag: string, options: ReadOptions = {}): FrDocument[] {
  // The FR endpoint's pretty-printed XML and GPO's compact XML must read alike.
  undoPrettyPrinting(root);
  if (DOCUMENT_TAGS.has(rootTag)) {
    return [readDocument(root, rootTag, {}, options.fallbackDocumentNumber)];
  }
  const issue: IssueFacts = {};
  if (rootTag === 'FEDREG') {
    const vol = firstChild(root, 'VOL');
    const date = firstChild(root, 'DATE');
    if (vol) issue.volume = toInt(textContent(vol));
    if (date) issue.publicationDate = parseLongDate(textContent(date));
  }
  return findAll(root, DOCUMENT_TAGS).map((el, i) =>
    readDocument(
      el,
      tagOf(el)!,
      issue,
      options.fallbackDocumentNumber ? `${options.fallbackDocumentNumber}#${i + 1}` : undefined,
    ),
  );
}

interface IssueFacts {
  volume?: number;
  publicationDate?: string;
}

function readDocument(el: XmlNode, tag: string, issue: IssueFacts, fallback?: string): FrDocument {
  const preamb = firstChild(el, 'PREAMB') ?? el;
  const frdoc = findFirst(el, 'FRDOC');
  const frdocText = frdoc ? textContent(frdoc) : '';
  const documentNumber = parseDocumentNumber(frdocText) ?? fallback ?? 'unknown';
  const datesEl = firstChild(preamb, 'EFFDATE') ?? firstChild(preamb, 'DATES');
  const datesText = datesEl ? withoutHeading(datesEl) : undefined;
  const { effectiveDate, effectiveOnPublication } = parseEffectiveDate(datesText);
  const startPage = firstPage(el);
  const volume = issue.volume ?? volumeFromNumber(documentNumber);
  const cfrText = textOf(preamb, 'CFR');

  const meta: DocumentMeta = {
    documentNumber,
    documentType: tag,
    agency: textOf(preamb, 'AGENCY'),
    subAgency: textOf(preamb, 'SUBAGY'),
    cfrParts: cfrText ? parseCfrParts(cfrText) : [],
    rin: stripLabel(textOf(preamb, 'RIN'), /^RIN\s*/i),
    docket: stripLabel(textOf(preamb, 'DEPDOC'), /^\[?\s*(?:Docket\s+(?:No\.?|Number)\s*)?/i)?.replace(
      /\]$/,
      '',
    ),
    subject: textOf(preamb, 'SUBJECT'),
    action: (() => {
      const act = firstChild(preamb, 'ACT');
      return act ? withoutHeading(act) : undefined;
    })(),
    datesText,
    effectiveDate,
    effectiveOnPublication,
    startPage,
    volume,
    citation: volume !== undefined && startPage !== undefined ? `${volume} FR ${startPage}` : undefined,
    publicationDate: issue.publicationDate,
    filed: /Filed\s+([^\]]+)/i.exec(frdocText)?.[1]?.replace(/[–—]/g, '-').trim(),
  };
  for (const key of Object.keys(meta) as Array<keyof DocumentMeta>) {
    if (meta[key] === undefined) delete meta[key];
  }
  return { meta, element: el, regtexts: readRegTexts(el) };
}

/** `[FR Doc. 2019–22210 Filed 10–7–19; 8:45 am]` → `2019-22210`; also `E8-4768`, `00-31252`. */
export function parseDocumentNumber(frdoc: string): string | undefined {
  const m = /FR\s*Doc\.?\s*(?:No\.?\s*)?([A-Z]?\d{1,4}\s*[-–—‑]\s*\d{1,6})/i.exec(frdoc);
  return m ? m[1]!.replace(/\s+/g, '').replace(/[–—‑]/g, '-') : undefined;
}

function volumeFromNumber(documentNumber: string): number | undefined {
  const m = /^(\d{4})-/.exec(documentNumber);
  const year = m ? Number(m[1]) : NaN;
  return year >= 1936 && year < 2200 ? year - 1935 : undefined;
}

/**
 * The document's first page. GPO's daily issue marks it (`<PRTPAGE>` before any text); the FR
 * endpoint's XML starts without one, so text before the first mark is on the page before it.
 */
function firstPage(el: XmlNode): number | undefined {
  const marks = pageMarks(el);
  const first = marks.find((m) => m.page !== undefined);
  if (!first) return undefined;
  return first.textBefore ? first.page! - 1 : first.page;
}

interface PageMark {
  page?: number;
  /** Words come before this mark in the document. */
  textBefore: boolean;
}

function pageMarks(el: XmlNode, stop?: XmlNode): PageMark[] {
  const marks: PageMark[] = [];
  let textBefore = false;
  const visit = (node: XmlNode): boolean => {
    for (const child of childrenOf(node)) {
      if (child === stop) return false;
      const tag = tagOf(child);
      if (tag === undefined) {
        if (!textBefore && textContentOfText(child).trim() !== '') textBefore = true;
        continue;
      }
      if (tag === 'PRTPAGE') {
        const p = attr(child, 'P');
        marks.push({ page: p !== undefined && /^\d+$/.test(p) ? Number(p) : undefined, textBefore });
        continue;
      }
      if (!visit(child)) return false;
    }
    return true;
  };
  visit(el);
  return marks;
}

function textContentOfText(node: XmlNode): string {
  const value = node['#text'];
  return typeof value === 'string' ? value : '';
}

/**
 * The page on which `target` begins: the last page mark before it, or, when none comes before it,
 * the page before the first mark after it (the endpoint's XML does not mark the first page).
 */
export function pageAt(documentElement: XmlNode, target: XmlNode): number | undefined {
  const before = pageMarks(documentElement, target).filter((m) => m.page !== undefined);
  const last = before[before.length - 1];
  if (last) return last.page;
  const first = pageMarks(documentElement).find((m) => m.page !== undefined);
  return first?.textBefore ? first.page! - 1 : first?.page;
}

/** "15 CFR Parts 734, 744, and 762" → ["15 CFR 734", "15 CFR 744", "15 CFR 762"]. */
export function parseCfrParts(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(\d+)\s*CFR\s*(?:Parts?|Chapter|Ch\.)?\s*([\d,\sand-]+)/gi)) {
    for (const part of m[2]!.matchAll(/\d+/g)) out.push(`${m[1]} CFR ${part[0]}`);
  }
  return out;
}

function readRegTexts(el: XmlNode): RegText[] {
  return findAll(el, new Set(['REGTEXT'])).map((rt, i) => {
    const items: RegTextItem[] = [];
    collectItems(rt, items);
    return { index: i + 1, title: attr(rt, 'TITLE'), part: attr(rt, 'PART'), items };
  });
}

function collectItems(container: XmlNode, items: RegTextItem[]): void {
  for (const child of childElements(container)) {
    const tag = tagOf(child)!;
    if (tag === 'AMDPAR') items.push({ kind: 'amdpar', text: textContent(child), node: child });
    else if (tag === 'GPOTABLE') items.push({ kind: 'table', node: child });
    else if (tag === 'HD') items.push({ kind: 'heading', text: textContent(child) });
    else if (REGTEXT_CONTAINERS.has(tag)) collectItems(child, items);
    else items.push({ kind: 'other', tag, node: child });
  }
}

function textOf(parent: XmlNode, tag: string): string | undefined {
  const el = firstChild(parent, tag);
  const text = el ? textContent(el) : '';
  return text || undefined;
}

/** Text of a preamble block without its "DATES:" / "ACTION:" heading. */
function withoutHeading(el: XmlNode): string | undefined {
  const parts: string[] = [];
  for (const child of childrenOf(el)) {
    if (tagOf(child) === 'HD') continue;
    const t = tagOf(child) ? textContent(child) : '';
    if (t) parts.push(t);
  }
  const text = parts.join(' ').trim();
  return text || undefined;
}

function stripLabel(text: string | undefined, label: RegExp): string | undefined {
  return text?.replace(label, '').replace(/[–—]/g, '-').trim() || undefined;
}

function toInt(text: string): number | undefined {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
}
