import type { RedisClient } from './redis.js';

/**
 * Whether the Redis under the service keeps what it is given: read from its configuration at
 * start. A Redis that writes nothing to disk (`appendonly no` and no `save` points) loses every
 * event, subscription and job at a restart; one whose `maxmemory-policy` is not `noeviction` may
 * drop keys (a job, a state entry, the deployment marker) when memory runs short. A managed Redis
 * may forbid CONFIG: then it could not be checked, which is said, and the service runs.
 */
export type DurabilityProblemCode = 'no-persistence' | 'may-evict' | 'unchecked';

export interface DurabilityProblem {
  code: DurabilityProblemCode;
  message: string;
}

export interface DurabilityReport {
  appendonly?: string;
  save?: string;
  maxmemoryPolicy?: string;
  maxmemory?: string;
  problems: DurabilityProblem[];
}

/** The judgement of a Redis configuration, pure. */
export function durabilityProblems(cfg: {
  appendonly: string;
  save: string;
  maxmemoryPolicy: string;
  maxmemory?: string;
}): DurabilityProblem[] {
  const problems: DurabilityProblem[] = [];
  if (cfg.appendonly.toLowerCase() !== 'yes' && cfg.save.trim() === '') {
    problems.push({
      code: 'no-persistence',
      message:
        'Redis keeps nothing on disk (appendonly no, save ""): a restart or a failover to an empty replica loses every event, subscription, job and the state; turn on persistence with `appendonly yes` (see README, "Redis durability")',
    });
  }
  if (cfg.maxmemoryPolicy.toLowerCase() !== 'noeviction') {
    problems.push({
      code: 'may-evict',
      message: `Redis may evict keys (maxmemory-policy ${cfg.maxmemoryPolicy}${cfg.maxmemory !== undefined ? `, maxmemory ${cfg.maxmemory}` : ''}): under memory pressure it drops jobs, state or the deployment marker; set \`maxmemory-policy noeviction\``,
    });
  }
  return problems;
}

/**
 * Reads `appendonly`, `save` and `maxmemory-policy` with CONFIG GET and judges them. On a cluster
 * every primary is asked (a command would reach one node at random) and the problems of all are
 * reported, each once.
 */
export async function checkDurability(redis: RedisClient): Promise<DurabilityReport> {
  if (!('nodes' in redis)) return checkServer(redis);
  const reports = await Promise.all(redis.nodes('master').map((node) => checkServer(node)));
  const first = reports[0];
  if (!first) return checkServer(redis);
  const problems = new Map<string, DurabilityProblem>();
  for (const report of reports)
    for (const p of report.problems) if (!problems.has(p.code)) problems.set(p.code, p);
  return { ...first, problems: [...problems.values()] };
}

async function checkServer(redis: RedisClient): Promise<DurabilityReport> {
  try {
    const read = async (name: string): Promise<string> => {
      const reply = (await redis.call('CONFIG', 'GET', name)) as string[];
      const at = reply.findIndex((v, i) => i % 2 === 0 && v.toLowerCase() === name);
      if (at < 0 || reply[at + 1] === undefined) throw new Error(`CONFIG GET ${name} answered nothing`);
      return reply[at + 1]!;
    };
    const [appendonly, save, maxmemoryPolicy, maxmemory] = await Promise.all([
      read('appendonly'),
      read('save'),
      read('maxmemory-policy'),
      read('maxmemory'),
    ]);
    return {
      appendonly,
      save,
      maxmemoryPolicy,
      maxmemory,
      problems: durabilityProblems({ appendonly, save, maxmemoryPolicy, maxmemory }),
    };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      problems: [
        {
          code: 'unchecked',
          message: `could not read the Redis configuration (${why}), so whether it persists data (appendonly, save) and never evicts (maxmemory-policy noeviction) is unchecked; make sure it does`,
        },
      ],
    };
  }
}
