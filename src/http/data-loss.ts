import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DeploymentGuard } from '../store/deployment-guard.js';

/**
 * The HTTP face of a data loss (store/deployment.ts): while Redis has lost the deployment's data,
 * `/readyz` and every `/v1/` route answer 503 with the reason, rather than "ready", an empty feed
 * page or "no state imported" — and nothing is written into the emptied store through the API.
 * Otherwise `/readyz` carries what the start-up check found wrong with the Redis configuration.
 * Hooks on the root instance: register it first, so they cover every route.
 */
export interface DataLossOptions {
  /** Read at request time, not at registration (`fedreg-watch openapi` builds routes with no store). */
  deployment: () => DeploymentGuard;
}

export const RECOVER_HINT =
  'an operator must run `fedreg-watch recover` (see README, "When Redis loses its data")';

export function registerDataLossGuard(app: FastifyInstance, options: DataLossOptions): void {
  const guarded = (url: string): boolean => {
    const path = url.split('?', 1)[0] ?? '';
    return path === '/readyz' || path.startsWith('/v1/') || path === '/v1';
  };

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!guarded(req.url)) return;
    // A Redis that does not answer is not a loss: the route answers for itself.
    const deployment = options.deployment();
    const status = await deployment.check().catch(() => deployment.status());
    if (status.kind !== 'lost') return;
    const body = {
      status: 'not ready',
      reason: 'data lost',
      detail: status.reason,
      lostAt: status.detectedAt,
      action: RECOVER_HINT,
      error: { code: 'REDIS_DATA_LOST', message: `Redis lost this deployment's data: ${RECOVER_HINT}` },
    };
    return reply.code(503).header('cache-control', 'no-store').send(body);
  });

  // Durability warnings ride along on a ready answer, so a probe or a person sees them.
  app.addHook('onSend', async (req, reply, payload) => {
    const problems = options.deployment().durability?.problems ?? [];
    if (problems.length === 0 || reply.statusCode >= 300 || (req.url.split('?', 1)[0] ?? '') !== '/readyz')
      return payload;
    if (typeof payload !== 'string') return payload;
    try {
      const body = JSON.parse(payload) as Record<string, unknown>;
      return JSON.stringify({
        ...body,
        warnings: problems.map((p) => ({ code: `redis-${p.code}`, message: p.message })),
      });
    } catch {
      return payload;
    }
  });
}
