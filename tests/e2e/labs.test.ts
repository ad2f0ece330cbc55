/**
 * Integration: real namespaces, real IPVS, real packets. Needs root and a kernel with IPVS, or the
 * resident microVM the suite starts when the host has none. It never skips: without IPVS it fails.
 */
import test, { type ExecutionContext } from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { StepFailedError } from '../../src/apply/errors.js';
import { applyPlan, labDown, labUp, type LifecycleOptions } from '../../src/apply/lab-lifecycle.js';
import { machineLifecycle } from '../../src/session/lab-machine.js';
import { CLI_ENTRY, SERVICE_COMMAND, SERVICE_PROGRAM, SERVICE_READY } from '../../src/model/package-root.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { probeFrom } from '../../src/verify/run-probe.js';
import { timelineArgv } from '../../src/verify/probe-argv.js';
import type { ProbeAnswer } from '../../src/model/observation.js';
import { probeTargets, reachabilityChecks } from '../../src/verify/reachability.js';
import { hostSnapshot } from '../../src/session/test-labs.js';
import { SHIPPED, SHIPPED_IPV6, TOPOLOGIES } from '../helpers/paths.js';
import { inNs, killIn, onLab, requireLabMachine, startOnLab, tryOnLab } from '../helpers/lab-machine.js';

/**
 * The four modes; dr-wrr8, dr-keepalived, the four pairs, dr-own and the IPv6 labs go through up, verify and down in
 * the suite's labs stage (`lvslab test`), with the same host check.
 */
const LIFECYCLE = SHIPPED.filter(
  (name) => !['dr-wrr8', 'dr-keepalived', 'dr-pair', 'nat-pair', 'fullnat-pair', 'tun-pair', 'dr-own', ...SHIPPED_IPV6].includes(name),
);

const options = (): LifecycleOptions => machineLifecycle();
const planOptions = { service: SERVICE_COMMAND };
const cli = (...args: string[]) => execa(process.execPath, [CLI_ENTRY, ...args], { reject: false });

test.before('this machine can run labs: root and a kernel with IPVS, or the resident microVM (never skipped)', requireLabMachine);

test.afterEach.always('no lab is left behind, whatever happened', async () => {
  await labDown({ all: true }, options());
});

for (const name of LIFECYCLE) {
  test.serial(`${name}: comes up, answers through the VIP from every real server, a second up changes nothing, down leaves the host as before`, async (t) => {
    const o = options();
    const before = await hostSnapshot(o);
    const lab = await loadLab(join(TOPOLOGIES, `${name}.yaml`));
    t.is((await labUp(lab, planOptions, o)).status, 'created');
    // Reachability here; the full verifier runs on every shipped lab in the suite's `labs` stage (lvslab test).
    const answers = await probeFrom(o.runner, lab.clients[0].namespace, probeTargets(lab));
    const failed = lab.services
      .flatMap((s) =>
        reachabilityChecks(
          lab,
          s,
          lab.clients[0].name,
          answers.filter((a) => a.protocol === s.protocol && a.target === `${s.vip}:${s.port}`),
        ),
      )
      .filter((c) => !c.ok);
    t.deepEqual(failed, [], failed.map((c) => `${c.name}: expected ${c.expected}, observed ${c.observed}`).join('\n'));
    const spawned = o.runner.spawned;
    t.is((await labUp(lab, planOptions, o)).status, 'unchanged');
    // One read of the ownership mark per namespace of the lab, nothing else.
    t.is(o.runner.spawned - spawned, buildPlan(lab, planOptions).namespaces.length, 'a second up only looks at the ownership marks');
    await labDown(lab.name, o);
    t.is(await hostSnapshot(o), before);
  });
}

