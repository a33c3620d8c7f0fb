import type { RedisClient } from '../store/redis.js';
import { AppError } from '../errors.js';
import { hasHashTag } from './cursor.js';
import { emptyPublicInspectionState, type PublicInspectionState } from './public-inspection.js';

/**
 * The public inspection tracker's state in Redis: one JSON string at `<prefix>pi:state`. The
 * tracker is pure; this is the edge that loads and saves it. One poller owns the key (the poll
 * job is a singleton), so a plain GET/SET is enough.
 */
export class PublicInspectionStore {
  readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    options: { prefix: string },
  ) {
    if (!hasHashTag(options.prefix)) {
      throw new AppError(
        'CONFIG_INVALID',
        `public inspection key prefix ${JSON.stringify(options.prefix)} has no hash tag`,
        {
          context: { prefix: options.prefix },
        },
      );
    }
    this.key = `${options.prefix}pi:state`;
  }

  async load(): Promise<PublicInspectionState> {
    const raw = await this.redis.get(this.key);
    if (!raw) return emptyPublicInspectionState();
    try {
      const parsed = JSON.parse(raw) as PublicInspectionState;
      if (parsed.version !== 1 || typeof parsed.filings !== 'object' || parsed.filings === null)
        throw new Error('bad shape');
      return parsed;
    } catch (err) {
      throw new AppError(
        'SNAPSHOT_INVALID',
        `public inspection state at ${this.key} is not readable (${(err as Error).message})`,
        {
          cause: err,
          context: { key: this.key },
        },
      );
    }
  }

  async save(state: PublicInspectionState): Promise<void> {
    await this.redis.set(this.key, JSON.stringify(state));
  }

  async clear(): Promise<void> {
    await this.redis.del(this.key);
  }
}
