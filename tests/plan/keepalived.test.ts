/** keepalived as the writer of the IPVS table: its config per mode (accepted by keepalived itself), and the plan's steps. */
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTopology } from '../../src/load/load-topology.js';
import type { Lab } from '../../src/model/lab.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { keepalivedConf, UDP_CHECK_PAYLOAD } from '../../src/plan/keepalived.js';
import { renderScript } from '../../src/plan/render-script.js';
import { validateLoaded } from '../../src/validate/validate-topology.js';
import { GOLDEN_SERVICE_COMMAND } from '../helpers/paths.js';

const TUN_NETS = 'networks:\n  outside: { subnet: 198.51.100.0/24 }\n  lan: { subnet: 10.10.0.0/24 }\n  far: { subnet: 10.20.0.0/24 }\n';
const labOf = (mode: string, extra = ''): Lab => validateLoaded(parseTopology(`name: k${mode}\nmode: ${mode}\nkeepalived: true\n${extra}`, 'k.yaml'));
const planOf = (lab: Lab) => buildPlan(lab, { service: GOLDEN_SERVICE_COMMAND });
const dir = mkdtempSync(join(tmpdir(), 'lvslab-keepalived-'));

/** keepalived's own config test (`keepalived -t`): exit 0 and nothing said, or its complaints. */
function configTest(lines: string[], name: string): { status: number | null; said: string } {
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const result = spawnSync('keepalived', ['-t', '-f', file], { encoding: 'utf8' });
  return { status: result.status, said: `${result.stdout}${result.stderr}`.trim() };
}

for (const [mode, kind] of [
  ['dr', 'DR'],
  ['nat', 'NAT'],
  ['tun', 'TUN'],
  ['fullnat', 'NAT'],
] as const) {
  test(`${mode}: keepalived.conf says lb_kind ${kind}, and keepalived's own config test accepts it`, (t) => {
    const lab = labOf(mode, mode === 'tun' ? TUN_NETS : '');
    const conf = keepalivedConf(lab);
    t.true(conf.includes(`  lb_kind ${kind}`));
    t.deepEqual(configTest(conf, mode), { status: 0, said: '' });
  });
}

test("keepalived's config test is no formality: it refuses a config we got wrong", (t) => {
  const conf = keepalivedConf(labOf('dr')).map((line) => line.replace('lb_kind DR', 'lb_kind DIRECT'));
  const result = configTest(conf, 'wrong');
  t.not(result.status, 0);
  t.regex(result.said, /unknown \[DIRECT\] routing method/);
});

