import { childrenOf, isText, rawText, tagOf, type XmlNode } from './nodes.js';

/**
 * federalregister.gov serves its full-text XML pretty-printed: every child of an element with
 * mixed content starts a line of its own, indented by its depth, while GPO's daily-issue XML runs
 * text and inline elements (`<E>`, `<SU>`, `<PRTPAGE/>`, `<LI>`) together. The words are the same;
 * the whitespace is not. `3<SU>rd</SU> ring` is printed
 *
 *     west 3
 *     <SU>rd</SU>
 *      ring r.
 *
 * where the line break and indentation are the printer's and the one space before "ring" is the
 * document's. Undoing the printer — dropping a text node's trailing line break and indentation, and
 * its leading line break with at most the indentation its sibling elements are printed at — gives
 * back the compact text, so both renditions read alike. Compact XML has no line breaks at the edges
 * of text nodes inside mixed content, so for it this is a no-op. Mutates the parsed tree in place
 * (it is ours, and copying a 30 MB issue to change whitespace is waste).
 */
export function undoPrettyPrinting(node: XmlNode): void {
  const children = childrenOf(node);
  if (children.length === 0) return;
  let mixed = false;
  let indent = Number.POSITIVE_INFINITY;
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    if (!isText(child)) continue;
    const text = rawText(child);
    if (!text.includes('\n')) continue;
    mixed = true;
    const next = children[i + 1];
    // The run before a sibling element is exactly the printer's indentation for this element's children.
    if (next && !isText(next) && tagOf(next) !== undefined) {
      const trailing = /\n([ \t]*)$/.exec(text);
      if (trailing) indent = Math.min(indent, trailing[1]!.length);
    }
  }
  if (mixed) {
    if (!Number.isFinite(indent)) {
      // No element follows a text node here: take the first line's indentation.
      const first = children.find((c) => isText(c) && /^\n/.test(rawText(c)));
      indent = first ? (/^\n([ \t]*)/.exec(rawText(first))?.[1]?.length ?? 0) : 0;
    }
    const leading = new RegExp(`^\\r?\\n[ \\t]{0,${indent}}`);
    for (const child of children) {
      if (!isText(child)) continue;
      const text = rawText(child);
      if (!text.includes('\n')) continue;
      child['#text'] = text.replace(/\r?\n[ \t]*$/, '').replace(leading, '');
    }
  }
  for (const child of children) if (!isText(child)) undoPrettyPrinting(child);
}
