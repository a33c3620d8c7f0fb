// Renders a constructed Federal Register rule in the layout of real Entity List rules, as
// federalregister.gov's full-text XML serves FR Doc. 2023-03929 (shared/corpus/real/fr-xml/rules):
//
// - the Supplement No. 4 table's column heads are an ordinary ROW in the table body, its BOXHD
//   holds only blank CHEDs;
// - star rows (<ENT I="28">* * *</ENT>) and star cells (<ENT A="03">  * * *</ENT>) stand for the
//   entries the rule leaves as they are; a destination's row is <ENT I="01">CANADA</ENT> and a star
//   cell; entry rows begin with an empty <ENT I="22"> </ENT> (an em space);
// - an entry's addresses may continue on the next ROW, which holds only an Entity cell;
// - the word joining a list's last alias or address is set in italics (<E T="03">and</E>);
// - PRTPAGE sits inside AMDPARs and as a ROW's first child;
// - the rule cites itself with a placeholder: "88 FR [INSERT FR PAGE NUMBER AND 2/27/2023]." or
//   "91 FR [INSERT FR PAGE NUMBER] AND August 24, 2026.";
//
// pretty-printed as the FR endpoint serves it (every child of an element with mixed content on a
// line of its own, four spaces per level) or compact as GPO's daily issues run text and inline
// elements together. The words of the document do not change, so its expected extraction holds.
// Pure and deterministic: the same input gives the same bytes.

import { XMLParser } from 'fast-xml-parser';
import { MONTHS } from './words.mjs';

const PARSER = new XMLParser({
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
  allowBooleanAttributes: true,
});

const EM = '\u2003';
const STARS7 = '*         *         *         *         *         *         *';
const STARS6 = '  *         *         *         *         *         *';

// ---------- tree helpers (fast-xml-parser's ordered shape) ----------

const tagOf = (n) => Object.keys(n).find((k) => k !== ':@');
const isText = (n) => '#text' in n;
const kids = (n) => {
  const t = tagOf(n);
  return t && t !== '#text' && Array.isArray(n[t]) ? n[t] : [];
};
const el = (tag, attrs, children = []) => {
  const node = { [tag]: children };
  if (attrs && Object.keys(attrs).length > 0) node[':@'] = attrs;
  return node;
};
const text = (t) => ({ '#text': t });
const textOf = (n) => (isText(n) ? n['#text'] : kids(n).map(textOf).join(''));
const plain = (n) => textOf(n).replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();

function findAll(node, tag, out = []) {
  for (const c of kids(node)) {
    if (isText(c)) continue;
    if (tagOf(c) === tag) out.push(c);
    findAll(c, tag, out);
  }
  return out;
}

/** A document-order walk that can replace children: fn(child, parent, index) → false stops. */
function walk(node, fn) {
  const cs = kids(node);
  for (let i = 0; i < cs.length; i++) {
    if (fn(cs[i], node, i) === false) return false;
    if (!isText(cs[i]) && walk(cs[i], fn) === false) return false;
  }
  return true;
}

// ---------- the real layout ----------

/**
 * @param {string} xml a constructed rule (one RULE, GPO structure, compact)
 * @param {{ pretty?: boolean, citation?: string | null, publicationDate?: string, variant?: number }} options
 *   `citation` ("84 FR 54002") and `publicationDate` (ISO) name the rule's own citation, which the
 *   table then prints as a placeholder; `variant` picks among the real layout's equivalent forms.
 * @returns {string}
 */
export function renderRealLayout(xml, options = {}) {
  const roots = PARSER.parse(xml);
  const root = roots.find((n) => !isText(n));
  const variant = options.variant ?? 0;
  const start = amendmentStart(root);
  if (start) dropPageMarksBefore(root, start);
  if (start && variant % 2 === 1) unmarkFirstPage(root, options.citation);
  for (const table of findAll(root, 'GPOTABLE')) {
    if (!isEntityListTable(table)) continue;
    relayTable(table, options, variant);
  }
  pageMarkInInstruction(root, start);
  return options.pretty ? pretty(root) : `<?xml version="1.0" encoding="UTF-8"?>\n${compact(root)}\n`;
}

function isEntityListTable(table) {
  const boxhd = kids(table).find((c) => tagOf(c) === 'BOXHD');
  const heads = boxhd
    ? kids(boxhd)
        .filter((c) => !isText(c))
        .map(plain)
    : [];
  return heads.some((h) => /^entity/i.test(h)) && heads.some((h) => /licen[cs]e/i.test(h));
}

