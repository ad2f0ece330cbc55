/**
 * The command line's answers without a lab: help for every verb, usage errors, bad files. Each
 * runs the built CLI as a user would and checks the exit status and the words.
 */
import test from 'ava';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { VERB_HELP } from '../../src/cli/help.js';
import { CLI_ENTRY } from '../../src/model/package-root.js';
import { FIXTURES, TOPOLOGIES } from '../helpers/paths.js';

const lvslab = (args: string[]) => execa(process.execPath, [CLI_ENTRY, ...args], { reject: false, env: { LVSLAB_PROGRESS: 'plain' } });
const VERBS = Object.keys(VERB_HELP);

test('every verb has help', (t) => {
  t.deepEqual([...VERBS].sort(), ['bench', 'demo', 'down', 'exec', 'fault', 'graph', 'plan', 'scenario', 'status', 'test', 'up', 'validate', 'verify', 'vm']);
});

for (const verb of VERBS) {
  for (const ask of [
    [verb, '--help'],
    [verb, '-h'],
    ['help', verb],
  ]) {
    test(`lvslab ${ask.join(' ')} prints the usage and options of ${verb} and exits 0`, async (t) => {
      const result = await lvslab(ask);
      t.is(result.exitCode, 0, result.stderr);
      t.true(result.stdout.startsWith(`usage: lvslab ${verb}`), result.stdout);
      t.regex(result.stdout, /Exit codes: 0 success/);
      if (VERB_HELP[verb].options) t.regex(result.stdout, /\noptions:\n {2}--/);
      t.is(result.stderr, '');
    });
  }
}

test('--help after -- belongs to the command, not to lvslab', async (t) => {
  const result = await lvslab(['exec', 'nolab', 'client', '--', 'ls', '--help']);
  t.not(result.exitCode, 0);
  t.notRegex(result.stdout, /usage: lvslab exec/);
});

test('lvslab without a verb prints the overview on stderr and exits 2; lvslab --help on stdout and exits 0', async (t) => {
  const bare = await lvslab([]);
  t.is(bare.exitCode, 2);
  t.regex(bare.stderr, /^usage: lvslab <verb>/);
  const help = await lvslab(['--help']);
  t.is(help.exitCode, 0);
  for (const verb of VERBS) t.regex(help.stdout, new RegExp(`^ {2}${verb}\\b`, 'm'));
});

const usageErrors: Array<[string[], RegExp]> = [
  [['dmo'], /^unknown verb "dmo"; did you mean "demo"\?/],
  [['help', 'nope'], /^no verb "nope"/],
  [['demo', '--bogus'], /Unknown option '--bogus'[\s\S]*usage: lvslab demo/],
  [['verify', 'topologies/dr.yaml', '--runner', 'bogus'], /--runner must be one of auto, host, vm; got "bogus"/],
  [['test'], /lvslab test needs at least one FILE/],
  [['bench', '--only', 'throughput'], /--only must be one of cluster, ha; got "throughput"/],
  [['bench', '--only', 'ha,'], /--only must be one of cluster, ha; got ""/],
  [['plan'], /lvslab plan needs exactly one FILE/],
  [['up', 'a.yaml', 'b.yaml'], /lvslab up needs exactly one FILE/],
  [['vm'], /lvslab vm needs one of --shell, --serve SOCKET or -- CMD/],
  [['vm', '--memory', 'lots', '--', 'true'], /--memory must be a positive whole number; got "lots"/],
  [['vm', '--cpus', '0', '--', 'true'], /--cpus must be a positive whole number; got "0"/],
  [['vm', '--shell', '--serve', '/tmp/lvslab.sock'], /lvslab vm needs one of --shell, --serve SOCKET or -- CMD/],
  [['vm', '--serve', '/nonexistent/lvslab/g.sock'], /^lvslab vm --serve: the folder of \/nonexistent\/lvslab\/g\.sock does not exist; nothing was started/],
  [['validate'], /lvslab validate needs at least one FILE/],
  [['fault', 'dr'], /^usage: lvslab fault LAB\|FILE KIND TARGET \[VALUE\]/],
  [['fault', 'dr', 'unplug', 'rs1'], /^unknown fault "unplug"; faults:\n {2}kill-service RS: /],
  [['fault', 'dr', 'loss', 'rs1', '101'], /^loss takes a percent above 0 and at most 100, got "101"/],
];
for (const [args, message] of usageErrors) {
  test(`lvslab ${args.join(' ')} is a usage error: exit 2, a message, no stack`, async (t) => {
    const result = await lvslab(args);
    t.is(result.exitCode, 2, result.stderr);
    t.regex(result.stderr, message);
    t.notRegex(result.stderr, /\n\s+at .*\(.*:\d+:\d+\)/);
  });
}

