import { pageAt, readDocuments, type FrDocument } from '../rule-xml/document.js';
import { isCitationPlaceholder, resolveCitationPlaceholder } from './citations.js';
import { childrenOf, findAll, tagOf, textContent, type XmlNode } from '../rule-xml/nodes.js';
import { parseFederalRegisterXml, type ParseOptions } from '../rule-xml/safe-parse.js';
import { canonicalDestination, createDestinationMatcher } from './destinations.js';
import { isAbbreviation, nameProbeKey, parseEntityCell } from './entity-cell.js';
import { normalizeName } from './identity.js';
import {
  parseAmendatoryInstruction,
  type AmendatoryInstruction,
  type InstructionGroup,
} from './instructions.js';
import {
  isEntityListTable,
  printedCountries,
  readEntityListTable,
  rowEntry,
  type TableRow,
} from './table.js';
import type { DocumentExtraction, Entry, EntryChange, ExtractionWarning } from './types.js';

/**
 * From a Federal Register document to its Entity List changes, entry by entry. Instructions say
 * what happens (add, revise, remove, correct) under which destination; the table rows that follow
 * say what the entries read. Each row takes its action from the instruction that introduces it;
 * removals exist only in the instructions. Every disagreement between the two (a count that does
 * not match, a row no instruction introduces, a named entry with no row) is a warning in the
 * output, never a silent drop.
 */

export interface ExtractOptions extends ParseOptions {
  /** Public inspection copies: changes are marked provisional. */
  provisional?: boolean;
  /** Used when a document has no FRDOC line. */
  fallbackDocumentNumber?: string;
}

export function extractFromXml(xml: string | Uint8Array, options: ExtractOptions = {}): DocumentExtraction[] {
  const parsed = parseFederalRegisterXml(xml, options);
  return readDocuments(parsed.root, parsed.rootTag, {
    fallbackDocumentNumber: options.fallbackDocumentNumber,
  }).map((doc) => extractDocument(doc, options));
}

interface PlacedGroup extends InstructionGroup {
  instruction: AmendatoryInstruction;
  /** Names not yet matched to a row (revise/add/correct) — by normalised name. */
  unmatched: Map<string, string>;
  assigned: number;
}

