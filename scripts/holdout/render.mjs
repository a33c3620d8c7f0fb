// XML rendering of constructed rules in GPO Federal Register structure. Pure (randomness comes in
// through the `rng` arguments and the `form` records the planner chose).

import { esc, numberWord } from './words.mjs';

/** Where a PRTPAGE mark may go; replaced (or dropped) by `placePageMarks`. */
export const SLOT = '\u0001';
/** Follows a SLOT that stood on a line of its own. */
const LINE = '\u0002';

export const STAR_ROW =
  '<ROW EXPSTB="04" RUL="s"><ENT I="28">*         *         *         *         *         *         *</ENT></ROW>';

export const TNOTES = {
  1: 'For this entity, "items subject to the EAR" includes foreign-produced items that are subject to the EAR under § 734.9(e)(1) of the EAR. See §§ 744.11(a)(2)(i) and (ii) of the EAR for related license requirements, license review policy, and restrictions on license exceptions.',
  2: 'For this entity, "items subject to the EAR" includes foreign-produced items that are subject to the EAR under § 734.9(e)(2) of the EAR.',
  3: 'For this entity, "items subject to the EAR" includes foreign-produced items that are subject to the EAR under § 734.9(g) of the EAR. See § 746.8(a)(3) of the EAR for related license requirements.',
  4: 'For this entity, "items subject to the EAR" includes foreign-produced items that are subject to the EAR under § 734.9(e)(3) of the EAR.',
};

function endDot(s) {
  return /\.$/.test(s) ? s : `${s}.`;
}

/** A page break between two words of a long address, now and then (GPO breaks pages mid-text). */
let midSlotRng = null;
export function setMidCellSlots(rng) {
  midSlotRng = rng;
}
function maybeSlot(address) {
  if (!midSlotRng || address.length < 40 || !midSlotRng.chance(0.05)) return address;
  const i = address.indexOf(' ', Math.floor(address.length / 2));
  return i < 0 ? address : `${address.slice(0, i + 1)}${SLOT}${address.slice(i + 1)}`;
}

/** "A; B; and C." (or without the "and"), escaped. */
function joinAddresses(list, noAnd, and = 'and') {
  const xs = list.map(esc).map(maybeSlot);
  if (xs.length === 1) return endDot(xs[0]);
  const head = xs.slice(0, -1).join('; ');
  return endDot(`${head}; ${noAnd ? '' : `${and} `}${xs[xs.length - 1]}`);
}

function aliasCountWords(n, style) {
  const noun = n === 1 ? 'alias' : 'aliases';
  if (style === 'bare') return `the following ${noun}`;
  if (style === 'digit' && n > 1) return `the following ${n} ${noun}`;
  return `the following ${numberWord(n)} ${noun}`;
}

/**
 * The Entity cell. form: { aliasForm: 'li'|'inline', addrForm: 'join'|'join-noand'|'li-each',
 * addrInLi: bool (inline aliases, addresses in an LI), akaComma: bool, countStyle, suName: n|0,
 * slotInLi: bool }.
 * Returns { xml, forms } where forms records what was actually printed (for the meta file).
 */
export function renderEntityCell(e, form) {
  const cell = renderEntityCellCore(e, form);
  if (!form.seeAlso) return cell;
  // "(See alternate address under Hong Kong)": a cross-reference to the entity's listing under
  // another destination, after the addresses, or (as in "Brian Douglas Woodford (See alternate
  // address under Singapore)") right after the name of an entry without aliases.
  const note = `(See alternate address${form.seeAlso.many ? 'es' : ''} under ${esc(form.seeAlso.dest)})`;
  if (form.seeAlso.afterName && cell.forms.aliasForm === 'none' && !form.suName) {
    const head = esc(e.name);
    return { xml: `${head} ${note}${cell.xml.slice(head.length)}`, forms: cell.forms };
  }
  const xml = cell.xml.endsWith('</LI>') ? `${cell.xml.slice(0, -5)} ${note}</LI>` : `${cell.xml} ${note}`;
  return { xml, forms: { ...cell.forms, seeAlsoAfterName: false } };
}

/** The "and" that joins a list's last item, now and then set in italics as some rules print it. */
function andWord(form) {
  return form.italicAnd ? '<E T="03">and</E>' : 'and';
}

