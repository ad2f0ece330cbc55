/**
 * Bring your own keepalived.conf: a good pair becomes the lab its files say; a bad file is refused at its
 * file:line (syntax, what lvslab does not understand, what clashes with the topology), with exit 2 from the CLI
 * and nothing created; hostile files never crash the validator nor give a plan with holes in it.
 */
import test from 'ava';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseKeepalivedConf } from '../../src/load/keepalived-conf.js';
import type { Lab } from '../../src/model/lab.js';
import { CLI_ENTRY } from '../../src/model/package-root.js';
import { TopologyError, type Problem } from '../../src/model/problems.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { keepalivedConf } from '../../src/plan/keepalived.js';
import { loadLab } from '../../src/validate/validate-topology.js';
import { GOLDEN_SERVICE_COMMAND, TOPOLOGIES } from '../helpers/paths.js';

const MASTER = readFileSync(join(TOPOLOGIES, 'keepalived', 'dr-own-director1.conf'), 'utf8');
const BACKUP = readFileSync(join(TOPOLOGIES, 'keepalived', 'dr-own-director2.conf'), 'utf8');
const PAIR = 'name: own\nmode: dr\ndirectors: 2\nkeepalived:\n  config: [one.conf, two.conf]\n';

let counter = 0;
/** A topology and its conf files in a folder of their own; the outcome of loading it. */
async function outcome(topology: string, confs: Record<string, string>): Promise<{ lab?: Lab; problems: Problem[]; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), `lvslab-own-${counter++}-`));
  writeFileSync(join(dir, 'lab.yaml'), topology);
  for (const [name, text] of Object.entries(confs)) writeFileSync(join(dir, name), text);
  try {
    return { lab: await loadLab(join(dir, 'lab.yaml')), problems: [], dir };
  } catch (error) {
    if (error instanceof TopologyError) return { problems: error.problems, dir };
    throw error;
  }
}

/** The problems as the CLI prints them, with the folder's path cut. */
async function said(topology: string, confs: Record<string, string>): Promise<string[]> {
  const { problems, dir } = await outcome(topology, confs);
  return problems.map((p) => `${p.file.replace(`${dir}/`, '')}:${p.line}:${p.col}: ${p.message}`);
}

const pair = (master = MASTER, backup = BACKUP) => said(PAIR, { 'one.conf': master, 'two.conf': backup });
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

test('the shipped pair: services, members by address, weights, the check, VRRP and sync come from the files, which run as written', async (t) => {
  const lab = await loadLab(join(TOPOLOGIES, 'dr-own.yaml'));
  t.deepEqual(
    lab.services.map((s) => [s.protocol, s.vip, s.port, s.scheduler, s.members.map((m) => `${m.realServer}@${m.address}:${m.port}x${m.weight}`)]),
    [['tcp', '10.10.0.100', 80, 'wrr', ['rs1@10.10.0.10:80x1', 'rs2@10.10.0.11:80x2']]],
  );
  t.deepEqual(lab.services[0].check, { type: 'tcp', interval: 1, timeout: 2, retries: 1, retryDelay: 0.5 });
  t.deepEqual(lab.keepalived!.vrrp, { routerId: 61, advertInterval: 1, sync: true, priorities: [200, 100] });
  t.deepEqual(keepalivedConf(lab, lab.director), MASTER.replace(/\n$/, '').split('\n'));
  t.deepEqual(keepalivedConf(lab, lab.backups![0]), BACKUP.replace(/\n$/, '').split('\n'));
  const tee = buildPlan(lab, { service: GOLDEN_SERVICE_COMMAND }).steps.filter((s) => s.argv[0] === 'tee' && s.argv[1].endsWith('keepalived.conf'));
  t.deepEqual(
    tee.map((s) => s.input),
    [MASTER, BACKUP].map((text) => text.replace(/\n$/, '').split('\n')),
  );
});

