import { parseAmendatoryInstruction, type InstructionGroup } from './instructions.js';
import type { ChangeAction } from './types.js';

/**
 * What the public-inspection copy of a rule says it will change, read from its plain text a day or
 * more before publication. The inspection copy is a PDF and its text (no XML), so its tables are
 * not read: only the amendatory instructions, which name entries in quotes in the newer style
 * ("Under RUSSIA, adding in alphabetical order entries for "A" and "B"") and only announce a count
 * in the older one ("adding under CHINA, in alphabetical order, twenty-eight entities"). Both are
 * reported: named changes entry by entry, announced ones as counts. Everything here is
 * provisional; the published XML is what the state is built from.
 */

export interface ProvisionalChange {
  action: ChangeAction;
  /** The destination as the instruction writes it. */
  country: string;
  name: string;
}

export interface AnnouncedChanges {
  action: ChangeAction;
  country?: string;
  /** Entries the instruction announces beyond those it names. */
  count: number;
}

export interface ProvisionalReading {
  changes: ProvisionalChange[];
  unnamed: AnnouncedChanges[];
}

/** Where the regulatory text starts: the part heading, or the amending words before it. */
const REGULATORY_TEXT = /^PART\s+744\b|\bpart\s+744\b[^.]{0,200}\bis\s+amended\s+as\s+follows/i;

/** "2.", "a.", "(1)", "(iv)": an instruction's number or letter. */
const LABEL = String.raw`\(?(?:\d{1,3}|[a-z]{1,2}|[ivx]{1,5})[.)]`;

/**
 * The text as paragraphs. Paragraphs end at blank lines. Text wrapped without them (a PDF's text,
 * or federalregister.gov's HTML flattened to one line per block and inline element) also starts a
 * paragraph at a line that opens with an instruction's number or letter, or that is only one
 * ("2." on a line of its own, the instruction on the next), and after a line that ends an
 * instruction with ":" (the table that follows is not part of it). Page marks ("(printed page
 * 54659)") are taken out first: they fall mid-sentence.
 */
function paragraphsOf(text: string): string[] {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .replace(/\(\s*printed\s+page\s+\d+\s*\)/gi, ' ')
    .split('\n');
  const out: string[] = [];
  let current: string[] = [];
  const flush = (): void => {
    const p = current.join(' ').replace(/\s+/g, ' ').trim();
    if (p.length > 0 && p.length < 20_000) out.push(p);
    current = [];
  };
  const labelLine = new RegExp(`^[ \\t]*${LABEL}[ \\t]*$`);
  const labelled = new RegExp(`^[ \\t]*${LABEL}[ \\t]+["“A-Z]`);
  for (const line of lines) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (labelLine.test(line) || labelled.test(line)) flush();
    current.push(line);
    if (/:\s*$/.test(line) && !labelLine.test(line)) flush();
  }
  flush();
  return out;
}

export function readProvisionalChanges(text: string): ProvisionalReading {
  const paragraphs = paragraphsOf(text);
  // The preamble talks about the same changes in prose ("the ERC determined to add the following
  // entities under China"); only the regulatory text is read. Without a heading to find it by,
  // only numbered or lettered paragraphs count as instructions.
  const start = paragraphs.findIndex((p) => REGULATORY_TEXT.test(p));
  const groups: InstructionGroup[] = [];
  let inSupplement4 = false;
  let heading: string | undefined;
  // A rule amending several parts prints a "PART 740—…" heading before each part's instructions;
  // a supplement no. 4 of another part is not the Entity List.
  let part: string | undefined;
  for (const paragraph of start >= 0 ? paragraphs.slice(start) : paragraphs) {
    const partHeading = /^PART\s+(\d+)\s*[—–-]/.exec(paragraph);
    if (partHeading) {
      part = partHeading[1];
      inSupplement4 = false;
      heading = undefined;
      continue;
    }
    if (part !== undefined && part !== '744') continue;
    const instruction = parseAmendatoryInstruction(paragraph);
    if (start < 0 && instruction.label === undefined) continue;
    if (instruction.namesSupplement4) inSupplement4 = true;
    else if (instruction.namesOtherProvision || /^\d{1,3}\.\s/.test(paragraph)) inSupplement4 = false;
    if (!inSupplement4 || instruction.label === undefined) {
      if (!inSupplement4) heading = undefined;
      continue;
    }
    // "a. Under CHINA, PEOPLE'S REPUBLIC OF:" heads the sub-items that name no destination.
    if (instruction.groups.length === 0 && instruction.destinations.length === 1 && /:\s*$/.test(paragraph)) {
      heading = instruction.destinations[0];
      continue;
    }
    if (instruction.groups.some((g) => g.country !== undefined)) heading = undefined;
    for (const g of instruction.groups)
      groups.push(g.country === undefined && heading ? { ...g, country: heading, countryText: heading } : g);
  }

  const changes: ProvisionalChange[] = [];
  const unnamed: AnnouncedChanges[] = [];
  const seen = new Set<string>();
  for (const g of groups) {
    const country = g.countryText ?? g.country ?? '';
    for (const name of g.names) {
      const key = `${g.action}\u0000${country}\u0000${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      changes.push({ action: g.action, country, name });
    }
    if (g.count !== undefined && g.count > g.names.length) {
      unnamed.push({
        action: g.action,
        ...(country ? { country } : {}),
        count: g.count - g.names.length,
      });
    }
  }
  return { changes, unnamed };
}