function renderEntityCellCore(e, form) {
  const fkaN = e._fka ?? 0;
  const aliases = e.aliases.slice(0, e.aliases.length - fkaN);
  const fkas = e.aliases.slice(e.aliases.length - fkaN);
  const name = esc(e.name) + (form.suName ? `<SU>${form.suName}</SU>` : '');
  const addrs = e.addresses;
  const used = { ...form };
  const inlineLast = [...aliases, ...fkas].at(-1) ?? '';
  let aliasForm = form.aliasForm;
  // An inline alias list ends at the first ". " after the last dash; an alias that itself holds
  // ". " (Co. Ltd) would leave the boundary to guesswork, so such entries print in LI form.
  if (aliasForm === 'inline' && /\.\s/.test(inlineLast)) aliasForm = 'li';
  used.aliasForm = aliases.length || fkas.length ? aliasForm : 'none';

  const addrLis = () => {
    if (addrs.length === 0) return '';
    if (form.addrForm === 'li-each' && addrs.length > 1) {
      return addrs
        .map((a, i) => {
          const t = esc(a);
          if (i === addrs.length - 1) return `<LI>${endDot(t)}</LI>`;
          return `<LI>${t};${i === addrs.length - 2 ? ` ${andWord(form)}` : ''}</LI>`;
        })
        .join('');
    }
    return `<LI>${joinAddresses(addrs, form.addrForm === 'join-noand', andWord(form))}</LI>`;
  };

  if (aliases.length === 0 && fkas.length === 0) {
    used.addrForm = form.addrForm === 'li-each' ? 'join' : form.addrForm;
    return {
      xml: `${name}, ${joinAddresses(addrs, form.addrForm === 'join-noand', andWord(form))}`,
      forms: used,
    };
  }

  const aka = `a.k.a.${form.akaComma ? ',' : ''}`;
  const fkaText = (f) => `f.k.a., \u2014${esc(f)}`;
  if (aliasForm === 'li') {
    let xml = name;
    if (aliases.length) {
      xml += `, ${aka} ${aliasCountWords(aliases.length, form.countStyle)}:`;
      aliases.forEach((a, i) => {
        const last = i === aliases.length - 1;
        let tail;
        if (!last) tail = i === aliases.length - 2 && fkas.length === 0 ? `; ${andWord(form)}` : ';';
        else tail = fkas.length ? ';' : '';
        const t = `\u2014${esc(a)}`;
        // The list item ends the alias; a few entries leave off its final period.
        const lastText = form.lastAliasNoPeriod ? t : endDot(t);
        xml += `<LI>${last && !fkas.length ? lastText : t + tail}</LI>`;
        if (form.slotInLi && i === 0 && aliases.length > 2) xml += SLOT;
      });
      for (const f of fkas) xml += `<LI>${endDot(fkaText(f))}</LI>`;
    } else {
      xml += `, ${endDot(fkaText(fkas[0]))}`;
    }
    return { xml: xml + addrLis(), forms: used };
  }
  // inline
  let xml = name;
  if (aliases.length) {
    xml += `, ${aka} ${aliasCountWords(aliases.length, form.countStyle)}: `;
    const parts = aliases.map((a) => `\u2014${esc(a)}`);
    if (fkas.length) {
      xml += `${parts.join('; ')}; and ${endDot(fkaText(fkas[0]))}`;
    } else if (parts.length === 1) {
      xml += endDot(parts[0]);
    } else {
      xml += endDot(`${parts.slice(0, -1).join('; ')}; and ${parts[parts.length - 1]}`);
    }
  } else {
    xml += `, ${endDot(fkaText(fkas[0]))}`;
  }
  if (form.addrInLi) return { xml: xml + addrLis(), forms: used };
  used.addrForm = form.addrForm === 'li-each' ? 'join' : form.addrForm;
  return {
    xml: `${xml} ${joinAddresses(addrs, form.addrForm === 'join-noand', andWord(form))}`,
    forms: used,
  };
}

/** The license requirement cell, with an optional footnote mark. */
export function renderLicense(lr, su) {
  if (!su) return esc(lr);
  const mark = `<SU>${su}</SU>`;
  const i = lr.indexOf('734.9(e)');
  if (i >= 0 && su !== 4) {
    const j = i + '734.9(e)'.length;
    return esc(lr.slice(0, j)) + mark + esc(lr.slice(j));
  }
  if (/\)$/.test(lr)) return esc(lr) + mark;
  return esc(lr) + mark;
}

/**
 * A 5-column GPOTABLE. rows: [{ country, entry, form }] already in print order (grouped by
 * destination). Returns { xml, forms: [per row forms], footnotes }.
 */