test("keepalived's defaults fill what a file leaves out (delay_loop 60, connect_timeout 5, retry 1, delay_before_retry 3 for HTTP_GET)", async (t) => {
  const conf = [
    'virtual_server 10.10.0.100 80 {',
    '  lb_algo rr',
    '  lb_kind NAT',
    '  real_server 10.10.0.10 80 {',
    '    HTTP_GET {',
    '      url {',
    '        path /ok',
    '      }',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
  const { lab, problems } = await outcome('name: one\nmode: nat\nkeepalived: { config: k.conf }\n', { 'k.conf': conf });
  t.deepEqual(problems, []);
  t.deepEqual(lab!.services[0].check, { type: 'http', path: '/ok', expect: 200, interval: 60, timeout: 5, retries: 1, retryDelay: 3 });
  t.is(lab!.keepalived!.vrrp, undefined);
});

test('a syntax error stands at its line: a block never closed, a stray brace', async (t) => {
  t.deepEqual(
    await pair(
      MASTER.replace('    virtual_ipaddress {\n        10.10.0.100/32 dev eth0\n    }\n', '    virtual_ipaddress {\n        10.10.0.100/32 dev eth0\n'),
    ),
    [`one.conf:${lineOf(MASTER, 'vrrp_instance')}:1: the block \`vrrp_instance\` opened here is never closed: a \`}\` is missing`],
  );
  const stray = `${MASTER}}\n`;
  t.deepEqual(await pair(stray), [`one.conf:${stray.split('\n').length - 1}:1: a \`}\` with no open block to close`]);
});

test('what lvslab does not understand is named at its line, with the reason or what it understands there', async (t) => {
  const script = MASTER.replace('vrrp_instance VI_WEB {', 'vrrp_script chk {\n    script "/bin/true"\n}\nvrrp_instance VI_WEB {');
  t.deepEqual(await pair(script), [
    `one.conf:${lineOf(script, 'vrrp_script')}:1: vrrp_script at the top level: scripts would run commands in the lab that its checks know nothing of`,
  ]);
  const typo = MASTER.replace('    lb_algo wrr', '    lb_algoo wrr');
  const [problem] = await pair(typo);
  t.regex(
    problem,
    new RegExp(`^one\\.conf:${lineOf(typo, 'lb_algoo')}:5: lb_algoo in virtual_server: not a keyword lvslab understands there; it understands .*lb_algo`),
  );
  const misc = MASTER.replace('        TCP_CHECK {', '        MISC_CHECK {');
  t.regex((await pair(misc))[0], /^one\.conf:\d+:9: MISC_CHECK in real_server: a script checker would run commands/);
  t.regex(
    (await pair(`include /etc/keepalived/other.conf\n${MASTER}`))[0],
    /^one\.conf:1:1: include at the top level: lvslab runs each director's file as written/,
  );
  t.regex(
    (await pair(MASTER.replace('    advert_int 1', '    advert_int 1\n    nopreempt')))[0],
    /nopreempt in vrrp_instance: lvslab's failover check expects the master/,
  );
});

test("values are checked: a scheduler IPVS lacks, a port out of range, the wrong lb_kind for the lab's mode", async (t) => {
  t.regex(
    (await pair(MASTER.replace('lb_algo wrr', 'lb_algo fastest')))[0],
    /^one\.conf:\d+:5: lb_algo "fastest" is not an IPVS scheduler; schedulers: rr, wrr/,
  );
  t.regex(
    (await pair(MASTER.replace('real_server 10.10.0.11 80', 'real_server 10.10.0.11 80000')))[0],
    /real_server needs a port from 1 to 65535, got "80000"/,
  );
  const nat = MASTER.replace('lb_kind DR', 'lb_kind NAT');
  t.deepEqual(await pair(nat, BACKUP.replace('lb_kind DR', 'lb_kind NAT')), [
    `one.conf:${lineOf(nat, 'lb_kind')}:5: lb_kind NAT does not match the lab's mode dr: write lb_kind DR`,
    `two.conf:${lineOf(nat, 'lb_kind')}:5: lb_kind NAT does not match the lab's mode dr: write lb_kind DR`,
  ]);
  const noKind = MASTER.replace('    lb_kind DR\n', '');
  t.regex((await pair(noKind))[0], /lb_kind NAT \(keepalived's default\) does not match the lab's mode dr/);
});

test('addresses that clash with the topology: a real server the lab has not, a VIP that is a real server, the wrong interface', async (t) => {
  const stranger = MASTER.replace('real_server 10.10.0.11 80', 'real_server 10.10.0.50 80');
  t.deepEqual(await pair(stranger, BACKUP.replace('real_server 10.10.0.11 80', 'real_server 10.10.0.50 80')), [
    `one.conf:${lineOf(stranger, '10.10.0.50')}:5: no real server of the lab has address 10.10.0.50; real servers: rs1 10.10.0.10, rs2 10.10.0.11`,
  ]);
  const vipIsDirector = (text: string) => text.replaceAll('10.10.0.100', '10.10.0.3');
  const [clash] = await pair(vipIsDirector(MASTER), vipIsDirector(BACKUP));
  t.is(clash, `one.conf:${lineOf(MASTER, 'virtual_server')}:1: VIP 10.10.0.3 is the address of director2; a VIP must be owned by the director alone`);
  const eth1 = MASTER.replace('    interface eth0', '    interface eth1');
  t.deepEqual(await pair(eth1), [`one.conf:${lineOf(eth1, 'interface eth1')}:5: interface eth1: the director's interface in the lab is eth0`]);
  const held = MASTER.replace('        10.10.0.100/32 dev eth0', '        10.10.0.100/32 dev eth0\n        10.10.0.3/32');
  t.deepEqual(await pair(held, BACKUP.replace('        10.10.0.100/32 dev eth0', '        10.10.0.100/32 dev eth0\n        10.10.0.3/32')), [
    `one.conf:${lineOf(held, '10.10.0.3/32')}:9: 10.10.0.3 is the address of director2; VRRP would take it from it`,
    `two.conf:${lineOf(held, '10.10.0.3/32')}:9: 10.10.0.3 is the address of director2; VRRP would take it from it`,
  ]);
});

test("a pair's files must agree, and the first is the master: router id, services, priorities", async (t) => {
  const otherId = BACKUP.replace('virtual_router_id 61', 'virtual_router_id 62');
  t.deepEqual(await pair(MASTER, otherId), [
    `two.conf:${lineOf(otherId, 'virtual_router_id')}:5: virtual_router_id differs from one.conf's (61): both directors of a pair must agree`,
  ]);
  const otherWeight = BACKUP.replace('weight 2', 'weight 3');
  t.deepEqual(await pair(MASTER, otherWeight), [
    `two.conf:${lineOf(otherWeight, 'virtual_server')}:1: virtual_server 10.10.0.100 80 differs from one.conf's (or is not there): ` +
      'both directors serve the same services',
  ]);
  const higher = BACKUP.replace('priority 100', 'priority 250');
  t.deepEqual(await pair(MASTER, higher), [
    `two.conf:${lineOf(higher, 'priority')}:5: priority 250 of director2 must be below director1's 200: the first director is the VRRP master`,
  ]);
  const noSync = BACKUP.replace('    lvs_sync_daemon eth0 VI_WEB id 61\n', '');
  t.regex((await pair(MASTER, noSync))[0], /^two\.conf:\d+:1: lvs_sync_daemon differs from one\.conf's \(true\)/);
});

test('the topology and its config: one file per director, no services or vrrp beside it, a file that must exist', async (t) => {
  t.deepEqual(await said('name: own\nmode: dr\ndirectors: 2\nkeepalived:\n  config: one.conf\n', { 'one.conf': MASTER }), [
    'lab.yaml:5:11: 2 directors run one keepalived.conf each: give 2 file(s), got 1 ' +
      '(a pair differs in state and priority: a list of two files, the master first)',
  ]);
  t.deepEqual(await said(`${PAIR}  sync: false\nservices:\n  - { port: 80 }\n`, { 'one.conf': MASTER, 'two.conf': BACKUP }), [
    'lab.yaml:6:9: `sync` comes from the keepalived.config file(s); remove it here, or remove config',
    "lab.yaml:8:3: the services come from the keepalived.config file(s)' virtual_server blocks; remove `services`, or remove config",
  ]);
  const [missing] = await said(PAIR, { 'one.conf': MASTER });
  t.regex(missing, /^lab\.yaml:5:22: cannot read keepalived config .*\/two\.conf: no such file$/);
  t.regex((await said('name: own\nmode: dr\nkeepalived: { config: /dev/zero }\n', {}))[0], /cannot read keepalived config \/dev\/zero: not a regular file/);
  t.deepEqual(await said('name: one\nmode: dr\nkeepalived: { config: k.conf }\n', { 'k.conf': MASTER }), [
    `k.conf:${lineOf(MASTER, 'lvs_sync_daemon')}:5: lvs_sync_daemon copies connections between the directors of a pair: set \`directors: 2\``,
    `k.conf:${lineOf(MASTER, 'vrrp_instance')}:1: a vrrp_instance needs a director pair: set \`directors: 2\` and give one file per director`,
  ]);
});

test("a NAT pair must move the real servers' floating gateway with the VIP", async (t) => {
  const nat = (text: string) => text.replaceAll('lb_kind DR', 'lb_kind NAT');
  const [problem] = await said(PAIR.replace('mode: dr', 'mode: nat'), { 'one.conf': nat(MASTER), 'two.conf': nat(BACKUP) });
  t.is(
    problem,
    `one.conf:${lineOf(MASTER, 'virtual_ipaddress')}:5: in nat mode the real servers route through 10.10.0.254 (the last host of the directors' network), ` +
      'which must move with the VIP: add it to virtual_ipaddress',
  );
  const floating = (text: string) => nat(text).replace('        10.10.0.100/32 dev eth0', '        10.10.0.100/32 dev eth0\n        10.10.0.254/32 dev eth0');
  const { lab, problems } = await outcome(PAIR.replace('mode: dr', 'mode: nat'), { 'one.conf': floating(MASTER), 'two.conf': floating(BACKUP) });
  t.deepEqual(problems, []);
  t.is(lab!.keepalived!.vrrp!.floating, '10.10.0.254');
});

test('lvslab validate and up exit 2 on a bad config with its file:line, and up creates nothing', async (t) => {
  const { dir } = await outcome(PAIR, { 'one.conf': MASTER.replace('lb_algo wrr', 'lb_algo fastest'), 'two.conf': BACKUP });
  for (const verb of ['validate', 'up']) {
    const result = await execa(process.execPath, [CLI_ENTRY, verb, join(dir, 'lab.yaml')], { reject: false, env: { LVSLAB_GUEST: '' } });
    t.is(result.exitCode, 2, verb);
    t.regex(result.stderr, new RegExp(`^${dir}/one\\.conf:${lineOf(MASTER, 'lb_algo')}:5: keepalived\\.config\\[0\\]: lb_algo "fastest"`), verb);
    t.notRegex(result.stderr, /\n\s+at /, 'no stack trace');
  }
  const namespaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  t.notRegex(namespaces, /^own-/m);
});

test("what lvslab accepts, keepalived's own config test accepts too (the shipped pair)", (t) => {
  for (const file of ['dr-own-director1.conf', 'dr-own-director2.conf']) {
    const result = spawnSync('keepalived', ['-t', '-f', join(TOPOLOGIES, 'keepalived', file)], { encoding: 'utf8' });
    t.is(result.status, 0, `${file}: ${result.stderr}`);
  }
});

// ---- Hostile files ----

const WORDS = ['{', '}', '{', '}', 'virtual_server', 'real_server', 'vrrp_instance', 'global_defs', 'TCP_CHECK', 'HTTP_GET', 'url', 'path', 'lb_kind', 'DR'];
const word = fc.oneof(
  fc.constantFrom(...WORDS, 'delay_loop', 'priority', 'virtual_ipaddress', '10.10.0.100', '10.10.0.10', '80', '0', '-1', '1e9', 'NaN', '"', '#', '!', ''),
  fc.string({ maxLength: 12 }),
);
const hostileConf = fc
  .array(
    fc.array(word, { maxLength: 6 }).map((w) => w.join(' ')),
    { maxLength: 40 },
  )
  .map((lines) => lines.join('\n'));

/** A conf that lvslab refuses names only lines the file has; one it accepts gives a plan without holes. */
function judged(text: string, result: Awaited<ReturnType<typeof outcome>>): string | undefined {
  const lines = text.split('\n').length;
  for (const p of result.problems) {
    if (!(p.line >= 1 && p.col >= 1) || (p.file.endsWith('.conf') && p.line > lines)) return `bad position ${p.file}:${p.line}:${p.col}`;
    // A hole in a message: a word the file does not have (the file may well say NaN).
    const hole = ['NaN', 'undefined', '[object'].find((w) => p.message.includes(w) && !text.includes(w));
    if (!p.message || hole) return `bad message: ${p.message}`;
  }
  if (result.lab) {
    // The conf's own text goes into the plan as written; everything else must be whole.
    const steps = buildPlan(result.lab, { service: GOLDEN_SERVICE_COMMAND }).steps.filter(
      (s) => !(s.argv[0] === 'tee' && s.argv[1].endsWith('keepalived.conf')),
    );
    if (/NaN|undefined|null/.test(JSON.stringify(steps))) return 'a plan with holes';
  }
  return undefined;
}

test('generated hostile keepalived.conf files: positioned problems or a sound lab, never a crash', async (t) => {
  await fc.assert(
    fc.asyncProperty(hostileConf, async (text) => {
      const result = await outcome('name: own\nmode: dr\nkeepalived: { config: k.conf }\n', { 'k.conf': text });
      const wrong = judged(text, result);
      if (wrong) throw new Error(wrong);
    }),
    { numRuns: 150 },
  );
  t.pass();
});

test('the shipped master with one line deleted, doubled or cut: positioned problems or a sound lab, never a crash', async (t) => {
  const lines = MASTER.split('\n');
  let accepted = 0;
  for (let i = 0; i < lines.length; i++) {
    const edits = [
      [...lines.slice(0, i), ...lines.slice(i + 1)],
      [...lines.slice(0, i + 1), ...lines.slice(i)],
      [...lines.slice(0, i), lines[i].slice(0, 7), ...lines.slice(i + 1)],
    ];
    for (const edited of edits) {
      const text = edited.join('\n');
      const result = await outcome(PAIR, { 'one.conf': text, 'two.conf': BACKUP });
      if (result.lab) accepted++;
      const wrong = judged(text, result);
      if (wrong) return t.fail(`line ${i + 1}: ${wrong}`);
    }
  }
  t.true(accepted > 0 && accepted < lines.length * 3);
});

test('the parser: blocks opened on the next line, quoted words, comments, braces at a line end', (t) => {
  const { statements, problems } = parseKeepalivedConf('a b\n{\n  c "d e" # f\n  g { h }\n}\n! i {\n');
  t.deepEqual(problems, []);
  t.deepEqual(JSON.parse(JSON.stringify(statements)), [
    {
      keyword: 'a',
      args: ['b'],
      line: 1,
      col: 1,
      children: [
        { keyword: 'c', args: ['d e'], line: 3, col: 3 },
        { keyword: 'g', args: [], line: 4, col: 3, children: [{ keyword: 'h', args: [], line: 4, col: 7 }] },
      ],
    },
  ]);
});
