/**
 * The stages import downward only: a folder may import its own files and the folders below it, never
 * one above; and there is no import cycle. The order is the pipeline's, with the infrastructure
 * (microVM) beside apply, and the conductor of lab runs (session) above verify and report.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { PACKAGE_ROOT } from '../../src/model/package-root.js';

export const LAYERS = [
  'model',
  'modes',
  'load',
  'validate',
  'plan',
  'apply',
  'vm',
  'guest',
  'verify',
  'report',
  'session',
  'vagrant',
  'bench',
  'cli',
  'scripts',
];

const SRC = join(PACKAGE_ROOT, 'src');

function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.c?ts$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** file (relative to src) -> the src files it imports (type-only imports count too). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources()) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) =>
      relative(SRC, normalize(join(dirname(file), m[1])))
        .replace(/\.js$/, '.ts')
        .replace(/\.cjs$/, '.cts'),
    );
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

const layerOf = (file: string) => LAYERS.indexOf(file.split('/')[0]);

test('every source folder has a place in the layers', (t) => {
  for (const file of importGraph().keys()) t.not(layerOf(file), -1, `${file} is in no known layer`);
});

test('no import runs back up a level', (t) => {
  const upward: string[] = [];
  for (const [file, targets] of importGraph()) {
    for (const target of targets) if (layerOf(target) > layerOf(file)) upward.push(`${file} -> ${target}`);
  }
  t.deepEqual(upward, []);
});

test('there is no import cycle', (t) => {
  const graph = importGraph();
  const state = new Map<string, 'active' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'active') {
      cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
      return;
    }
    state.set(file, 'active');
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  t.deepEqual(cycles, []);
});

test('the graph sees imports (a check that reads nothing cannot fail)', (t) => {
  const graph = importGraph();
  t.true(graph.size > 60);
  t.true(graph.get('plan/build-plan.ts')!.includes('model/lab.ts'));
  t.true(graph.get('cli/main.ts')!.includes('cli/help.ts'));
});

test('processes start in one module only: src/apply/runner.ts imports child_process (not only its types), nothing else does; no execa', (t) => {
  const starters = sources()
    .filter((file) => /^import (?!type )[^;]*from '(execa|node:child_process|child_process)'/m.test(readFileSync(file, 'utf8')))
    .map((file) => relative(SRC, file));
  t.deepEqual(starters, ['apply/runner.ts']);
  // execa stays a tool of the tests: in the microVM, loading it cost each lvslab process seconds.
  t.deepEqual(
    sources().filter((file) => /from 'execa'|import\('execa'\)/.test(readFileSync(file, 'utf8'))),
    [],
  );
});
