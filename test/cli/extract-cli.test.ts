import { mkdtempSync, rmSync, writeFileSync, openSync, ftruncateSync, closeSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_CORPUS } from '../support/fixtures.js';
import { runCli } from '../support/cli.js';

let dir: string;
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fedreg-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fedreg-watch extract (process)', () => {
  it('prints one JSON line per document and exits 0', async () => {
    const res = await runCli([
      'extract',
      join(DEV_CORPUS, 'docs', '2019-22210.xml'),
      join(DEV_CORPUS, 'docs', '2018-15771.xml'),
    ]);
    expect(res.code).toBe(0);
    const lines = res.stdout
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { documentNumber: string; changes: unknown[]; isEntityListChange: boolean },
      );
    expect(lines.map((l) => [l.documentNumber, l.isEntityListChange, l.changes.length])).toEqual([
      ['2019-22210', true, 28],
      ['2018-15771', false, 0],
    ]);
  });

  // Each hostile input: a typed error on stderr, a non-zero exit, no stack trace, bounded memory.
  const hostile: Array<[string, () => string, string]> = [
    ['not XML', () => file('not.xml', 'this is not XML at all'), 'XML_NOT_XML'],
    [
      'truncated',
      () => file('cut.xml', '<?xml version="1.0"?><RULE><PREAMB><SUBJECT>Addition of'),
      'XML_TRUNCATED',
    ],
    ['wrong root', () => file('html.xml', '<html><body>Service Unavailable</body></html>'), 'XML_WRONG_ROOT'],
    [
      'entity bomb',
      () =>
        file(
          'bomb.xml',
          '<?xml version="1.0"?><!DOCTYPE RULE [' +
            Array.from(
              { length: 10 },
              (_, i) => `<!ENTITY e${i} "${i === 0 ? 'lol' : `&e${i - 1};`.repeat(10)}">`,
            ).join('') +
            ']><RULE><P>&e9;</P></RULE>',
        ),
      'XML_ENTITY_FORBIDDEN',
    ],
    [
      'external entity',
      () =>
        file(
          'xxe.xml',
          '<?xml version="1.0"?><!DOCTYPE RULE [<!ENTITY x SYSTEM "file:///etc/passwd">]><RULE>&x;</RULE>',
        ),
      'XML_ENTITY_FORBIDDEN',
    ],
    [
      '10,000-deep nesting',
      () => file('deep.xml', `<RULE>${'<P>'.repeat(10_000)}x${'</P>'.repeat(10_000)}</RULE>`),
      'XML_TOO_DEEP',
    ],
    [
      'wrong encoding',
      () =>
        file(
          'latin1.xml',
          Buffer.from('<?xml version="1.0" encoding="UTF-8"?><RULE><P>S\u00e3o Paulo</P></RULE>', 'latin1'),
        ),
      'XML_ENCODING',
    ],
    [
      '50 MB',
      () => {
        const path = join(dir, 'huge.xml');
        const fd = openSync(path, 'w');
        writeSync(fd, '<?xml version="1.0"?><RULE><P>');
        ftruncateSync(fd, 50 * 1024 * 1024);
        closeSync(fd);
        return path;
      },
      'XML_TOO_LARGE',
    ],
    ['a missing file', () => join(dir, 'nope.xml'), 'INPUT_INVALID'],
  ];

  it.each(hostile)('%s → a typed error, exit 2, bounded memory', async (_name, make, code) => {
    const res = await runCli(['extract', make()], { maxOldSpaceMb: 96 });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(new RegExp(`^error \\[${code}\\]: `, 'm'));
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.stdout).toBe('');
    expect(res.peakRssMb).toBeLessThan(200);
  });

  it('goes on to the next file after a bad one', async () => {
    const res = await runCli([
      'extract',
      file('bad.xml', 'nope'),
      join(DEV_CORPUS, 'docs', '2019-11153.xml'),
    ]);
    expect(res.code).toBe(2);
    expect(JSON.parse(res.stdout.trim()).documentNumber).toBe('2019-11153');
  });
});
