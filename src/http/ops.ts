import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { Metrics } from '../observe/metrics.js';
import type { DeploymentGuard } from '../store/deployment-guard.js';
import { registerDataLossGuard } from './data-loss.js';
import { adminGuard } from './admin.js';

/**
 * Ops routes, registered through `createHttpServer({ extend })`: `GET /metrics` for Prometheus and
 * the bull-board queue dashboard behind the admin token. `/livez` and `/readyz` live in server.ts.
 */
export interface OpsRoutesOptions {
  metrics: Pick<Metrics, 'render'>;
  /** The queues the dashboard shows: every queue of the pipeline. */
  queues: Readonly<Record<string, Queue>>;
  /** Undefined: the dashboard refuses every request, like the admin API. */
  adminToken: string | undefined;
  /** Where the dashboard is served (default `/admin/queues`). */
  basePath?: string;
  /**
   * Show jobs without the retry, promote, clean and remove buttons (default false; the service
   * passes `DASHBOARD_READ_ONLY`, which is true by default in production).
   */
  readOnly?: boolean;
}

export async function registerOpsRoutes(app: FastifyInstance, options: OpsRoutesOptions): Promise<void> {
  const basePath = normaliseBasePath(options.basePath ?? '/admin/queues');

  // Prometheus scrapes without credentials; the figures carry no secrets (see docs/operations.md).
  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await options.metrics.render();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: Object.values(options.queues).map(
      (q) => new BullMQAdapter(q, { readOnlyMode: options.readOnly ?? false }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'fedreg-watch' } },
  });

  // An encapsulated scope: the guard covers the dashboard's page, its API and its static files,
  // and nothing else of the server.
  await app.register(async (scope) => {
    scope.addHook('preHandler', dashboardGuard(options.adminToken));
    scope.addHook('onSend', async (_req, reply, payload) => {
      // No other site may frame the dashboard (clickjacking its buttons with the operator's credentials).
      reply.header('content-security-policy', "frame-ancestors 'none'");
      reply.header('x-frame-options', 'DENY');
      // Browsers prompt for credentials only when offered Basic.
      if (reply.statusCode === 401)
        reply.header('www-authenticate', 'Basic realm="fedreg-watch admin", Bearer');
      return payload;
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: basePath });
  });
}

/**
 * The admin API's bearer-token check, also taking the token as the password of HTTP Basic
 * credentials (any user name): a browser opening the dashboard can send only those.
 */
function dashboardGuard(token: string | undefined) {
  const guard = adminGuard(token);
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (basic !== undefined) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const password = decoded.slice(decoded.indexOf(':') + 1);
      req.headers.authorization = `Bearer ${password}`;
    }
    await guard(req, reply);
  };
}

function normaliseBasePath(path: string): string {
  const trimmed = `/${path.replace(/^\/+|\/+$/g, '')}`;
  if (trimmed === '/') {
    throw new AppError(
      'CONFIG_INVALID',
      `registerOpsRoutes: basePath "${path}" would put the dashboard over the whole API; use a path such as /admin/queues`,
    );
  }
  return trimmed;
}

/**
 * For a process without the `http` role (a `deliver` or `document` worker scaled out on its own):
 * just `/livez`, `/readyz` and `/metrics`, so Prometheus scrapes the pipeline counters of the work
 * that process does. No API, no dashboard.
 */
export function createOpsServer(options: {
  metrics: Pick<Metrics, 'render'>;
  ready: () => Promise<boolean>;
  /** Makes /readyz say 503 "data lost" after a loss, and carry the Redis durability warnings. */
  deployment?: DeploymentGuard;
}): FastifyInstance {
  const app = Fastify({ logger: false });
  const { deployment } = options;
  if (deployment) registerDataLossGuard(app, { deployment: () => deployment });
  app.get('/livez', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ok = await options.ready().catch(() => false);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready' });
  });
  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await options.metrics.render();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
  return app;
}
