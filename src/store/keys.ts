/**
 * Every Redis key the service uses, under one prefix that carries a Redis Cluster hash tag
 * (`{fedreg}` by default): all keys land in one slot, so the Lua scripts and MULTI blocks that
 * touch several of them work on a cluster too. BullMQ queues use the same prefix.
 */
export interface Keys {
  prefix: string;
  /** HASH entry key → ListedEntry JSON: the current state of the list. */
  stateEntries: string;
  /** HASH asOf, version, baselineAsOf, importedAt, lastDocument. */
  stateMeta: string;
  /** STRING: the imported snapshot, JSON (the start of history for `?asOf=`). */
  baseline: string;
  /** STREAM: the event log, in order of application. Field `e` holds the event JSON. */
  events: string;
  /** HASH event id → stream id: de-duplication and lookup by id. */
  eventIds: string;
  /** HASH: one document's record (status, facts, extraction, events, error). */
  doc(number: string): string;
  /** ZSET document number, scored by publication order: documents seen and not yet applied. */
  docsPending: string;
  /** ZSET document number → publication day (epoch days): every document seen. */
  docsAll: string;
  /** SET of quarantined document numbers. */
  docsQuarantined: string;
  /** SET of subscription ids. */
  subscriptions: string;
  /** HASH: one subscription's fields (with its secrets); each field changes on its own, atomically. */
  subscription(id: string): string;
  /** STRING: the stream id up to which events have been fanned out to deliveries. */
  fanoutCursor: string;
  /**
   * LIST: dead-lettered deliveries (JSON), newest first: the layout before the index below, read
   * only to move its letters into the index (store/dead-letters.ts).
   */
  legacyDeadLetters: string;
  /** HASH letter id → dead letter JSON. */
  deadLetterRecords: string;
  /** ZSET `<id>|<subscription id>` scored by the letter's number: every dead letter, oldest first. */
  deadLettersByTime: string;
  /** ZSET `<subscription id>|<id>`, scores 0: each subscription's letters, a range in text order. */
  deadLettersBySubscription: string;
  /** STRING: the counter that numbers dead letters. */
  deadLetterSeq: string;
  /** HASH source → JSON of its last accepted snapshot facts (asOf, counts). */
  sourceState: string;
  /** STRING: a source's last accepted snapshot JSON. */
  sourceSnapshot(source: string): string;
  /** STRING: a source's snapshot held by the mass-change circuit breaker, JSON. */
  sourceHeld(source: string): string;
  /** HASH: public inspection tracker state. */
  publicInspection: string;
  /** Prefix handed to the FR client for its cursor, conditional-request cache and the like. */
  federalRegister: string;
  /** HASH: the deployment marker (epoch, loss, recovery): see store/deployment.ts. */
  deployment: string;
  /** STRING with a TTL: a subscription's rotated-out secret, gone when its grace period ends. */
  previousSecret(id: string): string;
}

export function createKeys(prefix: string): Keys {
  const k = (suffix: string): string => `${prefix}:${suffix}`;
  return {
    prefix,
    stateEntries: k('state:entries'),
    stateMeta: k('state:meta'),
    baseline: k('state:baseline'),
    events: k('events'),
    eventIds: k('events:ids'),
    doc: (number) => k(`doc:${number}`),
    docsPending: k('docs:pending'),
    docsAll: k('docs:all'),
    docsQuarantined: k('docs:quarantined'),
    subscriptions: k('subscriptions'),
    subscription: (id) => k(`subscription:${id}`),
    fanoutCursor: k('fanout:cursor'),
    legacyDeadLetters: k('deliveries:dead'),
    deadLetterRecords: k('deliveries:dead:letters'),
    deadLettersByTime: k('deliveries:dead:by-time'),
    deadLettersBySubscription: k('deliveries:dead:by-subscription'),
    deadLetterSeq: k('deliveries:dead:seq'),
    sourceState: k('sources'),
    sourceSnapshot: (source) => k(`sources:${source}:snapshot`),
    sourceHeld: (source) => k(`sources:${source}:held`),
    publicInspection: k('pi'),
    federalRegister: k('fr:'),
    deployment: k('deployment'),
    previousSecret: (id) => k(`subscription:${id}:previous-secret`),
  };
}
