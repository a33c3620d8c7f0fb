import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

/**
 * One room owns each key (STYLE.md, habit 14): outside `src/store/`, code may hold a Redis
 * connection and pass it on (to a store, to BullMQ), open and close it, but not send it commands.
 * Checked with the type checker, not by matching text: every method call whose receiver is an
 * ioredis type (`Redis`, `Cluster`, a `multi()` or `pipeline()` chain) is found, whatever the
 * variable is called, and reported unless it is one of the connection's own lifecycle methods.
 */
const LIFECYCLE = new Set(['quit', 'disconnect', 'connect', 'on', 'once', 'off', 'removeListener', 'ping']);

/** The deliberate violation the check must find (the control): a stage reading a key itself. */
const VIOLATION = join(ROOT, 'src', 'pipeline', '__redis-access-control__.ts');
const VIOLATION_TEXT = `
import type { PipelineContext } from './context.js';
export async function peek(ctx: PipelineContext): Promise<string | null> {
  const client = ctx.redis;
  await client.multi().set(ctx.keys.fanoutCursor, '0-0').exec();
  return client.get(ctx.keys.fanoutCursor);
}
`;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Whether a type is (or is a union holding) a type declared by ioredis. */
function isIoredis(type: ts.Type): boolean {
  if (type.isUnionOrIntersection()) return type.types.some(isIoredis);
  const symbol = type.getSymbol() ?? type.aliasSymbol;
  return (symbol?.getDeclarations() ?? []).some((d) =>
    d.getSourceFile().fileName.includes('/node_modules/ioredis/'),
  );
}

/** `file:line .method()` for each Redis command sent outside src/store/. */
function redisCommandsOutsideStore(): string[] {
  const files = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'workers')), VIOLATION];
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => f === VIOLATION || fileExists.call(host, f);
  host.readFile = (f) => (f === VIOLATION ? VIOLATION_TEXT : readFile.call(host, f));
  host.getSourceFile = (f, v, ...rest) =>
    f === VIOLATION
      ? ts.createSourceFile(f, VIOLATION_TEXT, v, true)
      : getSourceFile.call(host, f, v, ...rest);
  const program = ts.createProgram(files, options, host);
  const checker = program.getTypeChecker();
  const found: string[] = [];
  for (const file of files) {
    const rel = relative(ROOT, file);
    if (rel.startsWith('src/store/')) continue;
    const source = program.getSourceFile(file)!;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        if (!LIFECYCLE.has(method) && isIoredis(checker.getTypeAtLocation(node.expression.expression))) {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart());
          found.push(`${rel}:${line + 1} .${method}()`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe('Redis behind the stores', () => {
  const found = redisCommandsOutsideStore();

  it('finds the commands of a deliberate violation, through a renamed variable and a MULTI chain (control)', () => {
    const control = found.filter((f) => f.startsWith('src/pipeline/__redis-access-control__.ts'));
    expect(control).toEqual([
      'src/pipeline/__redis-access-control__.ts:5 .exec()',
      'src/pipeline/__redis-access-control__.ts:5 .set()',
      'src/pipeline/__redis-access-control__.ts:5 .multi()',
      'src/pipeline/__redis-access-control__.ts:6 .get()',
    ]);
  });

  it('sends no Redis command outside src/store/', () => {
    expect(found.filter((f) => !f.startsWith('src/pipeline/__redis-access-control__.ts'))).toEqual([]);
  });
});