test.serial(
  "a host whose own namespace has an eth0 (every Vagrant VM, Debian 12's kernel 6.1): the lab's eth0s still come up, the host's is untouched",
  async (t) => {
    // Linux 6.1 checks a new veth's first name against the namespace ip runs in, even when the device goes elsewhere.
    const hostHas = async () => (await tryOnLab(['ip', 'link', 'show', 'dev', 'eth0'])).exitCode === 0;
    const made = !(await hostHas()) && (process.env.LVSLAB_IN_VM === '1' || process.env.LVSLAB_GUEST !== undefined);
    // Only inside the microVM may the suite add an interface to the root namespace; a real host brings its own eth0, or none.
    if (made) await onLab(['ip', 'link', 'add', 'eth0', 'type', 'dummy']);
    if (!(await hostHas())) t.log('this host has no eth0 of its own: the lab is built without the clash');
    try {
      const before = (await tryOnLab(['ip', '-d', 'link', 'show', 'dev', 'eth0'])).stdout;
      const lab = await loadLab(join(TOPOLOGIES, 'nat.yaml'));
      t.is((await labUp(lab, planOptions, options())).status, 'created');
      await labDown(lab.name, options());
      t.is((await tryOnLab(['ip', '-d', 'link', 'show', 'dev', 'eth0'])).stdout, before);
    } finally {
      if (made) await onLab(['ip', 'link', 'del', 'eth0']);
    }
  },
);

/** Breaks one step: a command that cannot be started at all, so the failure does not depend on timing. */
async function failPartWay(t: ExecutionContext, breakAt: (steps: ReturnType<typeof buildPlan>['steps']) => number) {
  const o = options();
  const before = await hostSnapshot(o);
  const plan = buildPlan(await loadLab(join(TOPOLOGIES, 'dr.yaml')), planOptions);
  const index = breakAt(plan.steps);
  const broken = { ...plan, steps: plan.steps.map((s, i) => (i === index ? { ...s, argv: ['/nonexistent/lvslab-broken-step', ...s.argv.slice(1)] } : s)) };
  // The path `up` takes once the plan is made: its rollback, the modules it loaded included.
  const error = await t.throwsAsync(applyPlan(await loadLab(join(TOPOLOGIES, 'dr.yaml')), broken, o), { instanceOf: StepFailedError });
  t.is(error!.step.node, plan.steps[index].node);
  t.regex(error!.message, /Everything this run had created was removed\./);
  t.is(await hostSnapshot(o), before);
  t.deepEqual(await o.host.pidsIn(plan.namespaces), []);
}

test.serial('an up that fails at the IPVS step leaves nothing behind', async (t) => {
  await failPartWay(t, (steps) => steps.findIndex((s) => s.argv.includes('ipvsadm')));
});

test.serial('an up that fails at the last service, after the others started, leaves no namespace and no process behind', async (t) => {
  await failPartWay(t, (steps) => steps.length - 1);
});

