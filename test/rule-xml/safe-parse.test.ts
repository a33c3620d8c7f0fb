import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../../src/errors.js';
import { readDocuments } from '../../src/rule-xml/document.js';
import { textContent, findFirst } from '../../src/rule-xml/nodes.js';
import { parseFederalRegisterXml } from '../../src/rule-xml/safe-parse.js';
import { DAILY_ISSUES } from '../support/fixtures.js';

function codeOf(fn: () => unknown): ErrorCode | 'no error' {
  try {
    fn();
    return 'no error';
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
}

const RULE = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n<RULE>${body}</RULE>\n`;

describe('parseFederalRegisterXml: hostile and broken input gets a typed error', () => {
  it.each<[string, string | Uint8Array, ErrorCode]>([
    ['empty input', '', 'XML_NOT_XML'],
    ['JSON instead of XML', '{"document_number": "2019-22210"}', 'XML_NOT_XML'],
    ['an HTML error page', '<!DOCTYPE html><html><body>502 Bad Gateway</body></html>', 'XML_WRONG_ROOT'],
    ['a feed, not a document', '<rss><channel/></rss>', 'XML_WRONG_ROOT'],
    [
      'a download cut off mid-element',
      RULE('<PREAMB><AGENCY>DEPARTMENT OF COMMERCE</AGENCY>').slice(0, -10),
      'XML_TRUNCATED',
    ],
    ['mismatched tags', RULE('<PREAMB><P>text</Q></PREAMB>'), 'XML_INVALID'],
    [
      'an entity bomb',
      '<?xml version="1.0"?><!DOCTYPE RULE [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><RULE><P>&c;</P></RULE>',
      'XML_ENTITY_FORBIDDEN',
    ],
    [
      'an external entity',
      '<?xml version="1.0"?><!DOCTYPE RULE [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><RULE><P>&xxe;</P></RULE>',
      'XML_ENTITY_FORBIDDEN',
    ],
    [
      'an external DTD',
      '<?xml version="1.0"?><!DOCTYPE RULE SYSTEM "http://evil.example/x.dtd"><RULE/>',
      'XML_ENTITY_FORBIDDEN',
    ],
    ['10,000-deep nesting', RULE('<P>'.repeat(10_000) + '</P>'.repeat(10_000)), 'XML_TOO_DEEP'],
    ['Latin-1 bytes declared as UTF-8', Buffer.from(RULE('<P>Caf\u00e9 Ltd.</P>'), 'latin1'), 'XML_ENCODING'],
    ['UTF-16 without a byte order mark', Buffer.from(RULE('<P>x</P>'), 'utf16le'), 'XML_ENCODING'],
    [
      'an unsupported declared encoding',
      Buffer.from('<?xml version="1.0" encoding="EBCDIC-CP-US"?><RULE/>'),
      'XML_ENCODING',
    ],
  ])('%s → %s', (_name, input, code) => {
    expect(codeOf(() => parseFederalRegisterXml(input, { source: 'test.xml' }))).toBe(code);
  });

  it('refuses input above the size limit before decoding it', () => {
    const big = new Uint8Array(2048);
    expect(codeOf(() => parseFederalRegisterXml(big, { limits: { maxBytes: 1024 } }))).toBe('XML_TOO_LARGE');
  });

  it('says where and what in its messages, and names the source', () => {
    try {
      parseFederalRegisterXml(RULE('<PREAMB><P>a</P>\n<P>b</Q></PREAMB>'), { source: '2019-22210.xml' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      const e = err as AppError;
      expect(e.message).toMatch(/^2019-22210\.xml: not well-formed XML at line \d+, column \d+/);
      expect(e.retryable).toBe(false);
      expect(e.context.line).toBeGreaterThan(0);
    }
  });

  it('accepts a declared Latin-1 document and a UTF-16 one with a byte order mark', () => {
    const latin = Buffer.from(
      '<?xml version="1.0" encoding="ISO-8859-1"?><RULE><P>Caf\u00e9</P></RULE>',
      'latin1',
    );
    const { root } = parseFederalRegisterXml(latin);
    expect(textContent(findFirst(root, 'P')!)).toBe('Caf\u00e9');
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('<RULE><P>\u2014x</P></RULE>', 'utf16le'),
    ]);
    expect(textContent(findFirst(parseFederalRegisterXml(utf16).root, 'P')!)).toBe('\u2014x');
  });

  it('accepts other roots only when asked, with every other check kept', () => {
    const roots = new Set(['DIV5']);
    const part = '<DIV5 N="744"><HEAD>PART 744</HEAD></DIV5>';
    expect(codeOf(() => parseFederalRegisterXml(part))).toBe('XML_WRONG_ROOT');
    expect(parseFederalRegisterXml(part, { roots }).rootTag).toBe('DIV5');
    expect(codeOf(() => parseFederalRegisterXml(RULE(''), { roots }))).toBe('XML_WRONG_ROOT');
    expect(() => parseFederalRegisterXml('<DIV9/>', { roots, source: 'ecfr.xml' })).toThrow(
      /^ecfr\.xml: expected one of <DIV5>, found <DIV9>$/,
    );
    expect(
      codeOf(() => parseFederalRegisterXml('<!DOCTYPE DIV5 [<!ENTITY a "b">]><DIV5>&a;</DIV5>', { roots })),
    ).toBe('XML_ENTITY_FORBIDDEN');
    expect(codeOf(() => parseFederalRegisterXml(part.slice(0, -5), { roots }))).toBe('XML_TRUNCATED');
    expect(
      codeOf(() =>
        parseFederalRegisterXml('<DIV5>' + '<P>'.repeat(300) + '</P>'.repeat(300) + '</DIV5>', { roots }),
      ),
    ).toBe('XML_TOO_DEEP');
  });
});

describe('parseFederalRegisterXml: what it keeps', () => {
  it('keeps mixed content in order and drops page marks', () => {
    const { root } = parseFederalRegisterXml(
      RULE('<P>Beijing <E T="03">et seq.</E> Co.<SU>1</SU>, <PRTPAGE P="54005"/>Ltd. tail</P>'),
    );
    const p = findFirst(root, 'P')!;
    expect(textContent(p)).toBe('Beijing et seq. Co., Ltd. tail');
    expect(textContent(p, true)).toBe('Beijing et seq. Co.1, Ltd. tail');
  });

  it('decodes predefined and numeric character references, never named ones', () => {
    const { root } = parseFederalRegisterXml(RULE('<P>A &amp; B &#x2014; C &#8212; &lt;x&gt; &mdash;</P>'));
    expect(textContent(findFirst(root, 'P')!)).toBe('A & B \u2014 C \u2014 <x> &mdash;');
  });

  it('keeps numeric-looking values as text (document numbers, ZIP codes, RINs)', () => {
    const { root } = parseFederalRegisterXml(
      RULE(
        '<PREAMB><RIN>RIN 0694–AH88</RIN><P>01234</P></PREAMB><FRDOC>[FR Doc. 2019–02210 Filed 10–7–19; 8:45 am]</FRDOC>',
      ),
    );
    const [doc] = readDocuments(root, 'RULE');
    expect(doc!.meta.documentNumber).toBe('2019-02210');
    expect(doc!.meta.rin).toBe('0694-AH88');
    expect(textContent(findFirst(root, 'P')!)).toBe('01234');
  });
});

describe('the real GPO daily issues', () => {
  it.each(DAILY_ISSUES)('%s parses completely and every document is found', (path) => {
    const bytes = readFileSync(path);
    const { root, rootTag } = parseFederalRegisterXml(bytes);
    expect(rootTag).toBe('FEDREG');
    const docs = readDocuments(root, rootTag);
    // 13 rules, 7 proposed rules, 75 notices and 1 presidential document, each with an FRDOC line.
    expect(docs.map((d) => d.meta.documentType).sort()).toEqual(
      [
        ...Array(75).fill('NOTICE'),
        'PRESDOCU',
        ...Array(7).fill('PRORULE'),
        ...Array(13).fill('RULE'),
      ].sort(),
    );
    expect(docs.length).toBe((bytes.toString('utf8').match(/<FRDOC>/g) ?? []).length);
    for (const d of docs) {
      expect(d.meta.documentNumber).toMatch(/^\d{4}-\d{5}$/);
      expect(d.meta.publicationDate).toBe('2024-02-12');
      expect(d.meta.volume).toBe(89);
    }
    expect(new Set(docs.map((d) => d.meta.documentNumber)).size).toBe(docs.length);
  });

  it('reads the preamble of a known rule in the issue', () => {
    const { root, rootTag } = parseFederalRegisterXml(readFileSync(DAILY_ISSUES[0]!));
    const faa = readDocuments(root, rootTag).find((d) => d.meta.documentNumber === '2024-02930')!;
    expect(faa.meta).toMatchObject({
      documentType: 'RULE',
      agency: 'DEPARTMENT OF TRANSPORTATION',
      subAgency: 'Federal Aviation Administration',
      cfrParts: ['14 CFR 39'],
      rin: '2120-AA64',
      action: 'Final rule; request for comments.',
      effectiveDate: '2024-02-12',
      citation: '89 FR 9741',
      filed: '2-8-24; 2:00 pm',
    });
    expect(faa.regtexts.length).toBeGreaterThan(0);
    expect(faa.regtexts.every((rt) => rt.title === '14')).toBe(true);
  });
});
