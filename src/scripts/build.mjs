// The build (`npm run build`): tsc into a fresh dist/, then the CLI's entry made executable and npm's hidden lockfile
// (node_modules/.package-lock.json) stamped anew: the build (re)creates dist/ after npm wrote that file, which makes
// the checkout look newer than it, and the first `npx lvslab` then re-read all of node_modules (5 s) before starting.
//
// Skipped when dist/ was built from exactly the inputs there are now (a SHA-256 over every file tsc reads from this
// checkout, the package files and this script, kept in dist/.inputs): CI's path, `npm ci` then `npm test`, no longer
// compiles the same tree twice (half a minute of one core). `--force` builds anyway.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const stamp = join(root, 'dist', '.inputs');

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : [],
  );
}

/** What dist/ is made from: tsc's sources (tsconfig includes src and tests), the package's files, this script. */
function inputsDigest() {
  const files = [...filesUnder(join(root, 'src')), ...filesUnder(join(root, 'tests'))]
    .filter((file) => file.endsWith('.ts'))
    .concat(['tsconfig.json', 'package.json', 'package-lock.json', 'src/scripts/build.mjs'].map((name) => join(root, name)))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${relative(root, file)}\0`);
    hash.update(existsSync(file) ? readFileSync(file) : '(none)');
    hash.update('\0');
  }
  return hash.digest('hex');
}

const digest = inputsDigest();
const built = existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === digest && existsSync(join(root, 'dist', 'src', 'cli', 'main.js'));
if (built && !process.argv.includes('--force')) {
  process.stdout.write(`dist/ is already built from these sources (inputs ${digest.slice(0, 12)}): not compiled again\n`);
  process.exit(0);
}
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
chmodSync(join(root, 'dist', 'src', 'cli', 'main.js'), 0o755);
const hiddenLockfile = join(root, 'node_modules', '.package-lock.json');
if (existsSync(hiddenLockfile)) {
  const now = new Date();
  utimesSync(hiddenLockfile, now, now);
}
writeFileSync(stamp, `${digest}\n`);
