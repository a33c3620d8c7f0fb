#!/usr/bin/env node
import { extractCommand } from './commands/extract.js';
import { processIO, type CommandIO } from './commands/io.js';

type Command = (argv: string[], io: CommandIO) => Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  extract: {
    run: extractCommand,
    summary: 'extract FILE.xml...   Entity List changes in FR rule XML, as JSON Lines',
  },
};

function usage(): string {
  return [
    'usage: fedreg-watch <command> [options]',
    '',
    ...Object.values(COMMANDS).map((c) => `  ${c.summary}`),
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
