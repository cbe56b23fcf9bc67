import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The house plan of docs/architecture.md, held against the code: every
 * relative import of src/ and adapters/ goes to a room on the same floor or
 * below, and no files import each other in a circle.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Floors from the ground up, as docs/architecture.md lists them; a file is on the floor of the first pattern its path starts with. */
const floors: readonly (readonly string[])[] = [
  ['src/lib/'],
  ['src/errors/'],
  ['src/images/', 'src/server/', 'src/store/'],
  ['src/provider.ts'],
  ['src/providers/shared/'],
  ['src/providers/gemini/', 'src/providers/openai/', 'src/providers/openai-chat/', 'src/providers/flux/', 'src/providers/local/'],
  ['src/providers/'],
  ['src/generation/'],
  ['src/observability/'],
  ['src/options.ts'],
  ['src/surfaces/'],
  ['src/gateway.ts'],
  ['src/index.ts'],
  ['adapters/node/', 'adapters/hono/', 'adapters/adapter-gateway.ts'],
  ['adapters/'],
  ['src/cli-config.ts'],
  ['src/cli.ts'],
];

function floorOf(file: string): number {
  const floor = floors.findIndex((patterns) => patterns.some((pattern) => file.startsWith(pattern)));
  if (floor === -1) throw new Error(`${file} is on no floor of the plan: add it to docs/architecture.md and this test`);
  return floor;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(folder, name).replaceAll('\\', '/'));
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = relative(root, resolve(root, dirname(file), match[1] as string)).replaceAll('\\', '/');
    found.push(target.replace(/\.js$/, '.ts'));
  }
  return found;
}

const files = [...sourceFiles('src'), ...sourceFiles('adapters')];
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe('the import graph of src/ and adapters/', () => {
  it('has no import that runs up to a higher floor', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) if (floorOf(target) > floorOf(file)) upward.push(`${file} -> ${target}`);
    }
    expect(upward).toEqual([]);
  });

  it('has no circle', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      path.push(file);
      for (const target of graph.get(file) ?? []) {
        if (state.get(target) === 'open') circles.push([...path.slice(path.indexOf(target)), target].join(' -> '));
        else if (!state.has(target)) visit(target);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(circles).toEqual([]);
  });

  it('keeps rooms that share a floor strangers to each other', () => {
    const roomOf = (file: string) => floors[floorOf(file)]?.find((pattern) => file.startsWith(pattern));
    const sideways = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => floorOf(target) === floorOf(file) && roomOf(target) !== roomOf(file))
        .map((target) => `${file} -> ${target}`),
    );
    expect(sideways).toEqual([]);
  });

  it('keeps lib/ free of the domain', () => {
    const domain = [...graph].flatMap(([file, targets]) =>
      file.startsWith('src/lib/') ? targets.filter((target) => !target.startsWith('src/lib/')).map((target) => `${file} -> ${target}`) : [],
    );
    expect(domain).toEqual([]);
  });

  it('keeps the core free of web frameworks and node:http', () => {
    const offenders = files.filter(
      (file) =>
        file.startsWith('src/') &&
        file !== 'src/cli.ts' &&
        /from ['"](?:node:http|express|koa|hono|next)\b/.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
