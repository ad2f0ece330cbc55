// The build's last step, after tsc: the CLI's entry made executable, and npm's hidden lockfile
// (node_modules/.package-lock.json) stamped anew. The build (re)creates dist/ after npm wrote that file,
// which makes the checkout look newer than it; the first `npx lvslab` then re-reads all of node_modules
// (5 s here) before lvslab starts.
import { chmodSync, existsSync, utimesSync } from 'node:fs';

chmodSync('dist/src/cli/main.js', 0o755);
const hiddenLockfile = 'node_modules/.package-lock.json';
if (existsSync(hiddenLockfile)) {
  const now = new Date();
  utimesSync(hiddenLockfile, now, now);
}