export function extractDocument(
  doc: FrDocument,
  options: { provisional?: boolean } = {},
): DocumentExtraction {
  const warnings: ExtractionWarning[] = [];
  const groups: PlacedGroup[] = [];
  const rows: Array<TableRow & { footnotes: Map<string, string> }> = [];
  let sawSupplement4 = false;
  const regtexts = doc.regtexts.filter((rt) => isPart744(rt.part, rt.title));
  // Destinations as the tables print them help read them in the instructions' running text.
  const tableCountries = new Set<string>();
  for (const rt of regtexts) {
    for (const item of rt.items) {
      if (item.kind === 'table' && isEntityListTable(item.node)) {
        for (const country of printedCountries(item.node)) tableCountries.add(country);
      }
    }
  }
  const destinations = createDestinationMatcher(tableCountries);

  // A run of Supplement No. 4 instructions may span REGTEXTs (one lettered instruction and its
  // table per REGTEXT); it ends at a numbered instruction that amends something else.
  let inSupplement4 = false;
  // "a. Under CHINA, PEOPLE'S REPUBLIC OF:" followed by "i. Adding …", "ii. Revising …": the
  // destination of a heading paragraph carries to the sub-items that name none.
  let heading: { country: string; text: string } | undefined;
  // The first paragraph amending Supplement No. 4: the page it is printed on is the rule's citation.
  let amendmentStart: XmlNode | undefined;
  for (const rt of regtexts) {
    const where = `FR doc ${doc.meta.documentNumber}, REGTEXT ${rt.index}`;
    for (const item of rt.items) {
      if (item.kind === 'amdpar') {
        const instruction = parseAmendatoryInstruction(item.text, destinations);
        if (instruction.namesSupplement4) inSupplement4 = true;
        // A new numbered instruction ("3. Section 744.21 is amended …") ends the run; "(1)" numbers
        // an item inside it.
        else if (instruction.namesOtherProvision || /^\d{1,3}\.\s/.test(instruction.text))
          inSupplement4 = false;
        if (!inSupplement4) {
          heading = undefined;
          continue;
        }
        sawSupplement4 = true;
        amendmentStart ??= item.node;
        if (
          instruction.groups.length === 0 &&
          instruction.destinations.length === 1 &&
          /:\s*$/.test(instruction.text)
        ) {
          heading = { country: instruction.destinations[0]!, text: instruction.destinations[0]! };
          continue;
        }
        if (instruction.groups.some((g) => g.country !== undefined)) heading = undefined;
        if (heading) {
          for (const g of instruction.groups) {
            if (g.country === undefined) {
              g.country = heading.country;
              g.countryText = heading.text;
            }
          }
        }
        if (instruction.groups.length === 0 && looksLikeChange(instruction.text)) {
          warnings.push({
            code: 'UNPARSED_INSTRUCTION',
            message: `${where}, AMDPAR ${instruction.label ?? ''}: could not read an action and destination from ${JSON.stringify(instruction.text.slice(0, 160))}`,
            context: { regtext: rt.index, label: instruction.label },
          });
        }
        for (const g of instruction.groups) {
          groups.push({
            ...g,
            instruction,
            unmatched: new Map(g.names.map((n) => [normalizeName(n), n])),
            assigned: 0,
          });
        }
      } else if (
        item.kind === 'table' &&
        (isEntityListTable(item.node) || (inSupplement4 && looksLikeFiveColumns(item.node)))
      ) {
        const table = readEntityListTable(item.node, where);
        warnings.push(...table.warnings);
        for (const row of table.rows) rows.push({ ...row, footnotes: table.footnotes });
        if (isEntityListTable(item.node)) sawSupplement4 = true;
      }
    }
  }

  const changes: EntryChange[] = [];
  if (groups.length > 0 || rows.length > 0) {
    const knownNames = documentNames(doc, groups);
    const printedCountry = new Map<string, string>();
    for (const row of rows)
      if (row.country) printedCountry.set(canonicalDestination(row.country), row.country);

    for (const row of rows) changes.push(rowToChange(row, groups, knownNames, warnings, doc));

    for (const g of groups) {
      if (g.action === 'remove') {
        for (const name of g.names) {
          const country = g.country ? (printedCountry.get(g.country) ?? g.country) : undefined;
          if (!country) {
            warnings.push({
              code: 'UNPARSED_INSTRUCTION',
              message: `FR doc ${doc.meta.documentNumber}: removal of ${JSON.stringify(name)} names no destination`,
              context: { name },
            });
          }
          changes.push(withCorrection({ action: 'remove', country: country ?? '', entry: { name } }, g));
        }
        if (g.together && g.names.length > 1 && g.country === g.together[0]) {
          warnings.push({
            code: 'AMBIGUOUS_NAME',
            message: `FR doc ${doc.meta.documentNumber}: the instruction removes ${g.names.map((n) => JSON.stringify(n)).join(', ')} under ${g.together.join(' and ')} and does not say which name is listed under which destination; read as each name under each destination`,
            context: { names: g.names, destinations: g.together },
          });
        }
        if (g.count !== undefined && g.count > g.names.length) {
          warnings.push({
            code: 'COUNT_MISMATCH',
            message: `FR doc ${doc.meta.documentNumber}: removal under ${g.countryText ?? g.country ?? '?'} announces ${g.count} entr${g.count === 1 ? 'y' : 'ies'} but names ${g.names.length}`,
            context: { country: g.country, announced: g.count, named: g.names.length },
          });
        }
        continue;
      }
      const siblings = g.together ? groups.filter((o) => o !== g && o.together === g.together) : [];
      for (const [key, name] of g.unmatched) {
        // Named under several destinations at once: the row under another of them settles it.
        if (siblings.length > 0 && siblings.some((o) => !o.unmatched.has(key))) continue;
        warnings.push({
          code: 'INSTRUCTION_WITHOUT_ROW',
          message: `FR doc ${doc.meta.documentNumber}: the instruction ${g.action === 'add' ? 'adds' : g.action === 'revise' ? 'revises' : 'corrects'} ${JSON.stringify(name)} under ${g.countryText ?? g.country ?? '?'} but no table row gives that entry`,
          context: { action: g.action, country: g.country, name },
        });
      }
      if (
        g.count !== undefined &&
        g.assigned !== g.count &&
        g.unmatched.size === 0 &&
        siblings.length === 0
      ) {
        warnings.push({
          code: 'COUNT_MISMATCH',
          message: `FR doc ${doc.meta.documentNumber}: the instruction announces ${g.count} entr${g.count === 1 ? 'y' : 'ies'} to ${verb(g.action)} under ${g.countryText ?? g.country ?? '?'}, the table gives ${g.assigned}`,
          context: { action: g.action, country: g.country, announced: g.count, rows: g.assigned },
        });
      }
    }
  }

  // A public inspection copy is not yet paged: its placeholder citations stay as filed.
  if (options.provisional) for (const c of changes) c.provisional = true;
  else resolvePlaceholders(changes, doc, amendmentStart, warnings);
  return {
    documentNumber: doc.meta.documentNumber,
    isEntityListChange: changes.length > 0 || (sawSupplement4 && groups.length > 0),
    changes,
    warnings,
    document: doc.meta,
  };
}

