/**
 * Integration: keepalived on the director writes the IPVS table and checks the real servers. The
 * health assertions fail on labs broken on purpose; every fault kind acts on a running lab; a lab
 * with keepalived leaves no process, pid file or namespace behind, also after `kill -9` of `up`.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { injectFault } from '../../src/apply/inject-fault.js';
import { labDown, labUp, runningLab } from '../../src/apply/lab-lifecycle.js';
import { machineLifecycle } from '../../src/session/lab-machine.js';
import { CLI_ENTRY, SERVICE_COMMAND } from '../../src/model/package-root.js';
import { faultActions, type Fault } from '../../src/plan/faults.js';
import { hostSnapshot } from '../../src/session/test-labs.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { readUntil } from '../../src/verify/read-until.js';
import { KEEPALIVED_CASES, registerBrokenLabs } from '../helpers/broken-labs.js';
import { TOPOLOGIES } from '../helpers/paths.js';
import { existsOnLab, inNs, onLab } from '../helpers/lab-machine.js';

const FILE = join(TOPOLOGIES, 'dr-keepalived.yaml');
const cli = (...args: string[]) => execa(process.execPath, [CLI_ENTRY, ...args], { reject: false });

registerBrokenLabs(KEEPALIVED_CASES);

/** Reads the director's table until `done` says yes (or 10 s pass); returns the last table. */
async function tableUntil(done: (table: string) => boolean): Promise<string> {
  const t0 = Date.now();
  return (await readUntil(async () => (await inNs('dr-keepalived-director', 'ipvsadm', '-S', '-n')).stdout, done, t0, t0 + 10_000)).last;
}

const RS1 = / -r 10\.10\.0\.10:80 /;

test.serial('every fault kind acts on a running keepalived lab, and says what it did', async (t) => {
  const o = machineLifecycle();
  const lab = await loadLab(FILE);
  await labUp(lab, { service: SERVICE_COMMAND }, o);
  const running = await runningLab(lab.name, o.stateDir);
  t.truthy(running, 'up keeps the running lab as data for lvslab fault');
  const fault = (f: Fault) => injectFault(faultActions(running!.lab, running!.plan, f), o.runner, o.host);

  // A scenario whose expectation the lab does not meet (rs1 stays: nothing killed it): its row fails, the rest is not run, exit 1.
  const scratch = mkdtempSync(join(tmpdir(), 'lvslab-scenario-'));
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
  const wrong = join(scratch, 'dr-keepalived.yaml');
  const scenario = '  - name: wrong\n    steps:\n      - expect: { out: rs1, within: 2 }\n      - load: { requests: 1 }\n';
  writeFileSync(wrong, `${readFileSync(FILE, 'utf8')}scenarios:\n${scenario}`);
  const failed = await cli('scenario', wrong, '--tap');
  t.is(failed.exitCode, 1, failed.stderr);
  t.regex(failed.stdout, /^not ok 1 - dr-keepalived: scenario wrong, step 1: rs1 leaves the IPVS table\n(.*\n){3}\s+observed: "still in the table after 2 s"/m);
  t.regex(
    failed.stdout,
    /^not ok 2 - dr-keepalived: scenario wrong, step 2: load: 1 request\(s\) per service\n(.*\n){3}\s+observed: "not run: step 1 failed"/m,
  );

  // Through the CLI once: what a user types.
  const kill = await cli('fault', 'dr-keepalived', 'kill-service', 'rs1');
  t.is(kill.exitCode, 0, kill.stderr);
  t.regex(kill.stdout, /^dr-keepalived: rs1: killed 1 lvslab-service process\(es\)$/m);
  t.notRegex(await tableUntil((table) => !RS1.test(table)), RS1, 'keepalived takes rs1 out once its service is gone');
  t.deepEqual(await fault({ kind: 'restore-service', target: 'rs1' }), ['rs1: no lvslab-service was running', 'rs1: started service on tcp:0.0.0.0:80']);
  t.regex(await tableUntil((table) => RS1.test(table)), RS1, 'rs1 returns once it answers');

  await fault({ kind: 'loss', target: 'rs2', value: 25 });
  await fault({ kind: 'delay', target: 'client', value: 40 });
  t.regex((await inNs('dr-keepalived-rs2', 'tc', 'qdisc', 'show', 'dev', 'eth0')).stdout, /netem .*loss 25%/);
  t.regex((await inNs('dr-keepalived-client', 'tc', 'qdisc', 'show', 'dev', 'eth0')).stdout, /netem .*delay 40ms/);
  await fault({ kind: 'clear', target: 'rs2' });
  t.deepEqual(await fault({ kind: 'clear', target: 'rs2' }), ['rs2: nothing to do for tc qdisc del dev eth0 root'], 'clearing twice is harmless');
  await fault({ kind: 'clear', target: 'client' });
  for (const node of ['rs2', 'client']) t.notRegex((await inNs(`dr-keepalived-${node}`, 'tc', 'qdisc', 'show', 'dev', 'eth0')).stdout, /netem/);

  await fault({ kind: 'link-down', target: 'rs2' });
  t.regex((await onLab(['ip', '-n', 'dr-keepalived-rs2', '-o', 'link', 'show', 'dev', 'eth0'])).stdout, /state DOWN/);
  await fault({ kind: 'link-up', target: 'rs2' });
  t.notRegex((await onLab(['ip', '-n', 'dr-keepalived-rs2', '-o', 'link', 'show', 'dev', 'eth0'])).stdout, /state DOWN/);

  t.regex((await fault({ kind: 'kill-keepalived', target: 'director' }))[0], /^director: killed [1-9]\d* keepalived process\(es\)$/);
  t.deepEqual(await o.host.pidsIn(['dr-keepalived-director']), [], 'no keepalived left in the director');
  // Usage errors (exit 2) and faults on other targets are unit tests; here what needs a machine.

  await labDown(lab.name, o);
  const gone = await cli('fault', 'dr-keepalived', 'kill-service', 'rs1');
  t.is(gone.exitCode, 1);
  t.is(gone.stderr.trim(), 'lab dr-keepalived is not running on this host');
});

test.serial('kill -9 of lvslab up as keepalived starts: down removes the lab, keepalived, its pid files and config', async (t) => {
  const o = machineLifecycle();
  const before = await hostSnapshot(o);
  // Two moments: the config written (keepalived about to start), and keepalived's pid file there (running).
  for (const file of ['keepalived.conf', 'keepalived.pid']) {
    const up = execa(process.execPath, [CLI_ENTRY, 'up', FILE, '--runner', 'host'], { reject: false });
    const path = `/run/lvslab/dr-keepalived/director/${file}`;
    const deadline = Date.now() + 60_000;
    while (!(await existsOnLab(path)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    t.true(await existsOnLab(path), `${path} appeared while up ran`);
    up.kill('SIGKILL');
    await up;
    await labDown('dr-keepalived', o);
    t.is(await hostSnapshot(o), before, `after a kill once ${file} existed, and down`);
  }
});
