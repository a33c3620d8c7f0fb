/**
 * What we remember about a URL to ask "has it changed?" next time: its validators and the body
 * they validate. A 304 answer then costs one small request and no parsing of a new body.
 */
export interface ConditionalEntry {
  etag?: string;
  lastModified?: string;
  body: Buffer;
  contentType?: string;
  /** When we stored it (ms since epoch), for diagnostics. */
  storedAt: number;
}

export interface ConditionalStore {
  get(url: string): Promise<ConditionalEntry | undefined>;
  set(url: string, entry: ConditionalEntry): Promise<void>;
  delete(url: string): Promise<void>;
}

/** In-process store, for tests and for one-shot commands. Bounded, oldest entries go first. */
export class MemoryConditionalStore implements ConditionalStore {
  private readonly map = new Map<string, ConditionalEntry>();

  constructor(private readonly maxEntries = 1000) {}

  async get(url: string): Promise<ConditionalEntry | undefined> {
    return this.map.get(url);
  }

  async set(url: string, entry: ConditionalEntry): Promise<void> {
    this.map.delete(url);
    this.map.set(url, entry);
    while (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.map.delete(oldest);
    }
  }

  async delete(url: string): Promise<void> {
    this.map.delete(url);
  }
}