function verb(action: string): string {
  return action === 'add'
    ? 'add'
    : action === 'revise'
      ? 'revise'
      : action === 'correct'
        ? 'correct'
        : 'remove';
}

function isPart744(part: string | undefined, title: string | undefined): boolean {
  if (part === undefined) return title === undefined || title === '15';
  return /\b744\b/.test(part) && (title === undefined || title === '15');
}

function looksLikeChange(text: string): boolean {
  return (
    /\b(?:add|revis|remov|correct)/i.test(text) &&
    !/read\s+as\s+follows:?\s*$/i.test(text.replace(/^.*?(?:additions|revisions|corrections)/i, ''))
  );
}

/** A table without column heads whose entry rows have five cells (blank and star rows come first). */
function looksLikeFiveColumns(table: XmlNode): boolean {
  return findAll(table, new Set(['ROW']))
    .slice(0, 12)
    .some((row) => childrenOf(row).filter((c) => tagOf(c) === 'ENT').length === 5);
}

/**
 * Names the document itself gives for its entries: quoted names in the instructions, and the
 * lists in the supplementary information ("China: Aksu District Public Security Bureau; …").
 * They tell where a name ends in a cell like "Foo Trading, Ltd., Room 5, …".
 */
/** Longer than any name on the list (the longest are under 300 characters). */
const MAX_LISTED_NAME = 320;

/** Prefixes of `text` that end at a sentence end: ". " then a capital, not after an abbreviation. */
function sentenceHeads(text: string): string[] {
  const heads: string[] = [];
  for (const m of text.matchAll(/\.\s+(?=[A-Z])/g)) {
    const word = /(\S+)$/.exec(text.slice(0, m.index))?.[1] ?? '';
    if (isAbbreviation(word)) continue;
    heads.push(text.slice(0, m.index + 1));
  }
  return heads;
}

function documentNames(doc: FrDocument, groups: PlacedGroup[]): Set<string> {
  const names = new Set<string>();
  for (const g of groups) for (const n of g.names) names.add(nameProbeKey(n));
  for (const supl of findAll(doc.element, new Set(['SUPLINF']))) {
    for (const child of childrenOf(supl)) {
      const tag = tagOf(child);
      if (tag !== 'P' && tag !== 'FP') continue;
      const text = textContent(child);
      // Name lists are semicolon-separated ("China: A; B; C."); prose paragraphs give no names.
      if (text.length > 50_000 || text.indexOf(';') < 0) continue;
      for (const piece of text.split(/\s*[;:]\s*/)) {
        // The last item of a list may run into the next sentence ("…; Yixin Co., Ltd. The ERC
        // also…"): its head up to a sentence end counts too, but "Pvt. Ltd. Consultants" does
        // not end at "Pvt." (an abbreviation, not a sentence end).
        for (const candidate of [piece, ...sentenceHeads(piece)]) {
          const item = candidate
            .replace(/^(?:and|or)\s+/i, '')
            .replace(/\.$/, '')
            .trim();
          if (item.length >= 2 && item.length <= MAX_LISTED_NAME) names.add(nameProbeKey(item));
        }
      }
    }
  }
  return names;
}

