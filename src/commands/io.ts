/** Where a command writes: the process's streams in production, buffers in tests. */
export interface CommandIO {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

export const processIO: CommandIO = { stdout: process.stdout, stderr: process.stderr };
