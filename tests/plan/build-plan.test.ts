import test from 'ava';
import { join } from 'node:path';
import { buildPlan, labHash } from '../../src/plan/build-plan.js';
import { joinCommand, quoteArgument } from '../../src/plan/render-script.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { GOLDEN_SERVICE_COMMAND, TOPOLOGIES } from '../helpers/paths.js';

const plan = async (name: string) => buildPlan(await loadLab(join(TOPOLOGIES, `${name}.yaml`)), { service: GOLDEN_SERVICE_COMMAND });

test('every step is an argv array: no shell strings anywhere', async (t) => {
  for (const name of ['dr', 'nat', 'tun', 'fullnat']) {
    for (const step of (await plan(name)).steps) {
      t.true(Array.isArray(step.argv) && step.argv.every((a) => typeof a === 'string'));
      t.false(['sh', 'bash'].includes(step.argv[0]) || step.argv.includes('-c'), step.argv.join(' '));
    }
  }
});

test('namespaces are named <lab>-<node>, the switch first', async (t) => {
  t.deepEqual((await plan('dr')).namespaces, ['dr-switch', 'dr-client', 'dr-gateway', 'dr-director', 'dr-rs1', 'dr-rs2']);
});

test('each real server hides the VIP before it gets it, in dr mode', async (t) => {
  const steps = (await plan('dr')).steps.filter((s) => s.node === 'rs1');
  const sysctl = steps.findIndex((s) => s.argv.includes('sysctl'));
  const addresses = steps.findIndex((s) => s.input?.includes('addr add 10.10.0.100/32 dev lo'));
  t.true(sysctl >= 0 && sysctl < addresses);
  t.true(steps[sysctl].argv.includes('net.ipv4.conf.all.arp_ignore=1') && steps[sysctl].argv.includes('net.ipv4.conf.eth0.arp_announce=2'));
});

test('the forwarding method follows the mode', async (t) => {
  const flags = { nat: ' -m ', dr: ' -g ', tun: ' -i ', fullnat: ' -m ' };
  for (const [mode, flag] of Object.entries(flags)) {
    const ipvs = (await plan(mode)).steps.find((s) => s.argv.includes('ipvsadm'))!;
    t.true(
      ipvs.input!.filter((l) => l.startsWith('-a')).every((l) => l.includes(flag)),
      mode,
    );
  }
});

test('fullnat adds source NAT of IPVS traffic to the DIP, and only fullnat does', async (t) => {
  const snat = (await plan('fullnat')).steps.find((s) => s.argv.includes('iptables-restore'))!;
  t.true(snat.input!.includes('-A POSTROUTING -m ipvs --vproto 6 --vaddr 10.10.0.100/32 --vport 80 -j SNAT --to-source 10.10.0.2'));
  t.false((await plan('nat')).steps.some((s) => s.argv.includes('iptables-restore')));
});

test('the plan hash changes with the topology and ignores where the file lives', async (t) => {
  const lab = await loadLab(join(TOPOLOGIES, 'dr.yaml'));
  t.is(labHash(lab), labHash({ ...lab, source: 'elsewhere.yaml' }));
  t.not(labHash(lab), labHash({ ...lab, mode: 'tun' }));
});

test('each real server runs one service process for all its listeners, started once it says it is ready', async (t) => {
  const lab = await loadLab(join(TOPOLOGIES, 'dr.yaml'));
  // A checkout path with spaces is one argv element: nothing parses it.
  const services = buildPlan(lab, { service: ['node', '/home/me/my labs/service.js'] }).steps.filter((s) => s.phase === 'services');
  t.deepEqual(
    services.map((s) => [s.node, s.argv, s.daemon, s.ready]),
    ['rs1', 'rs2'].map((rs) => [
      rs,
      ['ip', 'netns', 'exec', `dr-${rs}`, 'node', '/home/me/my labs/service.js', rs, 'tcp:0.0.0.0:80', 'udp:10.10.0.100:80'],
      true,
      'lvslab-service ready',
    ]),
  );
});

test('arguments are quoted for a shell only when they need it', (t) => {
  t.is(quoteArgument('10.10.0.1/24'), '10.10.0.1/24');
  t.is(quoteArgument("it's"), `'it'\\''s'`);
  t.is(joinCommand(['echo', 'a b', 'c']), `echo 'a b' c`);
});

test('a one-armed director sends no ICMP redirects and real servers accept none: replies must keep crossing the director', async (t) => {
  const steps = (await plan('nat')).steps;
  const settings = (node: string) => steps.find((s) => s.node === node && s.argv.includes('sysctl'))!.argv;
  for (const key of ['all', 'default', 'eth0']) t.true(settings('director').includes(`net.ipv4.conf.${key}.send_redirects=0`), key);
  t.true(settings('rs1').includes('net.ipv4.conf.all.accept_redirects=0'));
  t.true(settings('gateway').includes('net.ipv4.conf.all.send_redirects=1'));
});
