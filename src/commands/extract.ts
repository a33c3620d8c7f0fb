import { basename } from 'node:path';
import { extractFromXml } from '../entity-list/extract.js';
import { readXmlFile } from './read-xml-file.js';
import { refusal, type CommandIO } from './io.js';

/**
 * `fedreg-watch extract FILE.xml...`: one extraction JSON object per document, one per line.
 * Exit 0 even when a document changes nothing; exit 2 when an input is unreadable or refused,
 * after printing what the other files gave.
 */
export async function extractCommand(argv: string[], io: CommandIO): Promise<number> {
  const files = argv.filter((a) => !a.startsWith('--'));
  const pretty = argv.includes('--pretty');
  if (files.length === 0) {
    io.stderr.write('usage: fedreg-watch extract FILE.xml... [--pretty]\n');
    return 64;
  }
  let failed = 0;
  for (const file of files) {
    try {
      const bytes = await readXmlFile(file);
      const fallback = /^\d{4}-\d+/.test(basename(file)) ? basename(file).replace(/\.xml$/i, '') : undefined;
      for (const doc of extractFromXml(bytes, { source: file, fallbackDocumentNumber: fallback })) {
        io.stdout.write(JSON.stringify(doc, null, pretty ? 2 : undefined) + '\n');
        for (const w of doc.warnings) io.stderr.write(`warning: ${w.message}\n`);
      }
    } catch (err) {
      refusal(io, err);
      failed++;
    }
  }
  return failed > 0 ? 2 : 0;
}
