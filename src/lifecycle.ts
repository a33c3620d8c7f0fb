import type { Logger } from './observe/logger.js';

/**
 * What a process holds, in the order it took it. Each resource is acquired together with its
 * release; releasing walks the list back in reverse. A start that fails part-way releases what it
 * had already acquired and rethrows, so a process that cannot do its job holds nothing and exits
 * (graphile-worker's runner keeps its releasers the same way).
 */
export class Lifecycle {
  private readonly held: Array<[string, () => Promise<unknown>]> = [];
  private releasing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  /** Acquires one resource; its release (if any) runs when the lifecycle is released. */
  async acquire<T>(
    name: string,
    acquire: () => Promise<T> | T,
    release?: (resource: T) => Promise<unknown> | unknown,
  ): Promise<T> {
    if (this.releasing) throw new Error(`cannot acquire ${name}: the lifecycle is being released`);
    const resource = await acquire();
    if (release) this.held.push([name, async () => release(resource)]);
    return resource;
  }

  /**
   * Runs `start`; if it throws, releases whatever it had acquired (in reverse) before rethrowing
   * the start's own error.
   */
  async start<T>(start: (life: this) => Promise<T>): Promise<T> {
    try {
      return await start(this);
    } catch (err) {
      this.logger.debug(
        { err: err instanceof Error ? err.message : String(err) },
        'start failed: releasing what was acquired',
      );
      await this.release();
      throw err;
    }
  }

  /** Releases everything held, last acquired first; every release runs even when one fails. */
  release(): Promise<void> {
    this.releasing ??= runSteps(this.logger, this.held.splice(0).reverse());
    return this.releasing;
  }
}

/** Runs every shutdown step even when one fails: a failed step is logged and the rest go on. */
export async function runSteps(
  logger: Logger,
  steps: Array<[string, () => Promise<unknown>]>,
): Promise<void> {
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (err) {
      logger.error(
        { step: name, err: err instanceof Error ? err.message : String(err) },
        'shutdown step failed; going on',
      );
    }
  }
}
