import { evaluateDiff } from '../entity-list/circuit-breaker.js';
import {
  CSL_ENTITY_LIST_URL,
  diffSnapshots,
  ECFR_SUPPLEMENT_4_URL,
  wordChanges,
} from '../entity-list/diff.js';
import { listingKeys } from '../entity-list/listings.js';
import type { Snapshot } from '../entity-list/types.js';
import { AppError } from '../errors.js';
import { driftEvent, sourceEditorialEvents } from '../events/builders.js';
import { addDays, utcDate } from '../federal-register/dates.js';
import type { SnapshotSource } from '../queues/index.js';
import { comparableWithCsl } from '../sources/csl.js';
import type { HeldSnapshot } from '../store/sources.js';
import { fetchCslEntityList, fetchEcfrEntityList } from '../sources/fetch.js';
import type { PipelineContext } from './context.js';

/**
 * Commerce's own lists, eCFR Supplement No. 4 and the Consolidated Screening List, read whole.
 * They are not a source of changes (the Federal Register is); they check our state. A new list
 * is first compared with the previous one from the same source: a feed failure looks like a mass
 * removal (the CSL lost some 15,000 rows for a day in May 2024), so a diff past the circuit
 * breaker's limits is held, reported as an anomaly, and reaches nobody until an operator releases
 * it. An accepted list is then reconciled with the derived state: disagreements become a drift
 * event, with how many days the source lags behind the Federal Register.
 *
 * Both comparisons are of words. eCFR re-renders rows without changing them (periods, line breaks:
 * some 580 rows of part 744 between March and July 2026), and the CSL spells the same rows its own
 * way; such editorial differences are counted (`fedreg_editorial_differences_total`), never drift
 * and never a revision. A new version of a source list that changes rows editorially is reported
 * row by row as opt-in `entry.editorial` events, for the subscribers who ask for that type by name.
 */
export const SOURCE_URIS: Record<SnapshotSource, string> = {
  ecfr: ECFR_SUPPLEMENT_4_URL,
  csl: CSL_ENTITY_LIST_URL,
};

export type { HeldSnapshot } from '../store/sources.js';

export type SnapshotOutcome = 'accepted' | 'held';

async function fetchSnapshot(
  ctx: PipelineContext,
  source: SnapshotSource,
  signal: AbortSignal,
): Promise<Snapshot> {
  const today = utcDate(ctx.sourceNow());
  if (source === 'ecfr') {
    // The eCFR versioner publishes a day's text a day or so later. The names the state holds tell
    // the parser where a name with a comma in it ends ("Kish Airlines, Headquarters").
    const known = (await ctx.state.isInitialised())
      ? (await ctx.state.read()).snapshot.entries.map((e) => e.name)
      : [];
    const { snapshot } = await fetchEcfrEntityList(ctx.sources.fetcher, {
      date: addDays(today, -1),
      signal,
      budget: ctx.sources.budget,
      baseUrl: ctx.config.ecfrBaseUrl,
      knownNames: known,
    });
    return snapshot;
  }
  const { snapshot } = await fetchCslEntityList(ctx.sources.fetcher, {
    asOf: today,
    signal,
    budget: ctx.sources.budget,
    url: ctx.config.cslUrl,
  });
  return snapshot;
}

/**
 * A first run with no imported state: take eCFR's Supplement No. 4 as of yesterday as the state
 * (polling then starts the day after), rather than wait for an operator. Only when no state
 * exists; an imported snapshot always wins.
 */
export async function seedStateFromEcfr(ctx: PipelineContext, signal: AbortSignal): Promise<Snapshot> {
  const snapshot = await fetchSnapshot(ctx, 'ecfr', signal);
  // Another process may have seeded (or an operator imported) while this one fetched.
  if ((await ctx.sourceLists.claimSeeding(ctx.now())) && !(await ctx.state.isInitialised())) {
    await ctx.state.importBaseline(snapshot, { now: ctx.now() });
    await ctx.sourceLists.setSnapshot('ecfr', snapshot);
    ctx.logger.warn(
      { asOf: snapshot.asOf, entries: snapshot.entries.length },
      'no Entity List state was imported: seeded it from eCFR Supplement No. 4; import a snapshot of your own with `fedreg-watch state import` to replace it',
    );
    // The real list names a few parties twice under one destination: kept apart, said once.
    const { shared } = listingKeys(snapshot.entries);
    if (shared.length > 0) {
      ctx.logger.warn(
        { names: shared.map((g) => g.key), listings: shared.reduce((n, g) => n + g.listings.length, 0) },
        'the seeded list names some parties more than once under one destination; every listing is kept under a key of its own',
      );
    }
  }
  return snapshot;
}

export async function pollSnapshotSource(
  ctx: PipelineContext,
  source: SnapshotSource,
  signal: AbortSignal,
): Promise<SnapshotOutcome> {
  const snapshot = await fetchSnapshot(ctx, source, signal);
  const outcome = await considerSnapshot(ctx, source, snapshot);
  ctx.observer.emit('poll.succeeded', { source, at: ctx.now(), documents: snapshot.entries.length });
  return outcome;
}