for (const verb of ['plan', 'up', 'verify', 'test', 'graph']) {
  test(`lvslab ${verb} on a bad topology exits 2 with the position and creates nothing`, async (t) => {
    const result = await lvslab([verb, join(FIXTURES, 'bad', '44-director-has-gateway-address.yaml')]);
    t.is(result.exitCode, 2, result.stderr);
    t.regex(result.stderr, /44-director-has-gateway-address\.yaml:3:22: director\.address: address 10\.10\.0\.1 is the gateway's default address/);
    t.is(result.stdout, '');
  });
}

test('lvslab validate reports on every file even when one of them cannot be converted', async (t) => {
  const files = ['38-alias-bomb.yaml', '40-unresolved-alias.yaml', '48-two-documents.yaml', '116-binary-file.yaml'].map((f) => join(FIXTURES, 'bad', f));
  const result = await lvslab(['validate', ...files, join(TOPOLOGIES, 'dr.yaml')]);
  t.is(result.exitCode, 2);
  t.regex(result.stdout, /dr\.yaml: ok: lab dr/);
  for (const file of files) t.regex(result.stderr, new RegExp(`${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: `));
  t.true(result.stderr.length < 2000, 'nothing of the binary file is echoed');
});

test('a deeply nested file is refused in words, whatever the depth', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lvslab-deep-'));
  for (const depth of [40, 3000, 50000]) {
    const file = join(dir, `deep${depth}.yaml`);
    writeFileSync(file, `name: lab\nmode: dr\nservices: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
    const result = await lvslab(['validate', file]);
    t.is(result.exitCode, 2);
    t.regex(result.stderr, /deep\d+\.yaml:3:\d+: \(root\): the YAML nests (more than 32 levels deep|too deeply)/);
    t.notRegex(result.stderr, /Maximum call stack/);
  }
});

test('lvslab scenario: a lab without scenarios, an unknown name, and a host where no lab can be running are usage errors that say what to do', async (t) => {
  const none = await lvslab(['scenario', join(TOPOLOGIES, 'dr.yaml')]);
  t.is(none.exitCode, 2);
  t.regex(none.stderr, /lab dr has no scenarios \(add `scenarios:` to its topology\)/);
  const unknown = await lvslab(['scenario', join(TOPOLOGIES, 'dr-own.yaml'), 'nope']);
  t.is(unknown.exitCode, 2);
  t.regex(unknown.stderr, /lab dr-own has no scenario nope; scenarios: real-server-dies, master-link-fails/);
  const result = await execa(process.execPath, [CLI_ENTRY, 'scenario', join(TOPOLOGIES, 'dr-own.yaml')], {
    reject: false,
    env: { LVSLAB_PROGRESS: 'plain', LVSLAB_GUEST: '' },
  });
  if (existsSync('/proc/net/ip_vs')) t.regex(result.stderr, /lab dr-own is not running: run `lvslab up /);
  else {
    t.is(result.exitCode, 2);
    t.regex(result.stderr, /cannot be running on this host, which has no IPVS: run `lvslab test .*dr-own\.yaml` .* LVSLAB_GUEST=SOCKET/);
  }
});

test("lvslab validate's one line says what keepalived and scenarios add: a pair with its VRRP instance, an own keepalived.conf, the scenarios", async (t) => {
  const result = await lvslab(['validate', join(TOPOLOGIES, 'dr-own.yaml'), join(TOPOLOGIES, 'dr-keepalived.yaml')]);
  t.is(result.exitCode, 0, result.stderr);
  const line = result.stdout.split('\n').find((l) => l.includes('dr-own.yaml: ok: '));
  t.is(
    line?.replace(/^.*dr-own\.yaml: ok: /, ''),
    'lab dr-own, mode dr, 2 real servers, 1 client(s); tcp 10.10.0.100:80 wrr; a director pair (VRRP router id 61, advert 1 s, connections synced); ' +
      'its own keepalived.conf; 2 scenario(s): real-server-dies, master-link-fails',
  );
  t.regex(result.stdout, /dr-keepalived\.yaml: ok: .*; keepalived health checks$/m);
});
