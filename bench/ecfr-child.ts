import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import { parseEcfrSupplement4 } from '../src/sources/ecfr.js';

/**
 * One side of the eCFR memory measure, in a process of its own so that its peak RSS is its own:
 * `node ecfr-child.js bare|reader FILE.xml.gz`. Reads the file, parses it three times, prints
 * {"ms":…, "maxRssMb":…, "heapUsedMb":…, "entries":…} on stdout.
 */
const [mode, file] = process.argv.slice(2);
if ((mode !== 'bare' && mode !== 'reader') || !file) {
  process.stderr.write('usage: ecfr-child.js bare|reader FILE.xml.gz\n');
  process.exit(64);
}
const xml = gunzipSync(readFileSync(file)).toString('utf8');
const baseRssMb = process.resourceUsage().maxRSS / 1024;
let entries = 0;
const times: number[] = [];
for (let i = 0; i < 3; i++) {
  const t0 = process.hrtime.bigint();
  if (mode === 'bare') {
    new XMLParser().parse(xml);
  } else {
    entries = parseEcfrSupplement4(xml, { asOf: '2026-07-23' }).snapshot.entries.length;
  }
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
process.stdout.write(
  JSON.stringify({
    ms: Math.min(...times),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    baseRssMb,
    heapUsedMb: process.memoryUsage().heapUsed / 1024 / 1024,
    entries,
  }) + '\n',
);