/** The first AMDPAR that names Supplement No. 4 to part 744. */
function amendmentStart(root) {
  return findAll(root, 'AMDPAR').find((a) => /supplement\s+no\.?\s*4\b/i.test(plain(a)));
}

/**
 * The rule's placeholder citation resolves to the page of the last page mark before its
 * Supplement No. 4 amendment. A constructed rule cites its first page, so the marks between its
 * first page and the amendment go (the first stays: GPO marks a document's first page).
 */
function dropPageMarksBefore(root, start) {
  let first = true;
  walk(root, (child, parent, i) => {
    if (child === start) return false;
    if (!isText(child) && tagOf(child) === 'PRTPAGE') {
      if (first) first = false;
      else kids(parent).splice(i, 1, text(''));
    }
    return true;
  });
}

/**
 * federalregister.gov's XML does not mark a document's first page: its first mark is the second
 * page. Drop the first mark and number the rest from the cited page + 1, when a mark is left.
 */
function unmarkFirstPage(root, citation) {
  const page = Number(citation?.split(' ')[2]);
  const marks = [];
  walk(root, (child, parent, i) => {
    if (!isText(child) && tagOf(child) === 'PRTPAGE') marks.push({ child, parent, i });
    return true;
  });
  if (!Number.isInteger(page) || marks.length < 2) return;
  const [first, ...rest] = marks;
  kids(first.parent).splice(first.i, 1, text(''));
  rest.forEach((m, n) => {
    m.child[':@'] = { ...m.child[':@'], P: String(page + 1 + n) };
  });
}

/** A page break inside an instruction after the first, as 2023-03929 prints "d. Under LUXEMBOURG …". */
function pageMarkInInstruction(root, start) {
  if (!start) return;
  const regtext = findAll(root, 'REGTEXT').find((r) => findAll(r, 'AMDPAR').includes(start));
  const tablePage = regtext && findAll(regtext, 'PRTPAGE')[0];
  const later = regtext ? findAll(regtext, 'AMDPAR').filter((a) => a !== start) : [];
  if (!tablePage || later.length === 0) return;
  // Move the table's first mark to the end of the last instruction before the table: same page
  // order, the mark now inside an AMDPAR.
  const target = later[later.length - 1];
  let moved = false;
  walk(regtext, (child, parent, i) => {
    if (child === tablePage) {
      kids(parent).splice(i, 1, text(''));
      moved = true;
      return false;
    }
    return true;
  });
  if (moved) kids(target).push(el('PRTPAGE', tablePage[':@']));
}

function starRow() {
  return el('ROW', { RUL: 's' }, [el('ENT', { I: '28' }, [text(STARS7)])]);
}
function blankRow() {
  return el('ROW', undefined, [el('ENT', { I: '22' }, [text(EM)])]);
}
function starCellRow() {
  return el('ROW', undefined, [el('ENT', { I: '22' }, [text(EM)]), el('ENT', { A: '03' }, [text(STARS6)])]);
}
function headerRow() {
  return el('ROW', { RUL: 's' }, [
    el('ENT', { I: '25' }, [text('Country')]),
    el('ENT', undefined, [text('Entity')]),
    el('ENT', undefined, [text('License '), el('LI', undefined, [text('requirement')])]),
    el('ENT', undefined, [text('License '), el('LI', undefined, [text('review policy')])]),
    el('ENT', undefined, [el('E', { T: '02' }, [text('Federal Register')]), text(' citation')]),
  ]);
}

