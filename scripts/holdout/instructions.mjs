// Amendatory instructions for Supplement No. 4 to part 744, in the wordings real Entity List rules
// use. Each style turns a document plan into REGTEXT blocks: { amdpars: [text], rows: [...] | null }.
// Texts here are plain (unescaped); the document renderer escapes them.

import {
  capFirst,
  countPhrase,
  destPhrase,
  hasVariant,
  letter,
  numberWord,
  quoteList,
  roman,
} from './words.mjs';

export const OLD_STYLES = ['O1', 'O2', 'O3', 'O3b', 'O4', 'O6'];
export const NEW_STYLES = ['N1', 'N1b', 'N2', 'N3', 'N4', 'N5', 'N6'];

export const STYLE_NAMES = {
  O1: 'old single destination ("is amended by adding under X, in alphabetical order, N entities")',
  O2: 'old several destinations in one sentence ("adding under X, ..., one entity; under Y, ..., two entities; and ...")',
  O3: 'old lettered list, one AMDPAR per letter ("a. By adding under X ...;")',
  O3b: 'old lettered list, all letters in one AMDPAR',
  O4: 'old removal-only sentence ("is amended by removing under X, one entity, "A"; and under Y, ...")',
  O6: 'old wording, one numbered instruction and REGTEXT per action, each with its own table',
  N1: 'new lettered list ("Amend supplement no. 4 to part 744 by:" "a. Under X, adding ... entries for ...")',
  N1b: 'new lettered list, all letters in one AMDPAR',
  N2: 'new lettered list with nested sub-items ("a. Under X:" "i. Adding ...;" "ii. Removing ...")',
  N3: 'new lettered list, several actions for one destination in one item',
  N4: 'new single destination ("Amend ... by adding under X, in alphabetical order, entries for ... to read as follows:")',
  N5: 'new wording, one numbered instruction and REGTEXT per action, each with its own table',
  N6: 'new removal-only ("Amend ... by removing under X the entry for "A" and under Y the entries for ...")',
};

function sortNames(names) {
  return [...names].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
}

/** Per-document wording context. */
export function makeContext(rng, era) {
  const old = era === 'old';
  const ctx = {
    rng,
    quote: { curly: rng.chance(0.5), inside: rng.chance(0.5) },
    casing: old ? (rng.chance(0.85) ? 'title' : 'upper') : rng.chance(0.85) ? 'upper' : 'title',
    variantP: rng.chance(0.5) ? 0.6 : 0,
    countStyle: rng.weighted({ word: 5, digit: 2, following: 2, 'following-digit': 1 }),
    supp: old
      ? rng.pick([
          'Supplement No. 4 to part 744',
          'Supplement No. 4 to Part 744',
          'Supplement no. 4 to part 744',
        ])
      : rng.pick(['supplement no. 4 to part 744', 'supplement No. 4 to part 744']),
    dropPeriodP: rng.chance(0.4) ? 0.5 : 0,
    destCache: new Map(),
    quoted: new Set(),
    destVariants: [],
  };
  return ctx;
}

function D(ctx, country) {
  if (!ctx.destCache.has(country)) {
    const variant = hasVariant(country) && ctx.rng.chance(ctx.variantP);
    const p = destPhrase(country, ctx.casing, variant, ctx.rng);
    ctx.destCache.set(country, p);
    if (variant) ctx.destVariants.push({ country, phrase: p });
  }
  return ctx.destCache.get(country);
}

function Q(ctx, names) {
  for (const n of names) ctx.quoted.add(n);
  // Instructions do not always keep a name's final period ("Ltd" for "Ltd.").
  const printed = names.map((n) =>
    /[^.]\.$/.test(n) && ctx.rng.chance(ctx.dropPeriodP) ? n.slice(0, -1) : n,
  );
  return quoteList(printed, ctx.quote);
}

function entryFor(ctx, names) {
  return names.length === 1 ? `an entry for ${Q(ctx, names)}` : `entries for ${Q(ctx, names)}`;
}
function theEntryFor(ctx, names) {
  return names.length === 1 ? `the entry for ${Q(ctx, names)}` : `the entries for ${Q(ctx, names)}`;
}
function count(ctx, n) {
  return countPhrase(n, ctx.countStyle);
}

/**
 * Ends an item or sentence. A closing period after a quoted name goes inside the quotes in
 * American style (“JSC GOZ Obukhov Plant.”), and is not doubled after a name ending in one.
 */
