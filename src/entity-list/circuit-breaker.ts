/**
 * Mass-change circuit breaker. A broken feed looks like a mass removal (the CSL lost some 15,000 rows
 * for a day in May 2024), and emitting that would tell every subscriber that thousands of parties
 * are no longer restricted. So a diff that removes too much is held instead of emitted, and reported
 * as an anomaly with its counts. Keeping it held until someone releases it is the pipeline's job;
 * this is only the decision.
 */
import { anomalyEvent, snapshotOrigin } from '../events/builders.js';
import type { AnomalyEvent, MassChangeData } from '../events/types.js';
import type { SnapshotDiff } from './diff.js';
import type { Snapshot } from './types.js';

export interface MassChangeThresholds {
  /** Hold when removals exceed this fraction of the prior list (0.05 = more than 5%). */
  maxRemovedFraction: number;
  /** Hold when removals exceed this many entries. */
  maxRemoved: number;
}

export const DEFAULT_MASS_CHANGE_THRESHOLDS: Readonly<MassChangeThresholds> = Object.freeze({
  maxRemovedFraction: 0.05,
  maxRemoved: 50,
});

export interface DiffVerdict {
  held: boolean;
  /** Present when held: the anomaly event to report (it is emitted even though the diff is not). */
  anomaly?: AnomalyEvent;
  massChange: MassChangeData;
}

export function evaluateDiff(
  diff: Pick<SnapshotDiff, 'source' | 'fromAsOf' | 'toAsOf' | 'counts'>,
  prior: Pick<Snapshot, 'entries'>,
  thresholds: MassChangeThresholds = DEFAULT_MASS_CHANGE_THRESHOLDS,
): DiffVerdict {
  const priorSize = prior.entries.length;
  const { added, revised, removed } = diff.counts;
  const removedFraction = priorSize === 0 ? 0 : removed / priorSize;
  const massChange: MassChangeData = {
    priorSize,
    added,
    revised,
    removed,
    removedFraction: Math.round(removedFraction * 10000) / 10000,
    thresholds: { maxRemovedFraction: thresholds.maxRemovedFraction, maxRemoved: thresholds.maxRemoved },
  };
  const tooMany = removed > thresholds.maxRemoved;
  const tooLarge = removedFraction > thresholds.maxRemovedFraction;
  if (!tooMany && !tooLarge) return { held: false, massChange };

  const percent = (removedFraction * 100).toFixed(1);
  const limits = `more than ${thresholds.maxRemoved} entries or ${thresholds.maxRemovedFraction * 100}% of the list`;
  const anomaly = anomalyEvent(snapshotOrigin(diff.source, diff.fromAsOf, diff.toAsOf), {
    code: 'EL_MASS_CHANGE_HELD',
    message: `${diff.source} as of ${diff.toAsOf} removes ${removed} of ${priorSize} entries (${percent}%; also ${added} added, ${revised} revised), past the limit of ${limits}; the diff is held, not emitted, until released`,
    applied: false,
    massChange,
  });
  return { held: true, anomaly, massChange };
}
