/** Lint and format are enforced: the unit stage (and so CI) fails on an ESLint error, unformatted code or a line over 160 characters. */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../../src/model/package-root.js';

const bin = (tool: string) => join(PACKAGE_ROOT, 'node_modules', '.bin', tool);

test('ESLint (typescript-eslint recommended) finds nothing', async (t) => {
  const result = await execa(bin('eslint'), ['--max-warnings', '0', '.'], { cwd: PACKAGE_ROOT, reject: false });
  t.is(result.exitCode, 0, `${result.stdout}\n${result.stderr}\nfix it, or run npm run lint -- --fix`);
});

test('Prettier finds every file formatted', async (t) => {
  const result = await execa(bin('prettier'), ['--check', '.'], { cwd: PACKAGE_ROOT, reject: false });
  t.is(result.exitCode, 0, `${result.stdout}\n${result.stderr}\nrun npm run format`);
});

test('no source line is longer than 160 characters', async (t) => {
  const files = (await execa('git', ['ls-files', 'src', 'tests', '*.js'], { cwd: PACKAGE_ROOT })).stdout.split('\n').filter((f) => /\.(ts|mjs|js)$/.test(f));
  t.true(files.length > 50);
  const long = files.flatMap((f) =>
    readFileSync(join(PACKAGE_ROOT, f), 'utf8')
      .split('\n')
      .flatMap((line, i) => (line.length > 160 ? [`${f}:${i + 1} (${line.length})`] : [])),
  );
  t.deepEqual(long, []);
});
