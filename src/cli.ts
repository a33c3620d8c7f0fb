#!/usr/bin/env node
import { applyCommand } from './commands/apply.js';
import { backfillCommand } from './commands/backfill.js';
import { demoCommand } from './commands/demo.js';
import { ecfrCommand } from './commands/ecfr.js';
import { exportCommand } from './commands/export.js';
import { extractCommand } from './commands/extract.js';
import { openapiCommand } from './commands/openapi.js';
import { processIO, type CommandIO } from './commands/io.js';
import { replayServerCommand } from './commands/replay-server.js';
import { startCommand } from './commands/start.js';
import { stateCommand } from './commands/state.js';

type Command = (argv: string[], io: CommandIO) => Promise<number>;

const COMMANDS: Record<string, { run: Command; usage: string; summary: string }> = {
  extract: {
    run: extractCommand,
    usage: 'extract FILE.xml...',
    summary: 'Entity List changes in Federal Register rule XML, one JSON object per document',
  },
  apply: {
    run: applyCommand,
    usage: 'apply --state SNAPSHOT.json FILE.xml... [--events OUT.jsonl]',
    summary: 'the list after applying the documents in order, as a snapshot; events as JSON Lines',
  },
  ecfr: {
    run: ecfrCommand,
    usage: 'ecfr FILE.xml [--as-of DATE]',
    summary: 'Supplement No. 4 in eCFR XML of part 744 as a snapshot; the reading report on stderr',
  },
  start: {
    run: startCommand,
    usage: 'start',
    summary: 'run the workers and the HTTP server (configuration from the environment; see README)',
  },
  state: {
    run: stateCommand,
    usage: 'state import SNAPSHOT.json [--force] | state show',
    summary: 'store a snapshot in Redis as the state polling starts from; show the state',
  },
  backfill: {
    run: backfillCommand,
    usage: 'backfill --since DATE [--until DATE]',
    summary: 'walk the Federal Register over a date range and apply what it finds, with a summary',
  },
  demo: {
    run: demoCommand,
    usage: 'demo [--until DATE] [--corpus DIR]',
    summary: 'the whole service on the constructed timeline, events printed as they arrive signed',
  },
  export: {
    run: exportCommand,
    usage: 'export --state SNAPSHOT.json --format csl-csv|csl-json|ftm|ftm-delta [--as-of DATE]',
    summary: 'the list in the formats screening tools read: the CSL (CSV, JSON), FollowTheMoney',
  },
  openapi: {
    run: openapiCommand,
    usage: 'openapi',
    summary: 'the HTTP API as an OpenAPI 3.1 document (what GET /openapi.json serves)',
  },
  'replay-server': {
    run: replayServerCommand,
    usage: 'replay-server --corpus DIR [--port N] [--now ISO]',
    summary: 'a Federal Register API speaking from a corpus, with a movable clock and faults',
  },
};

function usage(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  return [
    'usage: fedreg-watch <command> [options]',
    '',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    processIO.stdout.write(usage());
    return name ? 0 : 64;
  }
  const command = COMMANDS[name];
  if (!command) {
    processIO.stderr.write(`fedreg-watch: unknown command "${name}"\n\n${usage()}`);
    return 64;
  }
  return command.run(rest, processIO);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `fedreg-watch: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