test('each checker, as written: tcp and udp on the real port, http with its path and status, none without a checker', (t) => {
  const conf = keepalivedConf(
    labOf(
      'nat',
      'services:\n  - { port: 80, realPort: 8080, scheduler: wrr, persistence: 30, check: { type: http, path: /ok, expect: 204 } }\n' +
        '  - { protocol: udp, port: 53, realPort: 5353 }\n  - { port: 81, check: { type: none } }\n',
    ),
  ).join('\n');
  t.regex(conf, /virtual_server 10\.10\.0\.100 80 \{\n {2}delay_loop 1\n {2}lb_algo wrr\n {2}lb_kind NAT\n {2}protocol TCP\n {2}persistence_timeout 30\n/);
  t.regex(
    conf,
    /real_server 10\.10\.0\.10 8080 \{\n {4}weight 1\n {4}HTTP_GET \{\n {6}url \{\n {8}path \/ok\n {8}status_code 204\n {6}\}\n {6}connect_port 8080\n/,
  );
  t.regex(
    conf,
    new RegExp(
      `real_server 10\\.10\\.0\\.11 5353 \\{\\n {4}weight 1\\n {4}UDP_CHECK \\{\\n {6}connect_port 5353\\n` +
        `[^}]*payload ${UDP_CHECK_PAYLOAD}\\n {6}require_reply\\n`,
    ),
  );
  t.regex(conf, /virtual_server 10\.10\.0\.100 81 \{[^]*real_server 10\.10\.0\.10 81 \{\n {4}weight 1\n {2}\}/);
  t.deepEqual(configTest(conf.split('\n'), 'checkers'), { status: 0, said: '' });
});

test('with keepalived the plan has no ipvsadm -R: keepalived starts last, after the services, and up waits for every member', (t) => {
  const plan = planOf(labOf('dr'));
  t.false(plan.steps.some((s) => s.argv.includes('ipvsadm') && s.argv.includes('-R')));
  const last = plan.steps.slice(-4);
  t.deepEqual(
    last.map((s) => [s.phase, s.title]),
    [
      ['keepalived', "the director's run folder"],
      ['keepalived', 'keepalived.conf'],
      ['keepalived', 'keepalived: health checks, the IPVS table'],
      ['keepalived', 'wait for keepalived to write the IPVS table'],
    ],
  );
  t.true(plan.steps.findIndex((s) => s.phase === 'services') < plan.steps.length - 4);
  t.deepEqual(last[2].argv.slice(0, 11), ['ip', 'netns', 'exec', 'kdr-director', 'keepalived', '-n', '-l', '-D', '-G', '-C', '-f']);
  t.is(last[2].log, '/run/lvslab/kdr/director/keepalived.log');
  t.deepEqual(last[3].until, { pattern: '^-a ', count: 4, withinMs: 20_000, explainWith: '/run/lvslab/kdr/director/keepalived.log' });
});

test("a udp service bound to the VIP (DR, TUN) gets a second listener on the real server's address for the checker; NAT needs none", (t) => {
  const listeners = (lab: Lab) =>
    planOf(lab)
      .steps.filter((s) => s.phase === 'services' && s.node === 'rs1')
      .map((s) => s.argv.slice(s.argv.indexOf('rs1')));
  t.deepEqual(listeners(labOf('dr')), [['rs1', 'tcp:0.0.0.0:80', 'udp:10.10.0.100:80', 'udp:10.10.0.10:80']]);
  t.deepEqual(listeners(labOf('nat')), [['rs1', 'tcp:0.0.0.0:80', 'udp:10.10.0.10:80']]);
  t.deepEqual(listeners(labOf('dr', 'services:\n  - { protocol: udp, port: 80, check: { type: none } }\n')), [['rs1', 'udp:10.10.0.100:80']]);
});

test('the rendered plan waits for the table in a loop a shell can run', (t) => {
  const script = renderScript(planOf(labOf('dr')), 'k.yaml');
  t.regex(script, /^i=0; until \[ "\$\(ip netns exec kdr-director ipvsadm -S -n \| grep -cE '\^-a '\)" -ge 4 \]; do$/m);
  t.regex(script, />>\/run\/lvslab\/kdr\/director\/keepalived\.log 2>&1 &$/m);
  t.notThrows(() => execFileSync('sh', ['-n'], { input: script }));
});

const pairOf = (extra = ''): Lab => validateLoaded(parseTopology(`name: ha\nmode: dr\ndirectors: 2\nkeepalived:${extra || ' true'}\n`, 'ha.yaml'));

test("a pair: each director's config has the VRRP instance (the first MASTER), the sync daemon, and keepalived's config test accepts both", (t) => {
  const lab = pairOf();
  const [master, backup] = [lab.director, lab.backups![0]].map((d) => keepalivedConf(lab, d));
  t.deepEqual(master.slice(1, 19), [
    'global_defs {',
    '  router_id ha-director1',
    '  lvs_sync_daemon eth0 VI_1 id 51',
    '}',
    'vrrp_instance VI_1 {',
    '  state MASTER',
    '  interface eth0',
    '  virtual_router_id 51',
    '  priority 150',
    '  advert_int 1',
    '  virtual_ipaddress {',
    '    10.10.0.100/32 dev eth0',
    '  }',
    '}',
    'virtual_server 10.10.0.100 80 {',
    '  delay_loop 1',
    '  lb_algo rr',
    '  lb_kind DR',
  ]);
  t.true(backup.includes('  state BACKUP') && backup.includes('  priority 100') && backup.includes('  router_id ha-director2'));
  t.deepEqual(configTest(master, 'pair-master'), { status: 0, said: '' });
  t.deepEqual(configTest(backup, 'pair-backup'), { status: 0, said: '' });
});

test("a NAT pair: the real servers' floating gateway moves with the VIP in the VRRP instance; keepalived's config test accepts it", (t) => {
  const lab = validateLoaded(
    parseTopology('name: hanat\nmode: nat\ndirectors: 2\nkeepalived: true\nservices:\n  - { port: 80, realPort: 8080 }\n', 'hanat.yaml'),
  );
  const conf = keepalivedConf(lab, lab.backups![0]);
  const block = conf.slice(conf.indexOf('  virtual_ipaddress {'), conf.indexOf('  virtual_ipaddress {') + 4);
  t.deepEqual(block, ['  virtual_ipaddress {', '    10.10.0.100/32 dev eth0', '    10.10.0.254/32 dev eth0', '  }']);
  t.true(conf.includes('  lb_kind NAT'));
  t.deepEqual(configTest(conf, 'pair-nat'), { status: 0, said: '' });
});

test('a pair: adverts under a second take VRRP version 3; without sync no sync daemon', (t) => {
  const conf = keepalivedConf(pairOf('\n  vrrp: { advertInterval: 0.2 }\n  sync: false'));
  t.true(conf.includes('  vrrp_version 3') && conf.includes('  advert_int 0.2'));
  t.false(conf.some((line) => line.includes('lvs_sync_daemon')));
  t.deepEqual(configTest(conf, 'pair-fast'), { status: 0, said: '' });
});

test('a pair: no director gets the VIP from the plan (keepalived moves it); both run VRRP; up waits for the master to hold it', (t) => {
  const plan = planOf(pairOf());
  const addressing = plan.steps.filter((s) => s.title === 'addresses and routes' && s.node.startsWith('director'));
  t.is(addressing.length, 2);
  t.false(addressing.some((s) => s.input?.some((line) => line.includes('10.10.0.100'))));
  const starts = plan.steps.filter((s) => s.daemon && s.argv.includes('keepalived'));
  t.deepEqual(
    starts.map((s) => [s.node, s.argv.includes('-C'), s.argv[s.argv.indexOf('-r') + 1]]),
    [
      ['director1', false, '/run/lvslab/ha/director1/vrrp.pid'],
      ['director2', false, '/run/lvslab/ha/director2/vrrp.pid'],
    ],
  );
  const vipWaits = plan.steps.filter((s) => s.title === 'wait for the VRRP master to hold the VIP');
  t.deepEqual(
    vipWaits.map((s) => [s.node, s.until?.pattern]),
    [['director1', ' inet (10\\.10\\.0\\.100)/32 ']],
  );
  t.true(new RegExp(vipWaits[0].until!.pattern).test('2: eth0    inet 10.10.0.100/32 scope global eth0'));
});
