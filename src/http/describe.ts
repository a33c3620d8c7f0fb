/**
 * The OpenAPI document without a running service, for `fedreg-watch openapi`: the same server is
 * built (the same route registrations, the same schemas, the dashboard's routes included) over a
 * context that refuses to be used, and asked for its description. No Redis is touched.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Logger } from '../observe/logger.js';
import type { PipelineContext } from '../pipeline/context.js';
import { registerOpsRoutes } from './ops.js';
import { createHttpServer } from './server.js';

/** A context for building routes only: reading anything but config and logger is a bug. */
function describingContext(config: Readonly<Config>, logger: Logger): PipelineContext {
  return new Proxy({} as PipelineContext, {
    get(_target, prop) {
      if (prop === 'config') return config;
      if (prop === 'logger') return logger;
      throw new AppError('CONFIG_INVALID', `describing the API only: ctx.${String(prop)} is not available`);
    },
  });
}

export async function describeApi(
  config: Readonly<Config>,
  logger: Logger,
): Promise<Record<string, unknown>> {
  let app: FastifyInstance | undefined;
  try {
    app = await createHttpServer({
      ctx: describingContext(config, logger),
      ready: async () => false,
      extend: (a) =>
        registerOpsRoutes(a, {
          metrics: { render: async () => ({ contentType: 'text/plain', body: '' }) },
          queues: {},
          adminToken: config.adminToken,
          readOnly: config.dashboardReadOnly,
        }),
    });
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app?.close();
  }
}