function rowToChange(
  row: TableRow & { footnotes: Map<string, string> },
  groups: PlacedGroup[],
  knownNames: Set<string>,
  warnings: ExtractionWarning[],
  doc: FrDocument,
): EntryChange {
  const canon = canonicalDestination(row.country);
  const forCountry = groups.filter(
    (g) => g.action !== 'remove' && (g.country === canon || g.country === undefined),
  );
  const cell = parseEntityCell(row.entity, { knownNames });
  const key = normalizeName(cell.name);

  // 1. The instruction names this entry.
  let group = forCountry.find((g) => g.unmatched.has(key));
  let previousName: string | undefined;
  if (group) group.unmatched.delete(key);
  // 2. An instruction for this destination announces entries without naming them ("eight entities").
  group ??= forCountry.find((g) => g.names.length === 0 && (g.count === undefined || g.assigned < g.count));
  group ??= forCountry.find((g) => g.names.length === 0);
  // 3. A revision whose row prints a new name: pair it with the instruction's unmatched name.
  if (!group) {
    group = forCountry.find((g) => (g.action === 'revise' || g.action === 'correct') && g.unmatched.size > 0);
    if (group) {
      const [k, original] = group.unmatched.entries().next().value as [string, string];
      group.unmatched.delete(k);
      previousName = original;
      warnings.push({
        code: 'AMBIGUOUS_NAME',
        message: `FR doc ${doc.meta.documentNumber}, table row ${row.row}: the row for ${JSON.stringify(cell.name)} under ${row.country} matches no name in the instructions; read as the ${group.action === 'correct' ? 'correction' : 'revision'} of ${JSON.stringify(original)}`,
        context: { row: row.row, name: cell.name, previousName: original },
      });
    }
  }
  const allNonRemove = groups.filter((g) => g.action !== 'remove');
  if (!group && allNonRemove.length > 0 && new Set(allNonRemove.map((g) => g.action)).size === 1) {
    group = allNonRemove[0];
    // Every instruction does the same thing, so the row takes that action; but none names this
    // row's destination, and that is worth saying.
    if (group?.country !== undefined && group.country !== canon) {
      warnings.push({
        code: 'ROW_WITHOUT_INSTRUCTION',
        message: `FR doc ${doc.meta.documentNumber}, table row ${row.row}: no instruction names ${row.country} for ${JSON.stringify(cell.name)}; read as ${group.action === 'add' ? 'an addition' : group.action === 'revise' ? 'a revision' : 'a correction'}, as every instruction of the rule is`,
        context: { row: row.row, name: cell.name, country: row.country, action: group.action },
      });
    }
  }
  let action: EntryChange['action'];
  if (group) {
    group.assigned++;
    action = group.action;
  } else {
    action = 'add';
    warnings.push({
      code: 'ROW_WITHOUT_INSTRUCTION',
      message: `FR doc ${doc.meta.documentNumber}, table row ${row.row}: no instruction introduces ${JSON.stringify(cell.name)} under ${row.country}; read as an addition`,
      context: { row: row.row, name: cell.name, country: row.country },
    });
  }

  const entry = rowEntry(row, cell, row.footnotes);
  // A cross-reference names destinations as the list does ("China" is "CHINA, PEOPLE'S REPUBLIC OF").
  if (entry.seeAlso) entry.seeAlso = [...new Set(entry.seeAlso.map(canonicalDestination))];
  const change: EntryChange = { action, country: row.country, entry };
  if (previousName !== undefined) change.previousName = previousName;
  return group ? withCorrection(change, group) : change;
}

function withCorrection(change: EntryChange, group: PlacedGroup): EntryChange {
  const { correctsDocument, correctsCitation, isCorrection } = group.instruction;
  if (isCorrection && correctsDocument) change.correctsDocument = correctsDocument;
  if (isCorrection && correctsCitation) change.correctsCitation = correctsCitation;
  return change;
}

/**
 * A rule cites itself as "88 FR [INSERT FR PAGE NUMBER AND 2/27/2023]": the page is the one on
 * which its Supplement No. 4 amendment is printed (the eCFR cites that page, not the document's
 * first), the date the placeholder's own.
 */
function resolvePlaceholders(
  changes: EntryChange[],
  doc: FrDocument,
  amendmentStart: XmlNode | undefined,
  warnings: ExtractionWarning[],
): void {
  let page: number | undefined;
  let looked = false;
  for (const change of changes) {
    const citations = 'federalRegisterCitations' in change.entry ? change.entry.federalRegisterCitations : [];
    if (!citations.some(isCitationPlaceholder)) continue;
    if (!looked) {
      looked = true;
      page = amendmentStart ? pageAt(doc.element, amendmentStart) : doc.meta.startPage;
      if (page === undefined) {
        warnings.push({
          code: 'TABLE_SHAPE',
          message: `FR doc ${doc.meta.documentNumber}: the table cites the rule as ${JSON.stringify(citations.find(isCitationPlaceholder))} and the XML marks no page to fill it in with`,
          context: {},
        });
      }
    }
    (change.entry as Entry).federalRegisterCitations = citations.map((c) =>
      resolveCitationPlaceholder(c, page, doc.meta.publicationDate),
    );
  }
}
