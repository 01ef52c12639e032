/**
 * The layering of docs/EXTENDING.md, checked: no import cycles; services, jobs and resolvers
 * run no SQL (their repositories do); only the GraphQL face of a concept (`*.types.ts`,
 * `*.resolver.ts`) imports src/graphql; src/core imports nothing of ours.
 */
import madge from 'madge';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const SOURCES = [...filesUnder(join(ROOT, 'src')), ...filesUnder(join(ROOT, 'workers'))].map((path) => ({
  path: relative(ROOT, path),
  text: readFileSync(path, 'utf8'),
}));

const importsOf = (text: string): string[] => [...text.matchAll(/^import [^;]*? from '([^']+)';/gms)].map((m) => m[1]);

describe('architecture', () => {
  it('has no circular imports in src and workers', async () => {
    const graph = await madge([join(ROOT, 'src'), join(ROOT, 'workers')], {
      fileExtensions: ['ts'],
      tsConfig: join(ROOT, 'tsconfig.json'),
    });
    expect(graph.circular()).toEqual([]);
  });

  it('runs no SQL in services, jobs or resolvers: each concept’s SQL is in its repository', () => {
    const offenders = SOURCES.filter(
      (f) => /\.(service|jobs|resolver)\.ts$/.test(f.path) && /\.query\(/.test(f.text),
    ).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('imports src/graphql only from the GraphQL face of a concept (types and resolvers) and the entry points', () => {
    const offenders = SOURCES.filter(
      (f) =>
        /^src\/(domain|workflow|policy|core|db|collision|outbox|events)\//.test(f.path) &&
        !/\.(types|resolver)\.ts$/.test(f.path) &&
        importsOf(f.text).some((spec) => /(^|\/)graphql\//.test(spec)),
    ).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('keeps src/core free of imports of the application', () => {
    const offenders = SOURCES.filter(
      (f) => f.path.startsWith('src/core/') && importsOf(f.text).some((spec) => spec.startsWith('..')),
    ).map((f) => f.path);
    expect(offenders).toEqual([]);
  });
});