function relayTable(table, options, variant) {
  const children = kids(table);
  const boxhd = children.find((c) => tagOf(c) === 'BOXHD');
  if (boxhd) for (const ched of kids(boxhd)) if (!isText(ched)) ched[tagOf(ched)] = [text(' ')];
  const rows = children.filter((c) => !isText(c) && tagOf(c) === 'ROW');
  const notes = children.filter((c) => !isText(c) && tagOf(c) === 'TNOTE');
  const head = children.filter((c) => !isText(c) && tagOf(c) !== 'ROW' && tagOf(c) !== 'TNOTE');
  const out = [blankRow(), starRow(), headerRow(), blankRow(), starRow()];
  let country;
  let entryIndex = 0;
  for (const row of rows) {
    const cells = kids(row).filter((c) => !isText(c) && tagOf(c) === 'ENT');
    if (row[':@']?.EXPSTB !== undefined || cells.every((c) => /^[*\s]*$/.test(plain(c)))) continue;
    if (cells.length < 5) {
      out.push(row);
      continue;
    }
    const printed = plain(cells[0]);
    const marks = [];
    // A page mark at the start of a cell belongs to the row in the real layout.
    for (const c of cells) {
      const first = kids(c).findIndex((k) => !isText(k) || k['#text'].trim() !== '');
      if (first >= 0 && !isText(kids(c)[first]) && tagOf(kids(c)[first]) === 'PRTPAGE')
        marks.push(...kids(c).splice(first, 1));
    }
    if (printed && printed !== country) {
      if (country !== undefined) out.push(blankRow(), starRow());
      country = printed;
      // Most destinations' rows carry a star cell (entries before the new one); some stand alone.
      out.push(
        el(
          'ROW',
          undefined,
          (variant + entryIndex) % 4 === 3
            ? [el('ENT', { I: '01' }, kids(cells[0]))]
            : [el('ENT', { I: '01' }, kids(cells[0])), el('ENT', { A: '03' }, [text(STARS6)])],
        ),
      );
    } else {
      out.push(starCellRow());
    }
    const entity = cells[1];
    italicJoiningAnd(entity);
    placeholderCitation(cells[4], options, variant + entryIndex);
    const continuation = (variant + entryIndex) % 2 === 0 ? splitAddressRows(entity) : [];
    out.push(
      el('ROW', row[':@'], [...marks, el('ENT', { I: '22' }, [text(EM)]), ...cells.slice(1)]),
      ...continuation,
    );
    entryIndex++;
  }
  if (country !== undefined) out.push(blankRow(), starRow());
  table[tagOf(table)] = [...head, ...out, ...notes];
}

/**
 * "—A; and" / "…; and B." → "—A; <E T="03">and</E>": the last joining "and" of the aliases and of
 * the addresses, in italics as the FR prints it. Earlier "; and"s are left in roman type (the
 * constructed corpus prints some addresses that begin with "and", and expects them kept).
 */
function italicJoiningAnd(entity) {
  const lis = kids(entity).filter((c) => !isText(c) && tagOf(c) === 'LI');
  const aliasLis = lis.filter((li) => /^\s*—/.test(textOf(li)));
  const last = aliasLis[aliasLis.length - 2];
  if (last) italicizeLast(last);
  const addressHolders = [entity, ...lis.filter((li) => !aliasLis.includes(li))];
  for (const holder of addressHolders) italicizeLast(holder, true);
}

function italicizeLast(holder, inner = false) {
  const cs = kids(holder);
  for (let i = cs.length - 1; i >= 0; i--) {
    const c = cs[i];
    if (!isText(c)) continue;
    const t = c['#text'];
    const re = inner ? /;\s+and\s+(?=\S)/g : /;\s+and\s*$/g;
    const matches = [...t.matchAll(re)];
    const m = matches[matches.length - 1];
    if (!m) continue;
    const before = t.slice(0, m.index + 1) + ' ';
    const after = t.slice(m.index + m[0].length);
    cs.splice(i, 1, text(before), el('E', { T: '03' }, [text('and')]), text(after ? ` ${after}` : ''));
    return;
  }
}

/**
 * The addresses of an entry whose aliases are list items continue on a row of their own, holding
 * only an Entity cell (as Electronic Network Inc. and China HEAD Aerospace in 2023-03929).
 */
function splitAddressRows(entity) {
  const cs = kids(entity);
  const isAlias = (c) => !isText(c) && tagOf(c) === 'LI' && /^\s*—/.test(textOf(c));
  let lastAlias = -1;
  cs.forEach((c, i) => {
    if (isAlias(c)) lastAlias = i;
  });
  if (lastAlias < 0) return [];
  const rest = cs.slice(lastAlias + 1);
  const addressLis = rest.filter((c) => !isText(c) && tagOf(c) === 'LI');
  if (addressLis.length !== 1 || rest.some((c) => isText(c) && c['#text'].trim() !== '')) return [];
  if (rest.some((c) => !isText(c) && tagOf(c) !== 'LI')) return [];
  cs.splice(lastAlias + 1);
  return [
    el('ROW', undefined, [el('ENT', { I: '22' }, [text(EM)]), el('ENT', undefined, kids(addressLis[0]))]),
  ];
}

