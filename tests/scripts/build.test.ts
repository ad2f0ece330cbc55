/**
 * The build script on a package of its own (a copy of build.mjs, two small sources, the real TypeScript): it compiles
 * into a fresh dist/, compiles nothing when the inputs are those dist/ was built from, and again when they change.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/model/package-root.js';

function scratchPackage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lvslab-build-'));
  const write = (name: string, text: string) => (mkdirSync(join(dir, name, '..'), { recursive: true }), writeFileSync(join(dir, name), text));
  mkdirSync(join(dir, 'src', 'scripts'), { recursive: true });
  copyFileSync(join(PACKAGE_ROOT, 'src', 'scripts', 'build.mjs'), join(dir, 'src', 'scripts', 'build.mjs'));
  symlinkSync(join(PACKAGE_ROOT, 'node_modules'), join(dir, 'node_modules'));
  write(
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: { module: 'NodeNext', rootDir: '.', outDir: 'dist', types: [], noLib: true },
      include: ['src/**/*.ts', 'tests/**/*.ts'],
    }),
  );
  // The global types tsc needs in place of its standard library: a compile in 0.2 core-s instead of 2.3.
  write(
    'src/globals.d.ts',
    ['Array<T>', 'Boolean', 'CallableFunction', 'Function', 'IArguments', 'NewableFunction', 'Number', 'Object', 'RegExp', 'String']
      .map((n) => `interface ${n} {}\n`)
      .join(''),
  );
  write('package.json', '{ "type": "module" }');
  write('package-lock.json', '{}');
  write('src/cli/main.ts', 'export const answer: number = 1;\n');
  write('tests/a.test.ts', 'export const a = 1;\n');
  return dir;
}

const build = (dir: string) => spawnSync(process.execPath, [join(dir, 'src', 'scripts', 'build.mjs')], { encoding: 'utf8' });

test('a build compiles into a fresh dist/; the same inputs again compile nothing; a changed or removed source compiles again; an error is no build', (t) => {
  const dir = scratchPackage();
  try {
    const first = build(dir);
    t.is(first.status, 0, first.stderr);
    t.true((statSync(join(dir, 'dist', 'src', 'cli', 'main.js')).mode & 0o111) !== 0, 'the CLI entry is executable');
    t.true(existsSync(join(dir, 'dist', 'tests', 'a.test.js')));

    writeFileSync(join(dir, 'dist', 'left-alone'), '');
    const again = build(dir);
    t.is(again.status, 0);
    t.regex(again.stdout, /not compiled again/);
    t.true(existsSync(join(dir, 'dist', 'left-alone')), 'dist/ untouched');

    writeFileSync(join(dir, 'src', 'cli', 'main.ts'), 'export const answer: number = 2;\n');
    rmSync(join(dir, 'tests', 'a.test.ts'));
    const changed = build(dir);
    t.is(changed.status, 0, changed.stderr);
    t.notRegex(changed.stdout, /not compiled again/);
    t.regex(readFileSync(join(dir, 'dist', 'src', 'cli', 'main.js'), 'utf8'), /answer = 2/);
    t.false(existsSync(join(dir, 'dist', 'tests', 'a.test.js')), "a removed source's output goes with it");
    t.false(existsSync(join(dir, 'dist', 'left-alone')), 'a fresh dist/');

    writeFileSync(join(dir, 'src', 'cli', 'main.ts'), 'export const answer: number = "two";\n');
    const broken = build(dir);
    t.not(broken.status, 0);
    t.false(existsSync(join(dir, 'dist', '.inputs')), 'a failed build is never taken for a done one');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
