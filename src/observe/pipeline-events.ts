import { EventEmitter } from 'node:events';
import type { Logger } from './logger.js';

/**
 * What the pipeline reports about itself, as typed events. Metrics, logs and tests subscribe to
 * the same stream, so a figure on a dashboard and an assertion in a test count the same thing.
 */
export interface PipelineEventMap {
  'poll.succeeded': { source: string; at: number; documents: number };
  'poll.failed': { source: string; code: string };
  'document.discovered': { documentNumber: string; via: string };
  'document.extracted': {
    documentNumber: string;
    changes: number;
    warnings: number;
    durationMs: number;
    isEntityListChange: boolean;
  };
  'document.applied': {
    documentNumber: string;
    publicationDate: string;
    appended: number;
    /** When the document was first seen by a poll (ms): the start of source → webhook latency. */
    discoveredAt: number;
  };
  'document.quarantined': { documentNumber: string; code: string };
  'event.appended': { type: string; id: string; sourceSeenAt?: number };
  'delivery.attempted': {
    subscriptionId: string;
    eventType: string;
    outcome: 'delivered' | 'retry' | 'gone' | 'forbidden' | 'skipped';
    durationMs: number;
    status?: number;
    /** For a first successful delivery: ms from the document's discovery to the receiver's 2xx. */
    sourceToWebhookMs?: number;
  };
  'delivery.dead-lettered': { subscriptionId: string; eventId: string; reason: string };
  'subscription.disabled': { subscriptionId: string; reason: string };
  anomaly: { code: string; source: string };
  'diff.held': { source: string; removals: number; listSize: number };
  'diff.released': { source: string };
  drift: { source: string; differences: number };
  /**
   * Differences of punctuation, spacing, line breaks, markup or case only (the same words) between a
   * source list and its previous version, or our state: counted, never drift, never a revision.
   */
  'diff.editorial': { source: string; differences: number; against: 'previous' | 'state' };
  /** Redis lost the deployment's data (see store/deployment.ts); work stops until `recover`. */
  'redis.data-lost': { reason: string };
  /** An operator recovered the store: work resumes. */
  'redis.data-restored': { epoch: string };
  /** What the start-up check of the Redis configuration found (codes of store/durability.ts). */
  'redis.durability': { problems: string[] };
  /** A job scheduler was found missing and created again. */
  'scheduler.recreated': { scheduler: string };
}

export type PipelineEventName = keyof PipelineEventMap;

/** Where a listener's error goes: it is reported, and the pipeline step that emitted goes on. */
export type ListenerErrorReporter = (err: unknown, event: PipelineEventName) => void;

export class PipelineObserver {
  private readonly emitter = new EventEmitter();
  private reportListenerError: ListenerErrorReporter | undefined;

  constructor(options: { logger?: Pick<Logger, 'error'> } = {}) {
    this.emitter.setMaxListeners(100);
    if (options.logger) this.logListenerErrorsTo(options.logger);
  }

  /** Logs listeners' errors with this logger, unless the observer already logs them elsewhere. */
  logListenerErrorsTo(logger: Pick<Logger, 'error'>): void {
    this.reportListenerError ??= (err, event) =>
      logger.error(
        { event, err: err instanceof Error ? err.message : String(err) },
        'a pipeline event listener failed; the pipeline goes on',
      );
  }

  emit<K extends PipelineEventName>(name: K, payload: PipelineEventMap[K]): void {
    // An observer's bug must never fail the pipeline step that reported, nor keep the other
    // listeners from hearing the event: each listener runs on its own, its error reported.
    for (const listener of this.emitter.rawListeners(name)) {
      try {
        (listener as (payload: PipelineEventMap[K]) => void)(payload);
      } catch (err) {
        this.listenerFailed(err, name);
      }
    }
  }

  on<K extends PipelineEventName>(name: K, listener: (payload: PipelineEventMap[K]) => void): () => void {
    this.emitter.on(name, listener as (payload: unknown) => void);
    return () => this.emitter.off(name, listener as (payload: unknown) => void);
  }

  private listenerFailed(err: unknown, name: PipelineEventName): void {
    if (this.reportListenerError) {
      try {
        this.reportListenerError(err, name);
        return;
      } catch {
        // A logger that throws: fall through to Node's own warning channel.
      }
    }
    process.emitWarning(
      `pipeline event listener for "${name}" failed: ${err instanceof Error ? err.message : String(err)}`,
      'PipelineListenerWarning',
    );
  }
}
