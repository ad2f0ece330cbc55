/**
 * A verifier that cannot fail is worth nothing: each assertion is shown failing on a lab broken on
 * purpose at run time, with a message that names the node or hop.
 */
import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { LinuxHost } from '../../src/apply/host.js';
import { labDown, labUp, STATE_DIR, type LifecycleOptions } from '../../src/apply/lab-lifecycle.js';
import { ExecaRunner } from '../../src/apply/runner.js';
import { SERVICE_SCRIPT } from '../../src/model/package-root.js';
import type { Lab } from '../../src/model/lab.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { ipvsOnHost } from '../../src/vm/choose-runner.js';
import type { CheckResult } from '../../src/verify/result.js';
import { verifyLab } from '../../src/verify/run-verify.js';
import { TOPOLOGIES } from '../helpers/paths.js';

const options = (): LifecycleOptions => ({ runner: new ExecaRunner(), host: new LinuxHost(), stateDir: STATE_DIR });

test.before('this machine can run labs (never skipped)', async () => {
  if (!(await ipvsOnHost()).usable || process.getuid?.() !== 0) throw new Error('the integration suite needs root and IPVS');
});

test.afterEach.always(async () => {
  await labDown({ all: true }, options());
});

/** Brings a lab up, breaks it, verifies it, and returns the checks by name. */
async function verifyBroken(lab: Lab, breakIt: () => Promise<unknown>): Promise<Map<string, CheckResult>> {
  const o = options();
  await labUp(lab, { serviceScript: SERVICE_SCRIPT }, o);
  await breakIt();
  return new Map((await verifyLab(lab, o.runner)).map((c) => [c.name, c]));
}

/** The processes of a namespace whose command line contains a word. */
async function processesIn(namespace: string, word: string): Promise<number[]> {
  const pids = await new LinuxHost().pidsIn([namespace]);
  const matching = [];
  for (const pid of pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(word)) matching.push(pid);
  }
  return matching;
}

const dr = () => loadLab(join(TOPOLOGIES, 'dr.yaml'));

test.serial('"answers through the VIP" fails when the director has no virtual service', async (t) => {
  const checks = await verifyBroken(await dr(), () => execa('ip', ['netns', 'exec', 'dr-director', 'ipvsadm', '-D', '-t', '10.10.0.100:80']));
  const check = checks.get('tcp 10.10.0.100:80 answers client through the VIP')!;
  t.false(check.ok);
  t.is(check.where, 'client -> 10.10.0.100');
  t.regex(check.observed, /^0\/4 answered \(first failure: .*ECONNREFUSED/);
  t.true(checks.get('udp 10.10.0.100:80 answers client through the VIP')!.ok, 'the untouched service still passes');
});

test.serial('"only ever sees the VIP" fails when a DR real server answers UDP from its own address', async (t) => {
  const checks = await verifyBroken(await dr(), async () => {
    for (const pid of await processesIn('dr-rs1', 'UDP-RECVFROM')) process.kill(pid, 'SIGKILL');
    // Bound to every address, the reply leaves from the route's source: the RIP, not the VIP.
    const wrong = execa('ip', ['netns', 'exec', 'dr-rs1', 'socat', 'UDP-RECVFROM:80,fork', `EXEC:${SERVICE_SCRIPT} rs1 udp 0.0.0.0 80`], { detached: true, stdio: 'ignore', reject: false });
    wrong.unref();
    await new Promise((r) => setTimeout(r, 300));
  });
  const check = checks.get('udp 10.10.0.100:80: client only ever sees the VIP as its peer')!;
  t.false(check.ok);
  t.regex(check.observed, /10\.10\.0\.10:80/);
  t.true(checks.get('tcp 10.10.0.100:80: client only ever sees the VIP as its peer')!.ok);
});

test.serial('"every real server serves" fails and names the real server whose service is stopped', async (t) => {
  const checks = await verifyBroken(await dr(), async () => {
    for (const pid of await processesIn('dr-rs2', 'socat')) process.kill(pid, 'SIGKILL');
  });
  const check = checks.get('tcp 10.10.0.100:80: every real server with weight > 0 serves client')!;
  t.false(check.ok);
  t.is(check.where, 'rs2');
  t.regex(check.observed, /never answered: rs2$/);
});

test.serial('"kept on one real server" fails when source hashing is switched to round robin at run time', async (t) => {
  const file = '/tmp/sticky.yaml';
  await writeFile(file, 'name: sticky\nmode: dr\nrealServers: 2\nservices:\n  - { port: 80, scheduler: sh }\n');
  const lab = await loadLab(file);
  const healthy = await verifyBroken(lab, async () => undefined);
  t.true(healthy.get('tcp 10.10.0.100:80: client is kept on one real server (sh)')!.ok);
  await labDown('sticky', options());
  const checks = await verifyBroken(lab, () => execa('ip', ['netns', 'exec', 'sticky-director', 'ipvsadm', '-E', '-t', '10.10.0.100:80', '-s', 'rr']));
  const check = checks.get('tcp 10.10.0.100:80: client is kept on one real server (sh)')!;
  t.false(check.ok);
  t.is(check.observed, 'rs1: 2, rs2: 2');
});
