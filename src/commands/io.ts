import { isAppError } from '../errors.js';

/** Where a command writes: the process's streams in production, buffers in tests. */
export interface CommandIO {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

export const processIO: CommandIO = { stdout: process.stdout, stderr: process.stderr };

/**
 * How every command reports a typed refusal: `error [CODE]: message` on stderr and exit 2. Anything
 * that is not an `AppError` is a bug, not bad input: it is rethrown (the CLI prints it, exit 1).
 */
export function refusal(io: CommandIO, err: unknown): number {
  if (!isAppError(err)) throw err;
  io.stderr.write(`error [${err.code}]: ${err.message}\n`);
  return 2;
}
