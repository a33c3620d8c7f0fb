import Fastify, { type FastifyInstance } from 'fastify';
import type { PipelineContext } from '../pipeline/context.js';
import { registerAdminRoutes } from './admin.js';
import { registerDocumentRoutes } from './documents.js';
import { installErrorHandling } from './errors.js';
import { registerExportRoutes } from './exports.js';
import { registerFeedRoutes } from './feed.js';
import { registerListRoutes } from './list.js';
import { registerApiDescription } from './openapi.js';
import { registerDataLossGuard } from './data-loss.js';

export { adminGuard } from './admin.js';

/**
 * The HTTP face of the service: the event feed, the list and its exports for screening services,
 * document status for everyone, and the admin API (subscriptions, dead letters, quarantine) behind
 * `Authorization: Bearer <ADMIN_TOKEN>`. Ops routes (/metrics, the dashboard) are registered by the
 * caller through `extend`.
 *
 * Order of set-up, each step one call: error handling; hooks that apply to every route (`hooks`,
 * e.g. a guard answering 503 while the service cannot serve); the OpenAPI generator (before any
 * route, so it sees them all); the routes; `extend`.
 */
export interface HttpServerOptions {
  ctx: PipelineContext;
  /** Whether the service is ready (Redis reachable, not shutting down). */
  ready: () => Promise<boolean>;
  /** Hooks or plugins for every route, registered before the routes (e.g. `app.addHook('onRequest', …)`). */
  hooks?: (app: FastifyInstance) => Promise<void> | void;
  /** Registers more routes (metrics, dashboard) before the server starts listening. */
  extend?: (app: FastifyInstance) => Promise<void> | void;
}

export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const { ctx } = options;
  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  // Response schemas describe (for the OpenAPI document); they do not filter what is sent.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installErrorHandling(app, ctx.logger, { storeConnected: () => ctx.redis.status === 'ready' });
  recordRoutes(app);
  // While Redis has lost the deployment's data, /readyz and /v1 answer 503 (see http/data-loss.ts).
  registerDataLossGuard(app, { deployment: () => ctx.deployment });
  if (options.hooks) await options.hooks(app);
  await registerApiDescription(app);

  app.get(
    '/livez',
    {
      schema: {
        operationId: 'livez',
        tags: ['ops'],
        summary: 'The process is alive',
        response: {
          200: { description: 'alive', type: 'object', properties: { status: { type: 'string' } } },
        },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'readyz',
        tags: ['ops'],
        summary: 'Ready: Redis reachable and not shutting down',
        response: {
          200: { description: 'ready', type: 'object', additionalProperties: true },
          503: { description: 'not ready', type: 'object', additionalProperties: true },
        },
      },
    },
    async (_req, reply) => {
      const ok = await options.ready().catch(() => false);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready' });
    },
  );

  registerFeedRoutes(app, ctx);
  registerListRoutes(app, ctx);
  registerExportRoutes(app, ctx);
  registerDocumentRoutes(app, ctx);
  registerAdminRoutes(app, ctx);

  if (options.extend) await options.extend(app);
  return app;
}

const ROUTES = new WeakMap<FastifyInstance, Array<{ method: string; url: string }>>();

function recordRoutes(app: FastifyInstance): void {
  const list: Array<{ method: string; url: string }> = [];
  ROUTES.set(app, list);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) list.push({ method, url: route.url ?? route.path });
  });
}

/** Every route registered on a server made by `createHttpServer` (HEAD routes included). */
export function registeredRoutes(app: FastifyInstance): ReadonlyArray<{ method: string; url: string }> {
  return ROUTES.get(app) ?? [];
}
