#!/usr/bin/env node
// The document stage alone, for scaling it out: several processes share one Redis.
import { processIO } from '../src/commands/io.js';
import { runRoles } from '../src/commands/start.js';

process.exitCode = await runRoles(['document'], processIO);
