#!/usr/bin/env node
// Every stage and the HTTP server in one process: what `fedreg-watch start` runs.
import { processIO } from '../src/commands/io.js';
import { runRoles } from '../src/commands/start.js';

process.exitCode = await runRoles(undefined, processIO);
