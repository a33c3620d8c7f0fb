/**
 * `fedreg-watch openapi` — prints the HTTP API's OpenAPI 3.1 document (the one `GET /openapi.json`
 * serves), generated from the routes' own schemas. Needs no Redis.
 *
 * Exit codes: 0 done; 64 usage.
 */
import { loadConfig } from '../config.js';
import { describeApi } from '../http/describe.js';
import { createLogger } from '../observe/logger.js';
import type { CommandIO } from './io.js';

const USAGE = 'usage: fedreg-watch openapi\n';

export async function openapiCommand(argv: string[], io: CommandIO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (argv.length > 0) {
    io.stderr.write(`fedreg-watch openapi: unexpected arguments ${argv.join(' ')}\n${USAGE}`);
    return 64;
  }
  // The document does not depend on the deployment: describe the defaults.
  const config = loadConfig({});
  const doc = await describeApi(config, createLogger('silent'));
  io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  return 0;
}