test.serial(
  'the probe, in a namespace of its own: each answer as the service gave it, from a fresh port; a refused port and a silent one in words; ' +
    'IPv6 in RFC 5952 text; a timeline of requests every 100 ms',
  async (t) => {
    const ns = 'lvslab-probe-test';
    const v6 = '2001:db8::1:0:0:1'; // two runs of zeros: the first is the one written ::
    const files = (await onLab(['mktemp', '-d', '/tmp/lvslab-probe-XXXXXX'])).stdout.trim();
    await onLab(['ip', 'netns', 'add', ns]);
    try {
      await onLab(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      await onLab(['ip', '-n', ns, 'addr', 'add', '2001:db8:0:0:1:0:0:1/128', 'dev', 'lo']);
      await startOnLab(['ip', 'netns', 'exec', ns, ...SERVICE_COMMAND, 'rs1', 'tcp:127.0.0.1:80', 'udp:127.0.0.1:80', `tcp:[${v6}]:80`, `udp:[${v6}]:80`], {
        ready: SERVICE_READY,
      });
      const [tcp1, tcp2, udp, tcp6, udp6, refused, silent] = await probeFrom(machineLifecycle().runner, ns, [
        { protocol: 'tcp', vip: '127.0.0.1', port: 80, count: 2, bytes: 100_000 },
        { protocol: 'udp', vip: '127.0.0.1', port: 80, count: 1 },
        { protocol: 'tcp', vip: v6, port: 80, count: 1 },
        { protocol: 'udp', vip: v6, port: 80, count: 1 },
        { protocol: 'tcp', vip: '127.0.0.1', port: 81, count: 1 },
        { protocol: 'udp', vip: '127.0.0.1', port: 81, count: 1 },
      ]);
      const line = (a: ProbeAnswer) => `node=${a.node} peer=${a.seenPeer} local=${a.seenLocal}\n`;
      for (const a of [tcp1, tcp2]) {
        t.like(a, { protocol: 'tcp', target: '127.0.0.1:80', ok: true, node: 'rs1', seenLocal: '127.0.0.1:80', replyFrom: '127.0.0.1:80' });
        t.regex(a.seenPeer ?? '', /^127\.0\.0\.1:\d+$/);
        t.is(a.bytes, line(a).length + 100_000, 'the identity line and all the padding asked for');
      }
      t.not(tcp1.seenPeer, tcp2.seenPeer, 'each request from a port of its own');
      t.like(udp, { protocol: 'udp', ok: true, node: 'rs1', seenLocal: '127.0.0.1:80', replyFrom: '127.0.0.1:80', bytes: line(udp).length });
      // Both read the address from the kernel (getsockname, getpeername) and write it in RFC 5952 text: written here by hand.
      t.like(tcp6, { ok: true, target: `${v6}:80`, seenLocal: `${v6}:80`, replyFrom: `${v6}:80` });
      t.like(udp6, { ok: true, seenLocal: `${v6}:80`, replyFrom: `${v6}:80` });
      t.like(refused, { ok: false, error: 'connect ECONNREFUSED 127.0.0.1:81', bytes: 0 });
      t.like(silent, { ok: false, error: 'no answer within 2500 ms' });
      t.true(silent.ms >= 2500, `${silent.ms} ms`);

      // The lab machine's runner enters the namespace (in the microVM the agent does, as iproute2 would); a timeout names the
      // command as asked, and a program that is not there fails in iproute2's words.
      const { runner } = machineLifecycle();
      t.regex((await onLab(['ip', 'netns', 'exec', ns, 'ip', '-o', 'link'])).stdout, /^1: lo: [^\n]*\n$/);
      t.regex((await onLab(['ip', 'netns', 'exec', ns, 'ip', '-V'])).stdout, /iproute2/);
      t.deepEqual(await runner.run(['ip', 'netns', 'exec', ns, 'lvslab-no-such-program']), {
        exitCode: 1,
        stdout: '',
        stderr: 'exec of "lvslab-no-such-program" failed: No such file or directory\n',
      });
      const slow = await runner.run(['ip', 'netns', 'exec', ns, 'sleep', '5'], { timeout: 500 });
      t.like(slow, { exitCode: 127, stderr: `Command timed out after 500 milliseconds: ip netns exec ${ns} sleep 5` });

      const started = join(files, 'started');
      const timeline = await onLab(
        timelineArgv(ns, {
          target: { protocol: 'tcp', vip: '127.0.0.1', port: 80, count: 1 },
          everyMs: 100,
          forMs: 800,
          timeoutMs: 1000,
          startedFile: started,
        }),
      );
      const timed = JSON.parse(timeline.stdout) as Array<ProbeAnswer & { at: number }>;
      t.true(timed.length >= 4 && timed.length <= 8, `${timed.length} requests in 800 ms, one every 100 ms`);
      t.true(
        timed.every((a) => a.ok && a.node === 'rs1'),
        timeline.stdout,
      );
      const gaps = timed.slice(1).map((a, i) => a.at - timed[i].at);
      t.true(
        gaps.every((gap) => gap >= 100),
        `the requests' sending times are their own: ${gaps.join(', ')} ms apart`,
      );
      t.regex((await onLab(['cat', started])).stdout, /^\d+\n$/, "the started file holds the prober's pid");
    } finally {
      await killIn(ns);
      await tryOnLab(['ip', 'netns', 'del', ns]);
      await tryOnLab(['rm', '-rf', files]);
    }
  },
);

test.serial(
  'the service, in a namespace of its own: its comm is lvslab-service; an HTTP GET gets a head whose Content-Length is the body it sends; a ' +
    'client that connects and closes (a TCP health check) still gets the identity line',
  async (t) => {
    const ns = 'lvslab-service-test';
    await onLab(['ip', 'netns', 'add', ns]);
    try {
      await onLab(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      await startOnLab(['ip', 'netns', 'exec', ns, ...SERVICE_COMMAND, 'rs2', 'tcp:0.0.0.0:8080'], { ready: SERVICE_READY });
      const { host } = machineLifecycle();
      t.deepEqual(await Promise.all((await host.pidsIn([ns])).map((pid) => host.programOf(pid))), [SERVICE_PROGRAM]);
      const line = (peer: string) => `node=rs2 peer=${peer} local=127.0.0.1:8080\n`;
      for (const bytes of [0, 1, 100_000]) {
        const got = (await inNs(ns, 'curl', '-s', '-i', `http://127.0.0.1:8080/?bytes=${bytes}`)).stdout;
        const [head, body] = [got.slice(0, got.indexOf('\r\n\r\n')), got.slice(got.indexOf('\r\n\r\n') + 4)];
        t.regex(head, /^HTTP\/1\.0 200 OK\r\n/);
        t.regex(head, /\r\nX-Lvslab-Node: rs2\r\n/);
        t.is(Number(/\r\nContent-Length: (\d+)/.exec(head)?.[1]), body.length, `bytes=${bytes}`);
        t.is(body, line(/peer=(\S+)/.exec(body)?.[1] ?? '?') + '.'.repeat(bytes));
      }
      const large = (await inNs(ns, 'curl', '-s', '-D', '-', '-o', '/dev/null', '-w', '%{size_download}', 'http://127.0.0.1:8080/?bytes=1048576')).stdout;
      t.is(Number(/\r\nContent-Length: (\d+)/.exec(large)?.[1]), Number(large.split('\n').pop()), 'a 1 MiB body whole');
      // Connects, ends its side at once, reads what comes.
      const check = await inNs(ns, 'perl', '-e', 'socket(S, 2, 1, 0); connect(S, pack("S n C4 x8", 2, 8080, 127, 0, 0, 1)) or die; shutdown(S, 1); print <S>');
      t.regex(check.stdout, /^node=rs2 peer=127\.0\.0\.1:\d+ local=127\.0\.0\.1:8080\n$/);
    } finally {
      await killIn(ns);
      await tryOnLab(['ip', 'netns', 'del', ns]);
    }
  },
);

test.serial("up refuses a namespace of the same name that is not lvslab's, creates nothing, and down --all leaves it alone", async (t) => {
  await onLab(['ip', 'netns', 'add', 'dr-client']);
  try {
    const result = await cli('up', join(TOPOLOGIES, 'dr.yaml'), '--runner', 'host');
    t.is(result.exitCode, 1);
    t.regex(result.stderr, /dr-client exist and are not lvslab's/);
    t.deepEqual((await onLab(['ip', 'netns', 'list'])).stdout.trim().split('\n'), ['dr-client']);
    t.is((await cli('down', '--all')).exitCode, 0);
    t.deepEqual((await onLab(['ip', 'netns', 'list'])).stdout.trim().split('\n'), ['dr-client']);
  } finally {
    await onLab(['ip', 'netns', 'del', 'dr-client']);
  }
});

test.serial(
  'the CLI: up, up again says nothing to do, verify passes (table and JUnit), graph draws the observed paths, status shows the IPVS table, exec reaches the ' +
    'VIP, a changed file needs --recreate, down',
  async (t) => {
    const file = join(TOPOLOGIES, 'nat.yaml');
    t.is((await cli('up', file, '--runner', 'host')).exitCode, 0);
    const again = await cli('up', file, '--runner', 'host');
    t.is(again.exitCode, 0);
    t.regex(again.stdout, /lab nat is already up and matches .*nat\.yaml: nothing to do/);
    const verify = await cli('verify', file, '--runner', 'host');
    t.is(verify.exitCode, 0, verify.stdout);
    t.regex(verify.stdout, /^tcp 10\.10\.0\.100:80 answers client2 through the VIP +pass/m);
    const passed = /^(\d+) passed, 0 failed$/m.exec(verify.stdout);
    t.truthy(passed, verify.stdout);
    t.true(Number(passed![1]) >= 20, 'the verifier ran its checks');
    const junit = await cli('verify', file, '--runner', 'host', '--junit');
    t.regex(junit.stdout, /<testsuite name="nat" tests="\d+" failures="0">/);
    const graph = await cli('graph', file, '--runner', 'host', '--out', '/tmp/graphs');
    t.is(graph.exitCode, 0, graph.stderr);
    t.regex(graph.stdout, /wrote \/tmp\/graphs\/nat\.svg and \/tmp\/graphs\/nat\.mmd: /);
    t.regex(graph.stdout, /: request client -> gateway -> director -> rs[12], reply rs[12] -> director -> gateway -> client$/m);
    const status = await cli('status', 'nat');
    t.regex(status.stdout, /ipvs tcp 10\.10\.0\.100:80 rr/);
    t.regex(status.stdout, /-> 10\.10\.0\.10:8080 +Masq/);
    const curl = await cli('exec', 'nat', 'client2', '--', 'curl', '-s', '--max-time', '5', 'http://10.10.0.100/');
    t.regex(curl.stdout, /^node=rs[12] peer=198\.51\.100\.11:\d+ local=10\.10\.0\.1[01]:8080$/m);
    const changed = '/tmp/nat.yaml';
    await writeFile(
      changed,
      (await import('node:fs')).readFileSync(file, 'utf8').replace('scheduler: rr\n  - protocol: udp', 'scheduler: wrr\n  - protocol: udp'),
    );
    const drift = await cli('up', changed, '--runner', 'host');
    t.is(drift.exitCode, 1);
    t.regex(drift.stderr, /\+ -A -t 10\.10\.0\.100:80 -s wrr/);
    t.regex(drift.stderr, /lvslab up --recreate/);
    t.is((await cli('up', changed, '--runner', 'host', '--recreate')).exitCode, 0);
    t.is((await cli('down', 'nat')).exitCode, 0);
    t.is((await cli('down', 'nat')).stdout.trim(), 'lab nat: nothing to remove');
  },
);

test.serial('kill -9 of lvslab up at different moments: lvslab down removes all it made, and the next up works', async (t) => {
  const o = options();
  const before = await hostSnapshot(o);
  // Moments spread over an up that takes a few seconds under emulation: namespaces, links, addresses, services.
  for (const ms of [150, 600, 1200, 2500]) {
    const up = execa(process.execPath, [CLI_ENTRY, 'up', join(TOPOLOGIES, 'dr.yaml'), '--runner', 'host'], { reject: false });
    await new Promise((r) => setTimeout(r, ms));
    up.kill('SIGKILL');
    await up;
    const down = await cli('down', 'dr');
    t.is(down.exitCode, 0, down.stderr);
    t.is(await hostSnapshot(o), before, `after a kill at ${ms} ms and down`);
  }
  const again = await cli('up', join(TOPOLOGIES, 'dr.yaml'), '--runner', 'host');
  t.is(again.exitCode, 0, again.stderr);
  t.is((await cli('down', 'dr')).exitCode, 0);
  t.is(await hostSnapshot(o), before);
});

test.serial('the CLI exits 1 when verify finds a broken lab, and when test cannot build a lab', async (t) => {
  const file = '/tmp/clifail.yaml';
  await writeFile(file, 'name: clifail\nmode: dr\nrealServers: 2\nservices:\n  - { port: 80 }\n');
  t.is((await cli('up', file, '--runner', 'host')).exitCode, 0);
  await inNs('clifail-director', 'ipvsadm', '-E', '-t', '10.10.0.100:80', '-s', 'wlc');
  const verify = await cli('verify', file, '--runner', 'host');
  t.is(verify.exitCode, 1, verify.stdout);
  t.regex(verify.stdout, /the director's live IPVS table is the one the topology declares\s+FAIL/);
  t.is((await cli('down', 'clifail')).exitCode, 0);
  // A namespace in the way that is not lvslab's: up refuses, test reports it and exits 1.
  await onLab(['ip', 'netns', 'add', 'clifail-client']);
  try {
    const run = await cli('test', file, '--runner', 'host');
    t.is(run.exitCode, 1, run.stdout);
    t.regex(run.stdout, /✘ clifail: up and verify complete/);
    t.regex(run.stdout, /^\d+ passed, [1-9]\d* failed$/m);
  } finally {
    await onLab(['ip', 'netns', 'del', 'clifail-client']);
  }
});
