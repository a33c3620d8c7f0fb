import { basename } from 'node:path';
import { isIsoDate } from '../federal-register/dates.js';
import { readXmlFile } from './read-xml-file.js';
import { ECFR_MAX_BYTES, parseEcfrSupplement4, type EcfrParseReport } from '../sources/ecfr.js';
import { parseLongDate } from '../rule-xml/dates.js';
import { refusal, type CommandIO } from './io.js';

const USAGE = 'usage: fedreg-watch ecfr FILE.xml [--as-of YYYY-MM-DD] [--pretty]\n';

/** The date the file is as of, when not given: a date in its name, else its `<AMDDATE>`. */
function dateOf(file: string, xml: string): string | undefined {
  const named = /(\d{4}-\d{2}-\d{2})/.exec(basename(file))?.[1];
  if (named && isIsoDate(named)) return named;
  const amd = /<AMDDATE>([^<]*)<\/AMDDATE>/.exec(xml)?.[1];
  return amd ? parseLongDate(amd) : undefined;
}

/** The reading report, for people: figures first, then what disagrees and why, then warnings. */
export function formatEcfrReport(file: string, asOf: string, report: EcfrParseReport): string {
  const { announcedAliases: a, footnotes: f } = report;
  const lines = [
    `${file} (as of ${asOf}): ${report.entries} entries from ${report.rows} table rows` +
      ` (${report.continuationRows} continuation rows read into the entry above, ${report.mergedRows} merged rows read apart, ${report.skipped} rows not entries)`,
    `names delimited by: ${Object.entries(report.nameBy)
      .sort((x, y) => (y[1] ?? 0) - (x[1] ?? 0))
      .map(([rule, n]) => `${rule} ${n}`)
      .join(', ')}`,
    `"the following N aliases": ${a.agree} of ${a.rows} read with N aliases (${a.rows ? ((100 * a.agree) / a.rows).toFixed(2) : '100.00'}%)`,
    ...a.disagreements.map(
      (d) => `  ${d.country} / ${d.name}: announced ${d.announced}, read ${d.read}: ${d.why}`,
    ),
    `footnotes: ${f.notes} notes; ${f.linked} of ${f.marks} marks in entries linked to their note`,
    `subordinate and affiliated parties listed inside entries: ${report.subordinates}`,
    `warnings: ${report.warnings.length}`,
    ...report.warnings.map((w) => `  warning: ${w}`),
  ];
  return lines.join('\n') + '\n';
}

/**
 * `fedreg-watch ecfr FILE.xml [--as-of DATE]`: Supplement No. 4 in an eCFR XML file (as the
 * versioner serves part 744) as a snapshot on stdout, with the reading report on stderr. The same
 * reader serves the bootstrap and the daily reconciliation.
 */
export async function ecfrCommand(argv: string[], io: CommandIO): Promise<number> {
  const files: string[] = [];
  let asOf: string | undefined;
  let pretty = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--as-of') asOf = argv[++i];
    else if (a.startsWith('--as-of=')) asOf = a.slice('--as-of='.length);
    else if (a === '--pretty') pretty = true;
    else if (a.startsWith('--')) {
      io.stderr.write(`fedreg-watch ecfr: unknown option ${a}\n${USAGE}`);
      return 64;
    } else files.push(a);
  }
  if (files.length !== 1 || (asOf !== undefined && !isIsoDate(asOf))) {
    if (asOf !== undefined && !isIsoDate(asOf))
      io.stderr.write(`fedreg-watch ecfr: --as-of must be YYYY-MM-DD, got ${JSON.stringify(asOf)}\n`);
    io.stderr.write(USAGE);
    return 64;
  }
  const file = files[0]!;
  try {
    const xml = Buffer.from(await readXmlFile(file, ECFR_MAX_BYTES)).toString('utf8');
    const date = asOf ?? dateOf(file, xml);
    if (!date) {
      io.stderr.write(
        `fedreg-watch ecfr: ${file}: no date in the file name or <AMDDATE>; say which day the text is as of with --as-of YYYY-MM-DD\n`,
      );
      return 64;
    }
    const { snapshot, report } = parseEcfrSupplement4(xml, { asOf: date, label: file });
    io.stdout.write(JSON.stringify(snapshot, null, pretty ? 2 : undefined) + '\n');
    io.stderr.write(formatEcfrReport(file, date, report));
    return 0;
  } catch (err) {
    return refusal(io, err);
  }
}
