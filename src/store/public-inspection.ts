import type { ProvisionalReading } from '../entity-list/provisional.js';
import { AppError } from '../errors.js';
import {
  emptyPublicInspectionState,
  type PublicInspectionState,
} from '../federal-register/public-inspection.js';
import { decodeOptional, isObject, type Shape } from './codec.js';
import { hasHashTag } from './cursor.js';
import type { RedisClient } from './redis.js';

const isState: Shape<PublicInspectionState> = function PublicInspectionState(v): v is PublicInspectionState {
  return isObject(v) && v.version === 1 && isObject(v.filings);
};
const isReading: Shape<ProvisionalReading> = function ProvisionalReading(v): v is ProvisionalReading {
  return isObject(v) && Array.isArray(v.changes) && Array.isArray(v.unnamed);
};

/**
 * The public inspection tracker's state in Redis: one JSON string at `<prefix>pi:state`. The
 * tracker is pure; this is the edge that loads and saves it. One poller owns the key (the poll
 * job is a singleton), so a plain GET/SET is enough. Beside it, `<prefix>pi:provisional`: the
 * provisional changes read from each filing's inspection copy, by document number, until the
 * filing is published or withdrawn.
 */
export class PublicInspectionStore {
  readonly key: string;
  readonly provisionalKey: string;

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
    this.provisionalKey = `${options.prefix}pi:provisional`;
  }

  async load(): Promise<PublicInspectionState> {
    return decodeOptional(await this.redis.get(this.key), this.key, isState) ?? emptyPublicInspectionState();
  }

  async save(state: PublicInspectionState): Promise<void> {
    await this.redis.set(this.key, JSON.stringify(state));
  }

  async clear(): Promise<void> {
    await this.redis.del(this.key);
  }

  /** Keeps what a filing's inspection copy announces, until the filing settles. */
  async saveProvisional(documentNumber: string, reading: ProvisionalReading): Promise<void> {
    await this.redis.hset(this.provisionalKey, documentNumber, JSON.stringify(reading));
  }

  async provisional(documentNumber: string): Promise<ProvisionalReading | undefined> {
    const raw = await this.redis.hget(this.provisionalKey, documentNumber);
    return decodeOptional(raw, { key: this.provisionalKey, field: documentNumber }, isReading);
  }

  /** Forgets the readings of filings that were published or withdrawn. */
  async settle(documentNumbers: readonly string[]): Promise<void> {
    if (documentNumbers.length > 0) await this.redis.hdel(this.provisionalKey, ...documentNumbers);
  }
}
