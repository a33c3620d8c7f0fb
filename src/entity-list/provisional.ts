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

export function readProvisionalChanges(text: string): ProvisionalReading {
  // Paragraphs end at blank lines; in text wrapped without them (as a PDF's text often is), a
  // line that opens with an instruction's number or letter starts a paragraph too.
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n|\n(?=[ \t]*\(?(?:\d{1,3}|[a-z]{1,2}|[ivx]{1,5})[.)][ \t]+["“A-Z])/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.length > 0 && p.length < 20_000);
  // The preamble talks about the same changes in prose ("the ERC determined to add the following
  // entities under China"); only the regulatory text is read. Without a heading to find it by,
  // only numbered or lettered paragraphs count as instructions.
  const start = paragraphs.findIndex((p) => REGULATORY_TEXT.test(p));
  const groups: InstructionGroup[] = [];
  let inSupplement4 = false;
  let heading: string | undefined;
  for (const paragraph of start >= 0 ? paragraphs.slice(start + 1) : paragraphs) {
    const instruction = parseAmendatoryInstruction(paragraph);
    if (start < 0 && instruction.label === undefined) continue;
    if (instruction.namesSupplement4) inSupplement4 = true;
    else if (instruction.namesOtherProvision || (instruction.label && /^\d+$/.test(instruction.label)))
      inSupplement4 = false;
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