function withEnd(ctx, text, end) {
  if (end !== '.') return text + end;
  const m = /(\.?)(["\u201d])$/.exec(text);
  if (!m) return `${text}.`;
  if (m[1]) return text;
  return ctx.quote.inside ? `${text.slice(0, -1)}.${m[2]}` : `${text}.`;
}

/** Punctuation for item i of n in a lettered list. */
function itemEnd(i, n) {
  if (i === n - 1) return '.';
  if (i === n - 2) return '; and';
  return ';';
}

/** The plan's actions as a flat list in the usual order: additions, revisions, removals. */
function actionsByKind(plan) {
  const out = [];
  for (const [c, es] of plan.adds) out.push({ kind: 'add', country: c, names: es.map((e) => e.name) });
  for (const [c, es] of plan.revises) out.push({ kind: 'revise', country: c, names: es.map((e) => e.name) });
  for (const [c, names] of plan.removes) out.push({ kind: 'remove', country: c, names });
  return out;
}

/** The plan's actions grouped per destination, destinations alphabetical. */
function actionsByDest(plan) {
  const dests = sortNames([
    ...new Set([...plan.adds.keys(), ...plan.revises.keys(), ...plan.removes.keys()]),
  ]);
  return dests.map((c) => ({
    country: c,
    acts: [
      plan.adds.has(c) && { kind: 'add', names: plan.adds.get(c).map((e) => e.name) },
      plan.revises.has(c) && { kind: 'revise', names: plan.revises.get(c).map((e) => e.name) },
      plan.removes.has(c) && { kind: 'remove', names: plan.removes.get(c) },
    ].filter(Boolean),
  }));
}

function closing(plan, rng) {
  const a = plan.adds.size > 0;
  const r = plan.revises.size > 0;
  if (!a && !r) return null;
  if (a && r)
    return rng.pick([
      'The additions and revisions read as follows:',
      'The additions and revisions read as follows:',
      'The additions and revisions to read as follows:',
    ]);
  if (a) return rng.pick(['The additions read as follows:', 'The additions to read as follows:']);
  return rng.pick(['The revisions read as follows:', 'The revised entries read as follows:']);
}

// ---------- old wordings ----------

function oldItem(ctx, act) {
  const { rng } = ctx;
  const d = D(ctx, act.country);
  const n = act.names.length;
  if (act.kind === 'add') {
    return rng.weighted({
      [`By adding under ${d}, in alphabetical order, ${count(ctx, n)}`]: 5,
      [`By adding, in alphabetical order, under ${d}, ${count(ctx, n)}`]: 1,
      [`By adding under the destination of ${d}, in alphabetical order, ${count(ctx, n)}`]: 1,
    });
  }
  const verb = act.kind === 'revise' ? 'revising' : 'removing';
  const form = rng.int(0, 2);
  if (form === 0) return `By ${verb} under ${d}, ${countPhrase(n, 'word')}, ${Q(ctx, act.names)}`;
  if (form === 1) return `By ${verb} under ${d} ${theEntryFor(ctx, act.names)}`;
  return `By ${verb} under ${d} the following ${n === 1 ? 'entity' : `${numberWord(n)} entities`}: ${Q(ctx, act.names)}`;
}

function lowerBy(s) {
  return s.replace(/^By /, 'by ');
}

export function renderInstructions(style, plan, ctx) {
  const { rng } = ctx;
  const allRows = plan.rows;
  switch (style) {
    case 'O1': {
      const [[c, es]] = [...plan.adds];
      const d = D(ctx, c);
      const body = rng.weighted({
        [`by adding under ${d}, in alphabetical order, ${count(ctx, es.length)}`]: 4,
        [`by adding, in alphabetical order, under ${d}, ${count(ctx, es.length)}`]: 1,
        [`by adding under the destination of ${d}, in alphabetical order, ${count(ctx, es.length)}`]: 1,
      });
      const tail = rng.pick([' to read as follows:', ', to read as follows:']);
      return [{ amdpars: [`2. ${ctx.supp} is amended ${body}${tail}`], rows: allRows }];
    }
    case 'O2': {
      const parts = [...plan.adds].map(
        ([c, es]) => `under ${D(ctx, c)}, in alphabetical order, ${count(ctx, es.length)}`,
      );
      let body;
      if (parts.length === 1) body = parts[0];
      else if (parts.length === 2) body = `${parts[0]}, and ${parts[1]}`;
      else body = `${parts.slice(0, -1).join('; ')}; and ${parts[parts.length - 1]}`;
      body = `adding ${body}`;
      if (plan.revises.size) {
        const revs = [...plan.revises].map(
          ([c, es]) =>
            `under ${D(ctx, c)}, ${countPhrase(es.length, 'word')}, ${Q(
              ctx,
              es.map((e) => e.name),
            )}`,
        );
        body += `, and by revising ${revs.join('; and ')}`;
      }
      return [{ amdpars: [`2. ${ctx.supp} is amended by ${body}, to read as follows:`], rows: allRows }];
    }
    case 'O3':
    case 'O3b': {
      const acts = actionsByKind(plan);
      if (acts.length === 1) {
        const text = `2. ${ctx.supp} is amended ${lowerBy(oldItem(ctx, acts[0]))}`;
        return [
          {
            amdpars: [allRows.length ? `${text} to read as follows:` : withEnd(ctx, text, '.')],
            rows: allRows.length ? allRows : null,
          },
        ];
      }
      const intro = rng.pick(['is amended:', 'is amended by:', 'is amended as follows:']);
      const bare = intro === 'is amended by:';
      const items = acts.map((a, i) => {
        let t = oldItem(ctx, a);
        if (bare) t = capFirst(t.replace(/^By /, ''));
        return withEnd(ctx, `${letter(i)}. ${t}`, itemEnd(i, acts.length));
      });
      const close = rng.chance(0.3) ? closing(plan, rng) : null;
      let amdpars;
      if (style === 'O3') amdpars = [`2. ${ctx.supp} ${intro}`, ...items];
      else amdpars = [`2. ${ctx.supp} ${intro} ${items.join(' ')}`];
      if (close) amdpars.push(close);
      return [{ amdpars, rows: allRows.length ? allRows : null }];
    }
    case 'O4': {
      const parts = [...plan.removes].map(
        ([c, names]) => `under ${D(ctx, c)}, ${countPhrase(names.length, 'word')}, ${Q(ctx, names)}`,
      );
      let body;
      if (parts.length === 1) body = parts[0];
      else body = `${parts.slice(0, -1).join('; ')}; and ${parts[parts.length - 1]}`;
      return [{ amdpars: [withEnd(ctx, `2. ${ctx.supp} is amended by removing ${body}`, '.')], rows: null }];
    }
    case 'O6': {
      const blocks = [];
      let n = 2;
      for (const act of actionsByKind(plan)) {
        const rows = allRows.filter((r) => r.country === act.country && act.names.includes(r.entry.name));
        const text = lowerBy(oldItem(ctx, act));
        if (act.kind === 'remove')
          blocks.push({ amdpars: [withEnd(ctx, `${n}. ${ctx.supp} is amended ${text}`, '.')], rows: null });
        else blocks.push({ amdpars: [`${n}. ${ctx.supp} is amended ${text} to read as follows:`], rows });
        n++;
      }
      return blocks;
    }
    case 'N1':
    case 'N1b': {
      const acts = actionsByKind(plan);
      if (acts.length === 1) {
        const a = acts[0];
        const d = D(ctx, a.country);
        let text;
        if (a.kind === 'add') text = `by adding under ${d}, in alphabetical order, ${entryFor(ctx, a.names)}`;
        else
          text = `by ${a.kind === 'revise' ? 'revising' : 'removing'} under ${d} ${theEntryFor(ctx, a.names)}`;
        text = `2. Amend ${ctx.supp} ${text}`;
        return [
          {
            amdpars: [allRows.length ? `${text} to read as follows:` : withEnd(ctx, text, '.')],
            rows: allRows.length ? allRows : null,
          },
        ];
      }
      const items = acts.map((a, i) =>
        withEnd(ctx, `${letter(i)}. ${newItem(ctx, a)}`, itemEnd(i, acts.length)),
      );
      const intro = `2. Amend ${ctx.supp} by:`;
      const amdpars = style === 'N1' ? [intro, ...items] : [`${intro} ${items.join(' ')}`];
      const close = closing(plan, rng);
      if (close) amdpars.push(close);
      return [{ amdpars, rows: allRows.length ? allRows : null }];
    }
    case 'N2':
    case 'N3': {
      const groups = actionsByDest(plan);
      const amdpars = [`2. Amend ${ctx.supp} by:`];
      groups.forEach((g, gi) => {
        const lastGroup = gi === groups.length - 1;
        const end = itemEnd(gi, groups.length);
        const d = D(ctx, g.country);
        if (g.acts.length === 1) {
          amdpars.push(
            withEnd(ctx, `${letter(gi)}. ${newItem(ctx, { ...g.acts[0], country: g.country })}`, end),
          );
          return;
        }
        if (style === 'N3') {
          const parts = g.acts.map((a) => newVerbPhrase(ctx, a));
          const joined =
            parts.length === 2
              ? `${parts[0]} and ${parts[1]}`
              : `${parts.slice(0, -1).join(', ')}, and ${parts.at(-1)}`;
          amdpars.push(withEnd(ctx, `${letter(gi)}. Under ${d}, ${joined}`, end));
          return;
        }
        const subs = g.acts.map((a, si) => {
          const subEnd =
            si === g.acts.length - 1 ? (lastGroup ? '.' : ';') : si === g.acts.length - 2 ? '; and' : ';';
          return withEnd(ctx, `${roman(si)}. ${capFirst(newVerbPhrase(ctx, a))}`, subEnd);
        });
        if (rng.chance(0.65)) {
          amdpars.push(`${letter(gi)}. Under ${d}:`, ...subs);
        } else {
          amdpars.push(`${letter(gi)}. Under ${d}: ${subs.join(' ')}`);
        }
      });
      const close = closing(plan, rng);
      if (close) amdpars.push(close);
      return [{ amdpars, rows: allRows.length ? allRows : null }];
    }
    case 'N4': {
      const [[c, es]] = [...plan.adds];
      const d = D(ctx, c);
      const names = es.map((e) => e.name);
      let body = rng.weighted({
        [`by adding under ${d}, in alphabetical order, ${entryFor(ctx, names)}`]: 4,
        [`by adding, in alphabetical order, under ${d}, ${entryFor(ctx, names)}`]: 1,
      });
      if (plan.revises.size) {
        const rnames = plan.revises.get(c).map((e) => e.name);
        body += `, and by revising ${theEntryFor(ctx, rnames)}`;
      }
      return [{ amdpars: [`2. Amend ${ctx.supp} ${body} to read as follows:`], rows: allRows }];
    }
    case 'N5': {
      const blocks = [];
      let n = 2;
      for (const act of actionsByKind(plan)) {
        const rows = allRows.filter((r) => r.country === act.country && act.names.includes(r.entry.name));
        const d = D(ctx, act.country);
        if (act.kind === 'add')
          blocks.push({
            amdpars: [
              `${n}. Amend ${ctx.supp} by adding under ${d}, in alphabetical order, ${entryFor(ctx, act.names)} to read as follows:`,
            ],
            rows,
          });
        else if (act.kind === 'revise')
          blocks.push({
            amdpars: [
              `${n}. Amend ${ctx.supp} by revising under ${d} ${theEntryFor(ctx, act.names)} to read as follows:`,
            ],
            rows,
          });
        else
          blocks.push({
            amdpars: [
              rng.chance(0.5)
                ? withEnd(
                    ctx,
                    `${n}. Amend ${ctx.supp} by removing under ${d} ${theEntryFor(ctx, act.names)}`,
                    '.',
                  )
                : `${n}. Amend ${ctx.supp} by removing ${theEntryFor(ctx, act.names)} under ${d}.`,
            ],
            rows: null,
          });
        n++;
      }
      return blocks;
    }
    case 'N6': {
      const parts = [...plan.removes].map(([c, names]) => `under ${D(ctx, c)} ${theEntryFor(ctx, names)}`);
      let body;
      if (parts.length === 1) body = parts[0];
      else if (parts.length === 2) body = `${parts[0]} and ${parts[1]}`;
      else body = `${parts.slice(0, -1).join('; ')}; and ${parts.at(-1)}`;
      return [{ amdpars: [withEnd(ctx, `2. Amend ${ctx.supp} by removing ${body}`, '.')], rows: null }];
    }
    default:
      throw new Error(`unknown style ${style}`);
  }
}

function newVerbPhrase(ctx, act) {
  const { rng } = ctx;
  if (act.kind === 'add')
    return rng.chance(0.8)
      ? `adding in alphabetical order ${entryFor(ctx, act.names)}`
      : `adding, in alphabetical order, ${entryFor(ctx, act.names)}`;
  if (act.kind === 'revise') return `revising ${theEntryFor(ctx, act.names)}`;
  return `removing ${theEntryFor(ctx, act.names)}`;
}

function newItem(ctx, act) {
  const d = D(ctx, act.country);
  if (act.kind === 'add' && ctx.rng.chance(0.15))
    return `By adding under ${d}, in alphabetical order, ${entryFor(ctx, act.names)}`;
  if (ctx.rng.chance(0.1)) return `Under ${d}, by ${newVerbPhrase(ctx, act)}`;
  return `Under ${d}, ${newVerbPhrase(ctx, act)}`;
}