/** The rule's own citation ("84 FR 54002, 10/9/19") as the placeholder the FR prints. */
function placeholderCitation(cell, options, n) {
  if (!options.citation || !options.publicationDate) return;
  const [vol, , page] = options.citation.split(' ');
  const [y, m, d] = options.publicationDate.split('-').map(Number);
  const own = new RegExp(`\\b${vol}\\s*FR\\s*${page},\\s*${m}/${d}/${String(y).slice(2)}\\.?`);
  const form =
    n % 2 === 0
      ? `${vol} FR [INSERT FR PAGE NUMBER AND ${m}/${d}/${y}].`
      : `${vol} FR [INSERT FR PAGE NUMBER] AND ${MONTHS[m - 1]} ${d}, ${y}.`;
  for (const c of kids(cell)) {
    if (isText(c) && own.test(c['#text'])) {
      c['#text'] = c['#text'].replace(own, form);
      return;
    }
  }
}

// ---------- serialisation ----------

function attrs(node) {
  const a = node[':@'];
  if (!a) return '';
  return Object.entries(a)
    .map(([k, v]) => (v === true ? ` ${k}` : ` ${k}="${v}"`))
    .join('');
}

/** GPO's daily-issue style: block children one per line, rows and mixed content run together. */
export function compact(node, inInline = false) {
  const tag = tagOf(node);
  const inline = inInline || hasText(node) || onlyText(node) || tag === 'ROW' || tag === 'ENT';
  const cs = kids(node).filter((c) => !isText(c) || c['#text'].trim() !== '' || inline);
  if (cs.length === 0) return `<${tag}${attrs(node)}/>`;
  const body = cs.map((c) => (isText(c) ? c['#text'] : compact(c, inline))).join(inline ? '' : '\n');
  return inline ? `<${tag}${attrs(node)}>${body}</${tag}>` : `<${tag}${attrs(node)}>\n${body}\n</${tag}>`;
}

function onlyText(node) {
  const cs = kids(node);
  return cs.length > 0 && cs.every(isText);
}

function hasText(node) {
  return kids(node).some((c) => isText(c) && c['#text'].trim() !== '');
}

/**
 * The FR endpoint's style: an element holding only text on one line; otherwise every child
 * (text nodes too, their own spaces kept) on a line of its own, four spaces deeper.
 */
export function pretty(node, depth = 0) {
  const pad = ' '.repeat(depth * 4);
  const tag = tagOf(node);
  if (onlyText(node)) return `${pad}<${tag}${attrs(node)}>${textOf(node)}</${tag}>`;
  const mixed = hasText(node);
  const cs = kids(node).filter((c) => !isText(c) || (mixed ? c['#text'] !== '' : false));
  if (cs.length === 0) return `${pad}<${tag}${attrs(node)}/>`;
  const inner = ' '.repeat((depth + 1) * 4);
  const lines = cs.map((c) => (isText(c) ? `${inner}${c['#text']}` : pretty(c, depth + 1)));
  return `${pad}<${tag}${attrs(node)}>\n${lines.join('\n')}\n${pad}</${tag}>`;
}

/**
 * Re-serialises XML in either style without changing the layout (for tests). Printing compact
 * undoes a pretty printer first: a text node loses the line break and indentation that end it,
 * and the line break and indentation (as deep as its sibling elements are printed) that begin it.
 */
export function reserialize(xml, style) {
  const root = PARSER.parse(xml).find((n) => !isText(n));
  if (style === 'pretty') return pretty(root);
  unindent(root);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${compact(root)}\n`;
}

function unindent(node) {
  const cs = kids(node);
  let indent = Infinity;
  cs.forEach((c, i) => {
    const next = cs[i + 1];
    const m = isText(c) && next && !isText(next) ? /\n([ \t]*)$/.exec(c['#text']) : null;
    if (m) indent = Math.min(indent, m[1].length);
  });
  if (!Number.isFinite(indent)) {
    const first = cs.find((c) => isText(c) && c['#text'].startsWith('\n'));
    indent = first ? /^\n([ \t]*)/.exec(first['#text'])[1].length : 0;
  }
  for (const c of cs) {
    if (isText(c))
      c['#text'] = c['#text'].replace(/\n[ \t]*$/, '').replace(new RegExp(`^\\n[ \\t]{0,${indent}}`), '');
    else unindent(c);
  }
}
