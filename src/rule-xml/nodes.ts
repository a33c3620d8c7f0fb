/**
 * Read-only accessors over fast-xml-parser's ordered output (`preserveOrder: true`), where an
 * element is `{ TAG: children[], ':@'?: attributes }` and a text node is `{ '#text': string }`.
 * Working on that shape directly, rather than copying it into another tree, keeps extraction
 * within a small factor of the bare parse.
 */
export type XmlNode = Record<string, unknown>;

const ATTRS = ':@';
const TEXT = '#text';

export function tagOf(node: XmlNode): string | undefined {
  for (const key in node) {
    if (key !== ATTRS) return key === TEXT ? undefined : key;
  }
  return undefined;
}

export function isText(node: XmlNode): boolean {
  return TEXT in node;
}

export function rawText(node: XmlNode): string {
  const value = node[TEXT];
  return typeof value === 'string' ? value : '';
}

export function childrenOf(node: XmlNode): XmlNode[] {
  const tag = tagOf(node);
  if (tag === undefined) return [];
  const children = node[tag];
  return Array.isArray(children) ? (children as XmlNode[]) : [];
}

export function attr(node: XmlNode, name: string): string | undefined {
  const attrs = node[ATTRS] as Record<string, unknown> | undefined;
  const value = attrs?.[name];
  return typeof value === 'string' ? decodeEntities(value) : value === true ? '' : undefined;
}

export function childElements(node: XmlNode, tag?: string): XmlNode[] {
  const out: XmlNode[] = [];
  for (const child of childrenOf(node)) {
    const t = tagOf(child);
    if (t !== undefined && (tag === undefined || t === tag)) out.push(child);
  }
  return out;
}

export function firstChild(node: XmlNode, tag: string): XmlNode | undefined {
  for (const child of childrenOf(node)) if (tagOf(child) === tag) return child;
  return undefined;
}

/** Depth-first search for elements with one of `tags`, not descending into matches. */
export function findAll(node: XmlNode, tags: ReadonlySet<string>, out: XmlNode[] = []): XmlNode[] {
  for (const child of childrenOf(node)) {
    const t = tagOf(child);
    if (t === undefined) continue;
    if (tags.has(t)) out.push(child);
    else findAll(child, tags, out);
  }
  return out;
}

export function findFirst(node: XmlNode, tag: string): XmlNode | undefined {
  for (const child of childrenOf(node)) {
    const t = tagOf(child);
    if (t === undefined) continue;
    if (t === tag) return child;
    const found = findFirst(child, tag);
    if (found) return found;
  }
  return undefined;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Decodes the five predefined XML entities and numeric character references. Anything else
 * (an undeclared `&name;`) stays as written: expanding it would need a DTD, which we refuse.
 */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    /&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z][a-zA-Z0-9]{0,31});/g,
    (whole, ref: string) => {
      if (ref[0] === '#') {
        const code =
          ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        return isValidCodePoint(code) ? String.fromCodePoint(code) : whole;
      }
      return PREDEFINED[ref] ?? whole;
    },
  );
}

function isValidCodePoint(code: number): boolean {
  return (
    Number.isInteger(code) &&
    code > 0 &&
    code <= 0x10ffff &&
    !(code >= 0xd800 && code <= 0xdfff) &&
    (code >= 0x20 || code === 0x9 || code === 0xa || code === 0xd)
  );
}

/** Elements whose text is never part of the prose around them. */
const SKIP_IN_TEXT = new Set(['PRTPAGE', 'FTREF']);

/**
 * The text of an element with inline markup flattened and whitespace collapsed. `<SU>` footnote
 * marks are dropped unless `keepSu` is set; page marks are always dropped.
 */
export function textContent(node: XmlNode, keepSu = false): string {
  const parts: string[] = [];
  collectText(node, parts, keepSu);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

function collectText(node: XmlNode, parts: string[], keepSu: boolean): void {
  for (const child of childrenOf(node)) {
    if (isText(child)) {
      parts.push(decodeEntities(rawText(child)));
      continue;
    }
    const t = tagOf(child);
    if (t === undefined || SKIP_IN_TEXT.has(t)) continue;
    if (t === 'SU' && !keepSu) {
      const suffix = ordinalSuffix(child, parts[parts.length - 1] ?? '');
      if (suffix) parts.push(suffix);
      continue;
    }
    // Block-level children separate words even when the XML has no whitespace between them.
    if (t === 'P' || t === 'LI' || t === 'FP' || t === 'HD') parts.push(' ');
    collectText(child, parts, keepSu);
    if (t === 'P' || t === 'LI' || t === 'FP' || t === 'HD') parts.push(' ');
  }
}

/**
 * `3<SU>rd</SU>`, `9<SU>th</SU>`: a superscript ordinal suffix right after a digit is part of the
 * word ("west 3rd ring"), not a footnote mark. Returns the suffix, or undefined for a mark.
 */
export function ordinalSuffix(su: XmlNode, before: string): string | undefined {
  const text = textContent(su, true);
  return /^(?:st|nd|rd|th|d)$/i.test(text) && /\d$/.test(before) ? text : undefined;
}