export function renderTable(rows, opts) {
  const lines = [];
  lines.push(
    `<GPOTABLE COLS="5" OPTS="${opts.tableOpts ?? 'L2,i1'}" CDEF="${opts.cdef ?? 's50,r50,r50,r50,r50'}">`,
  );
  lines.push('<TTITLE> </TTITLE>');
  lines.push('<BOXHD>');
  const heads = opts.capitalHeads
    ? ['Country', 'Entity', 'License Requirement', 'License Review Policy', 'Federal Register Citation']
    : ['Country', 'Entity', 'License requirement', 'License review policy', 'Federal Register citation'];
  for (const h of heads) lines.push(`<CHED H="1">${h}</CHED>`);
  lines.push('</BOXHD>');
  if (opts.leadingStars) lines.push(STAR_ROW);
  const footnotes = new Set();
  const forms = [];
  let prev = null;
  rows.forEach((r) => {
    if (prev !== null && prev !== r.country) lines.push(STAR_ROW);
    const blank = opts.selfClosingBlank ? '<ENT I="22"/>' : '<ENT I="22"> </ENT>';
    const countryCell = prev === r.country ? blank : `<ENT I="01">${esc(r.country)}</ENT>`;
    prev = r.country;
    const cell = renderEntityCell(r.entry, r.form);
    forms.push(cell.forms);
    if (r.form.suName) footnotes.add(r.form.suName);
    const suL = r.form.suLicense || 0;
    if (suL) footnotes.add(suL);
    const cites = `${r.entry.federalRegisterCitations.map(esc).join('. ')}.`;
    lines.push(
      `<ROW>${countryCell}<ENT>${SLOT}${cell.xml}</ENT><ENT>${renderLicense(r.entry.licenseRequirement, suL)}</ENT><ENT>${esc(r.entry.licenseReviewPolicy)}</ENT><ENT>${cites}</ENT></ROW>`,
    );
  });
  lines.push(STAR_ROW);
  for (const n of [...footnotes].sort()) lines.push(`<TNOTE><SU>${n}</SU> ${esc(TNOTES[n])}</TNOTE>`);
  lines.push('</GPOTABLE>');
  return { xml: lines.join('\n'), forms };
}

/**
 * Replaces SLOT marks: the first `pages - 1` marks nearest to even page breaks become PRTPAGE
 * marks numbered from startPage + 1; the rest vanish. Returns { xml, endPage }.
 */
export function placePageMarks(xml, startPage, charsPerPage) {
  // A slot on a line of its own becomes a PRTPAGE line, or nothing.
  const parts = xml.split(`\n${SLOT}\n`).join(`\n${SLOT}${LINE}`).split(SLOT);
  const plainLen = parts.reduce((s, p) => s + p.length, 0);
  const pages = Math.max(1, Math.round(plainLen / charsPerPage));
  let out = parts[0];
  let offset = parts[0].length;
  let page = startPage;
  for (let i = 1; i < parts.length; i++) {
    const nextBreak = ((page - startPage + 1) * plainLen) / pages;
    const line = parts[i].startsWith(LINE);
    const rest = line ? parts[i].slice(1) : parts[i];
    if (page - startPage + 1 < pages && offset >= nextBreak) {
      page++;
      out += `<PRTPAGE P="${page}"/>${line ? '\n' : ''}`;
    }
    out += rest;
    offset += parts[i].length;
  }
  return { xml: out, endPage: page };
}

/** Inserts a SLOT between two words near the middle of a long text (escaped text). */
export function slotMidText(text, rng) {
  if (text.length < 300) return text;
  const target = Math.floor(text.length * (0.35 + rng.next() * 0.3));
  const i = text.indexOf(' ', target);
  if (i < 0) return text;
  // Not inside a quoted name: count quotes before the cut.
  const before = text.slice(0, i);
  const quotes = (before.match(/["\u201c\u201d]/g) ?? []).length;
  if (quotes % 2 === 1) return text;
  return `${before} ${SLOT}${text.slice(i + 1)}`;
}

/**
 * Re-lays a compact document out the way GPO's published XML is printed (see
 * test/fixtures/real/fr-xml): every element on its own line, indented four spaces a level; an
 * element holding only text stays on one line; in mixed content each text run gets a line of its
 * own (with its own leading and trailing spaces), so "Name<SU>1</SU>, Address" becomes three
 * lines.
 */
export function gpoIndent(xml) {
  const tokens = xml.match(/<\?[^>]*\?>|<\/?[A-Za-z][^>]*>|[^<]+/g) ?? [];
  const root = { children: [] };
  const stack = [root];
  let decl = '';
  for (const t of tokens) {
    const top = stack[stack.length - 1];
    if (t.startsWith('<?')) decl = t;
    else if (t.startsWith('</')) stack.pop();
    else if (t.startsWith('<')) {
      const node = { open: t, name: /^<([A-Za-z0-9]+)/.exec(t)[1], children: [], empty: t.endsWith('/>') };
      top.children.push(node);
      if (!node.empty) stack.push(node);
    } else top.children.push({ text: t });
  }
  const out = [];
  const emit = (node, depth) => {
    const pad = '    '.repeat(depth);
    if (node.text !== undefined) {
      if (node.text.trim()) out.push(pad + node.text.replace(/\n/g, ' '));
      return;
    }
    if (node.empty) {
      out.push(pad + node.open);
      return;
    }
    const hasElements = node.children.some((c) => c.text === undefined);
    if (!hasElements) {
      out.push(`${pad}${node.open}${node.children.map((c) => c.text).join('')}</${node.name}>`);
      return;
    }
    out.push(pad + node.open);
    for (const c of node.children) emit(c, depth + 1);
    out.push(`${pad}</${node.name}>`);
  };
  for (const c of root.children) emit(c, 0);
  return `${decl ? `${decl}\n` : ''}${out.join('\n')}\n`;
}
