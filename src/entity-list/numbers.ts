/** Counts as amendatory instructions write them: "one", "twenty-eight", "one hundred and four", "45". */

const UNITS: Record<string, number> = {
  zero: 0,
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  single: 1,
};
const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};

/** Words that may appear inside a spelled-out number. */
export const NUMBER_WORD = new RegExp(
  `(?:\\d{1,4}|(?:${[...Object.keys(UNITS), ...Object.keys(TENS), 'hundred', 'thousand'].join('|')})(?:(?:[\\s-]+(?:and[\\s-]+)?)(?:${[...Object.keys(UNITS), ...Object.keys(TENS), 'hundred', 'thousand'].filter((w) => w !== 'a' && w !== 'an').join('|')}))*)`,
  'i',
);

/** Parses a count, or returns undefined if the text is not one. */
export function parseCount(text: string): number | undefined {
  const t = text
    .trim()
    .toLowerCase()
    .replace(/\(\s*\d+\s*\)/g, '');
  if (/^\d+$/.test(t)) return Number(t);
  const words = t.split(/[\s-]+/).filter((w) => w && w !== 'and');
  if (words.length === 0) return undefined;
  let total = 0;
  let current = 0;
  for (const w of words) {
    if (w in UNITS) current += UNITS[w]!;
    else if (w in TENS) current += TENS[w]!;
    else if (w === 'hundred') current = (current || 1) * 100;
    else if (w === 'thousand') {
      total += (current || 1) * 1000;
      current = 0;
    } else return undefined;
  }
  return total + current;
}

/** Words for the counts, without the synonyms ("a", "an", "single") that only reading accepts. */
const SPELLING = new Map<number, string>(
  Object.entries({ ...UNITS, ...TENS })
    .filter(([word]) => word !== 'a' && word !== 'an' && word !== 'single')
    .map(([word, n]) => [n, word]),
);

/**
 * A count as the Federal Register spells it ("the following two aliases"): 1 → "one",
 * 42 → "forty-two"; 100 and above, or anything but a whole number, stay digits.
 */
export function numberWord(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= 100) return String(n);
  return SPELLING.get(n) ?? `${SPELLING.get(n - (n % 10))}-${SPELLING.get(n % 10)}`;
}
