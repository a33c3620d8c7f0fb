import type { X2jOptions } from 'fast-xml-parser';

/**
 * The one place the XML parser's options are decided. Federal Register XML carries meaning in
 * attributes (`REGTEXT PART="744"`, `ENT I="22"`) and in mixed content (`<P>` and `<ENT>` with
 * inline `<E>`, `<SU>`, `<LI>`), so:
 *
 * - `preserveOrder`: the default object mode groups same-named children and loses the order of
 *   text and inline elements; an entity cell is meaningless without that order.
 * - `parseTagValue`/`parseAttributeValue` off: document numbers, ZIP codes and RINs stay text.
 * - `trimValues` off: whitespace between inline elements separates words.
 * - `processEntities` off: the parser never expands entities. We decode the five predefined
 *   entities and numeric character references ourselves (`decodeEntities`), and refuse any
 *   DOCTYPE that declares entities before parsing, so no entity can expand without bound.
 * - `maxNestedTags`: FR XML is shallow (a daily issue nests about 12 deep); 10,000-deep input is
 *   refused early instead of growing the parser's stack.
 */
export const MAX_NESTED_TAGS = 256;

export const FR_XML_PARSER_OPTIONS: Readonly<X2jOptions> = Object.freeze({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_NESTED_TAGS,
  allowBooleanAttributes: true,
});

export interface XmlLimits {
  /** Largest input accepted, in bytes. A whole daily issue is 2–30 MB; one rule is far less. */
  maxBytes: number;
  /** Deepest element nesting accepted. */
  maxDepth: number;
}

export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = Object.freeze({
  maxBytes: 32 * 1024 * 1024,
  maxDepth: MAX_NESTED_TAGS,
});
