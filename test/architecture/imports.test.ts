import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

/**
 * The shape of the house, checked over the sources: imports point inward (workers → stages →
 * core), the pure core touches no I/O library and no environment, nothing imports `workers/`, only
 * the commands that serve it import the replay server, and the import graph has no cycle (type-only
 * imports included: a cycle of types is still two modules that cannot be read apart).
 */
type Graph = Map<string, string[]>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\s[^'";]*?\bfrom\s+'([^']+)'|^\s*import\s+'([^']+)'/gm;

/** Every module specifier a file imports or re-exports. */
function specifiers(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}

function buildGraph(files: readonly string[]): { graph: Graph; external: Map<string, string[]> } {
  const graph: Graph = new Map();
  const external = new Map<string, string[]>();
  for (const file of files) {
    const rel = relative(ROOT, file);
    const specs = specifiers(readFileSync(file, 'utf8'));
    graph.set(
      rel,
      specs
        .filter((s) => s.startsWith('.'))
        .map((s) => relative(ROOT, resolve(dirname(file), s.replace(/\.js$/, '.ts')))),
    );
    external.set(
      rel,
      specs.filter((s) => !s.startsWith('.')),
    );
  }
  return { graph, external };
}

/** Strongly connected components of more than one module, or a module importing itself (Tarjan). */
export function cycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const files = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'workers'))];
const { graph, external } = buildGraph(files);

const CORE = ['src/entity-list/', 'src/rule-xml/', 'src/events/'];
const IO_LIBRARIES = ['undici', 'ioredis', 'bullmq', 'fastify', 'node:fs', 'node:fs/promises', 'node:net'];
const OUTER = ['src/pipeline/', 'src/store/', 'src/http/', 'src/commands/', 'src/service.ts', 'src/replay/'];

describe('import graph', () => {
  it('reads every source file (the checker sees the code)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/cli.ts')).toContain('src/commands/extract.ts');
  });

  it('finds a cycle when there is one (control)', () => {
    const g: Graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(g)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('has no cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('keeps the core pure: no I/O library, no environment, nothing from the outer rings', () => {
    const problems: string[] = [];
    for (const [file, deps] of graph) {
      if (!CORE.some((c) => file.startsWith(c))) continue;
      for (const lib of external.get(file) ?? []) {
        if (IO_LIBRARIES.includes(lib)) problems.push(`${file} imports ${lib}`);
      }
      for (const dep of deps) {
        if (OUTER.some((o) => dep.startsWith(o))) problems.push(`${file} imports ${dep}`);
      }
      if (/\bprocess\.env\b/.test(readFileSync(join(ROOT, file), 'utf8')))
        problems.push(`${file} reads process.env`);
    }
    expect(problems).toEqual([]);
  });

  it('imports nothing from workers/, and the replay server only from the commands that serve it', () => {
    const problems: string[] = [];
    for (const [file, deps] of graph) {
      for (const dep of deps) {
        if (dep.startsWith('workers/')) problems.push(`${file} imports ${dep}`);
        if (
          dep.startsWith('src/replay/') &&
          !file.startsWith('src/replay/') &&
          !['src/commands/replay-server.ts', 'src/commands/demo.ts'].includes(file)
        )
          problems.push(`${file} imports ${dep}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