/** The circuit breaker's gate: accept the list, or hold it with an anomaly. */
export async function considerSnapshot(
  ctx: PipelineContext,
  source: SnapshotSource,
  snapshot: Snapshot,
): Promise<SnapshotOutcome> {
  const previous = await ctx.sourceLists.snapshot(source);
  // The first list of a source is weighed against our own state.
  const prior = previous ?? (await derivedState(ctx));
  const diff = diffSnapshots(prior, snapshot, { source: SOURCE_URIS[source] });
  const verdict = evaluateDiff(diff, prior, {
    maxRemovedFraction: ctx.config.massChange.maxRemovalRatio,
    maxRemoved: ctx.config.massChange.maxRemovals,
  });
  if (verdict.held) {
    const held: HeldSnapshot = {
      snapshot,
      heldAt: new Date(ctx.now()).toISOString(),
      removals: diff.counts.removed,
      ...(verdict.anomaly ? { anomalyId: verdict.anomaly.id } : {}),
    };
    await ctx.sourceLists.hold(source, held);
    if (verdict.anomaly) await append(ctx, [verdict.anomaly]);
    ctx.observer.emit('diff.held', { source, removals: diff.counts.removed, listSize: prior.entries.length });
    ctx.logger.warn(
      { source, removals: diff.counts.removed, listSize: prior.entries.length },
      'snapshot held by the circuit breaker',
    );
    return 'held';
  }
  if (diff.counts.editorial > 0) {
    ctx.observer.emit('diff.editorial', { source, differences: diff.counts.editorial, against: 'previous' });
    // Only between two versions of the source's own list: against our state it is reconciliation's.
    if (previous) await append(ctx, sourceEditorialEvents(diff));
  }
  await accept(ctx, source, snapshot);
  return 'accepted';
}

async function accept(ctx: PipelineContext, source: SnapshotSource, snapshot: Snapshot): Promise<void> {
  await ctx.sourceLists.accept(source, snapshot, new Date(ctx.now()).toISOString());
  await ctx.queues.reconcile.add('reconcile', { v: 1, source });
}

/** An operator's release of a held list: it is accepted as if it had passed. */
export async function releaseHeld(ctx: PipelineContext, source: SnapshotSource): Promise<boolean> {
  const held = await ctx.sourceLists.held(source);
  if (!held) return false;
  await accept(ctx, source, held.snapshot);
  ctx.observer.emit('diff.released', { source });
  ctx.logger.info({ source }, 'held snapshot released by an operator');
  return true;
}

export async function heldSnapshot(
  ctx: PipelineContext,
  source: SnapshotSource,
): Promise<HeldSnapshot | undefined> {
  return ctx.sourceLists.held(source);
}

/** Compares the derived state with the source's accepted list; logs a drift event when they differ. */
export async function reconcile(ctx: PipelineContext, source: SnapshotSource): Promise<number> {
  const listed = await ctx.sourceLists.snapshot(source);
  if (!listed) return 0;
  const state = await derivedState(ctx);
  // The CSL names countries, not destinations, and carries no footnotes: see comparableWithCsl.
  const { reference, snapshot } =
    source === 'csl' ? comparableWithCsl(state, listed) : { reference: state, snapshot: listed };
  const diff = diffSnapshots(reference, snapshot, { source: SOURCE_URIS[source] });
  if (diff.counts.editorial > 0) {
    ctx.observer.emit('diff.editorial', { source, differences: diff.counts.editorial, against: 'state' });
  }
  const differences = wordChanges(diff).length;
  if (differences === 0) return 0;
  const event = driftEvent(diff);
  await append(ctx, [event]);
  ctx.observer.emit('drift', { source, differences });
  return differences;
}

async function derivedState(ctx: PipelineContext): Promise<Snapshot> {
  if (!(await ctx.state.isInitialised())) {
    throw new AppError('SNAPSHOT_INVALID', 'no state imported yet: nothing to compare the source list with');
  }
  return (await ctx.state.read()).snapshot;
}

async function append(
  ctx: PipelineContext,
  events: Parameters<PipelineContext['state']['appendEvents']>[0],
): Promise<void> {
  const appended = await ctx.state.appendEvents(events, {
    retentionMs: ctx.config.eventRetentionDays * 86_400_000,
    now: ctx.now(),
  });
  if (appended.length === 0) return;
  for (const e of events) {
    ctx.observer.emit('event.appended', { type: e.type, id: e.id });
    if (e.type === 'gov.bis.entitylist.anomaly') {
      ctx.observer.emit('anomaly', {
        code: (e.data as { code?: string }).code ?? 'unknown',
        source: e.source,
      });
    }
  }
  await ctx.queues.fanout.add('fanout', { v: 1 });
}
