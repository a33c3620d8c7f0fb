/**
 * Builds Federal Register rule XML in GPO's structure (as the real daily issue and the corpus
 * show it) for tests of layouts and wordings the corpus does not have. Cell contents are raw XML.
 */
export interface BuiltRow {
  /** Printed on the first row of a destination; omitted (blank cell) on the rows after it. */
  country?: string;
  entity: string;
  requirement?: string;
  policy?: string;
  citation?: string;
}

export interface BuiltRegText {
  amdpars: string[];
  rows?: BuiltRow[];
  /** Table footnotes, as `<TNOTE>` content. */
  tnotes?: string[];
  part?: string;
}

export interface BuiltRule {
  documentNumber?: string;
  root?: 'RULE' | 'PRORULE' | 'NOTICE';
  effective?: string;
  supplementary?: string;
  regtexts: BuiltRegText[];
}

const esc = (s: string): string => s.replace(/&(?![#a-zA-Z0-9]+;)/g, '&amp;');

export function buildRule(rule: BuiltRule): string {
  const number = rule.documentNumber ?? '2025-01234';
  const root = rule.root ?? 'RULE';
  const regtexts = rule.regtexts
    .map(
      (rt) => `<REGTEXT TITLE="15" PART="${rt.part ?? '744'}">
${rt.amdpars.map((a) => `<AMDPAR>${esc(a)}</AMDPAR>`).join('\n')}
${rt.rows ? table(rt.rows, rt.tnotes ?? []) : ''}
</REGTEXT>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<${root}>
<PREAMB>
<PRTPAGE P="1001"/>
<AGENCY TYPE="S">DEPARTMENT OF COMMERCE</AGENCY>
<SUBAGY>Bureau of Industry and Security</SUBAGY>
<CFR>15 CFR Part 744</CFR>
<DEPDOC>[Docket No. 250101–0001]</DEPDOC>
<RIN>RIN 0694–AJ00</RIN>
<SUBJECT>Additions to the Entity List</SUBJECT>
<ACT><HD SOURCE="HED">ACTION:</HD><P>Final rule.</P></ACT>
<EFFDATE><HD SOURCE="HED">DATES:</HD><P>This rule is effective ${rule.effective ?? 'January 6, 2025'}.</P></EFFDATE>
</PREAMB>
<SUPLINF>
<HD SOURCE="HED">SUPPLEMENTARY INFORMATION:</HD>
<P>${esc(rule.supplementary ?? 'The ERC made the decisions below.')}</P>
<PART><HD SOURCE="HED">PART 744—CONTROL POLICY: END-USER AND END-USE BASED</HD></PART>
<REGTEXT TITLE="15" PART="744">
<AMDPAR>1. The authority citation for 15 CFR part 744 continues to read as follows:</AMDPAR>
<AUTH><HD SOURCE="HED">Authority:</HD><P>50 U.S.C. 4801-4852.</P></AUTH>
</REGTEXT>
${regtexts}
</SUPLINF>
<FRDOC>[FR Doc. ${number.replace('-', '–')} Filed 1–3–25; 8:45 am]</FRDOC>
<BILCOD>BILLING CODE 3510–33–P</BILCOD>
</${root}>
`;
}

function table(rows: BuiltRow[], tnotes: string[]): string {
  const body = rows
    .map((r, i) => {
      const star =
        r.country && i > 0
          ? '<ROW EXPSTB="04" RUL="s"><ENT I="28">*         *         *         *         *</ENT></ROW>\n'
          : '';
      return `${star}<ROW><ENT I="${r.country ? '01' : '22'}">${r.country ?? ' '}</ENT><ENT>${esc(r.entity)}</ENT><ENT>${esc(
        r.requirement ?? 'For all items subject to the EAR. (See § 744.11 of the EAR)',
      )}</ENT><ENT>${esc(r.policy ?? 'Presumption of denial.')}</ENT><ENT>${esc(r.citation ?? '90 FR 1001, 1/6/25.')}</ENT></ROW>`;
    })
    .join('\n');
  return `<HD SOURCE="HD1">Supplement No. 4 to Part 744—Entity List</HD>
<STARS/>
<GPOTABLE COLS="5" OPTS="L2,i1" CDEF="s50,r50,r50,r50,r50">
<TTITLE> </TTITLE>
<BOXHD>
<CHED H="1">Country</CHED>
<CHED H="1">Entity</CHED>
<CHED H="1">License requirement</CHED>
<CHED H="1">License review policy</CHED>
<CHED H="1">Federal Register citation</CHED>
</BOXHD>
${body}
<ROW EXPSTB="04" RUL="s"><ENT I="28">*         *         *         *         *</ENT></ROW>
${tnotes.map((t) => `<TNOTE>${t}</TNOTE>`).join('\n')}
</GPOTABLE>
<STARS/>`;
}
