#!/usr/bin/env node
/**
 * `.ci/vagrant-path` (npm run check:vagrant-path): the Vagrant path on an imitated debian/bookworm64 box.
 * Run as root from the checkout; see the README's Vagrant section.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { ProcessRunner } from '../apply/runner.js';
import { cacheDir, defaultKernel } from '../vm/kernel.js';
import { runInVm, type Accel } from '../vm/launch.js';
import { BREAKS, type Break } from './box-steps.js';
import { debianRoot, ROOT_KINDS, type RootKind } from './debian-root.js';
import { runVagrantPath } from './vagrant-path.js';

const USAGE = `usage: .ci/vagrant-path [--root no-node|node18|both] [--break network|package|provision] [--accel auto|kvm|tcg]
                        [--memory MB] [--timeout SECONDS] [--log-dir DIR]

Builds (once, cached per Debian release) a Debian 12 root shaped like the debian/bookworm64 box, boots it
under qemu with Debian's kernel and a user-mode network, copies the checkout to /vagrant, runs the
Vagrantfile's provisioning line, then \`npx lvslab demo --runner host\` and \`npx lvslab test --runner host
topologies/*.yaml\` on the guest kernel's own IPVS. The node18 root (Debian's Node 18 preinstalled) stops
after provisioning and Node's version check. Prints a table of the steps and \`N passed, N failed, N skipped\`.

  --root      which box to imitate (default both: no-node with the labs, then node18)
  --break     put in a fault on purpose, to see it named: no way out of the guest's network, a
              package apt will not install, a provisioning step that fails
  --memory    guest memory in MiB (default 6144: the guest's writable layer is in memory)
  --timeout   seconds per guest (default 3600)
  --log-dir   where each guest's whole output goes (default ~/.cache/lvslab/vagrant-path/logs)

Exit status: 0 every step passed, 1 a step failed, 2 bad arguments.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        root: { type: 'string', default: 'both' },
        break: { type: 'string' },
        accel: { type: 'string', default: 'auto' },
        memory: { type: 'string', default: '6144' },
        timeout: { type: 'string', default: '3600' },
        'log-dir': { type: 'string', default: join(cacheDir(), 'vagrant-path', 'logs') },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const kinds: RootKind[] = values.root === 'both' ? [...ROOT_KINDS] : ROOT_KINDS.includes(values.root as RootKind) ? [values.root as RootKind] : [];
  if (kinds.length === 0) fail(`--root ${values.root}: expected no-node, node18 or both`);
  if (values.break !== undefined && !BREAKS.includes(values.break as Break)) fail(`--break ${values.break}: expected ${BREAKS.join(', ')}`);
  if (!['auto', 'kvm', 'tcg'].includes(values.accel)) fail(`--accel ${values.accel}: expected auto, kvm or tcg`);
  const memoryMb = Number(values.memory);
  const timeoutSec = Number(values.timeout);
  if (!Number.isInteger(memoryMb) || memoryMb < 1024) fail(`--memory ${values.memory}: expected a whole number of MiB, at least 1024`);
  if (!Number.isInteger(timeoutSec) || timeoutSec < 60) fail(`--timeout ${values.timeout}: expected a whole number of seconds, at least 60`);
  if (process.getuid?.() !== 0) fail('the Vagrant path builds a Debian root and boots it: run it as root');

  const runner = new ProcessRunner();
  const log = (line: string) => process.stderr.write(`vagrant-path: ${line}\n`);
  const started = Date.now();
  const rows = await runVagrantPath(
    {
      kinds,
      break: values.break as Break | undefined,
      accel: values.accel as Accel,
      memoryMb,
      timeoutSec,
      logDir: values['log-dir'],
      out: (line) => process.stdout.write(`${line}\n`),
      log,
    },
    {
      runner,
      kernel: () => defaultKernel({ fetch: true, log }),
      buildRoot: (kind) => debianRoot(kind, runner, log),
      runGuest: runInVm,
    },
  );
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return rows.some((r) => r.status !== 'passed') ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`vagrant-path: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
