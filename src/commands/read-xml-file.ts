import { open } from 'node:fs/promises';
import { AppError } from '../errors.js';
import { DEFAULT_XML_LIMITS } from '../rule-xml/parser-options.js';

/**
 * Reads an XML file for parsing, refusing one above the size limit before reading it, so a 5 GB
 * file costs a stat, not 5 GB of memory.
 */
export async function readXmlFile(path: string, maxBytes = DEFAULT_XML_LIMITS.maxBytes): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError(
      'INPUT_INVALID',
      `${path}: ${code === 'ENOENT' ? 'no such file' : `cannot open (${code})`}`,
      {
        context: { path },
        cause: err,
      },
    );
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) {
      throw new AppError(
        'XML_TOO_LARGE',
        `${path}: input is ${(size / 1024 / 1024).toFixed(1)} MB, above the limit of ${(maxBytes / 1024 / 1024).toFixed(1)} MB`,
        { context: { path, size, maxBytes } },
      );
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
