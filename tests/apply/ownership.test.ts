import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findOwned, loAliases, namedFor, parseLoAliases } from '../../src/apply/ownership.js';
import type { CommandRunner } from '../../src/apply/runner.js';
import type { HostView } from '../../src/apply/host.js';
import { markOf, parseMark } from '../../src/model/naming.js';
import { FIXTURES } from '../helpers/paths.js';

test('the lo alias of every namespace is read from ip -all netns exec', (t) => {
  const aliases = parseLoAliases(readFileSync(join(FIXTURES, 'captured', 'all-netns-lo.txt'), 'utf8'));
  t.is(aliases.size, 7);
  t.regex(aliases.get('nat-rs1')!, /^lvslab:nat:rs1:[0-9a-f]{12}$/);
});

test("a namespace without an alias, or with someone else's, is not ours", (t) => {
  const aliases = parseLoAliases(
    '\nnetns: mine\n1: lo: <LOOPBACK> mtu 65536\\    link/loopback 00:00\n\nnetns: theirs\n1: lo: <LOOPBACK>\\    alias docker:thing\n',
  );
  t.is(aliases.get('mine'), undefined);
  t.is(parseMark(aliases.get('theirs')), undefined);
  t.is(parseMark('lvslab:Bad_Lab:rs1:abc'), undefined);
});

test('a mark survives the round trip', (t) => {
  const mark = { lab: 'dr-wrr8', node: 'switch', planHash: '0123456789ab' };
  t.deepEqual(parseMark(markOf(mark)), mark);
});

/** A machine whose `ip -all netns exec` answers these results in turn (status, stdout). */
function answering(...results: Array<[number, string]>) {
  const calls: string[][] = [];
  const runner = {
    run: async (argv: readonly string[]) => {
      calls.push([...argv]);
      const [exitCode, stdout] = results[Math.min(calls.length, results.length) - 1];
      return { exitCode, stdout, stderr: exitCode ? 'killed' : '' };
    },
  } as unknown as CommandRunner;
  const host = { listNamespaces: async () => ['a-rs1', 'b-rs1'] } as unknown as HostView;
  return { runner, host, calls };
}

const ALIASES =
  '\nnetns: a-rs1\n1: lo: <LOOPBACK>\\    alias lvslab:a:rs1:0123456789ab\n\nnetns: b-rs1\n1: lo: <LOOPBACK>\\    alias lvslab:b:rs1:0123456789ab\n';

test("a listing cut short (a child killed by another lab's down: status 1) is read again, never taken as all there is", async (t) => {
  const cut = ALIASES.slice(0, ALIASES.indexOf('\nnetns: b-rs1'));
  const { runner, host, calls } = answering([1, cut], [0, ALIASES]);
  t.deepEqual(
    (await findOwned(runner, host)).map((o) => o.namespace),
    ['a-rs1', 'b-rs1'],
  );
  t.is(calls.length, 2);
  const broken = answering([1, cut]);
  await t.throwsAsync(findOwned(broken.runner, broken.host), {
    message: /cannot read the namespaces' ownership marks: ip -all netns exec stopped part-way \(killed\)/,
  });
  t.is(broken.calls.length, 5);
});

test("a lab's own marks are read a namespace at a time: one removed since it was listed is not there, one still there unread is an error", async (t) => {
  const runner = {
    run: async (argv: readonly string[]) =>
      argv[2] === 'a-rs1'
        ? { exitCode: 0, stdout: '1: lo: <LOOPBACK>\\    alias lvslab:a:rs1:0123456789ab\n', stderr: '' }
        : { exitCode: 255, stdout: '', stderr: 'Cannot open network namespace' },
  } as unknown as CommandRunner;
  const listings = [['a-rs1', 'a-rs2', 'b-rs1'], ['a-rs1']];
  const host = { listNamespaces: async () => listings.shift() ?? ['a-rs1', 'a-rs2'] } as unknown as HostView;
  t.deepEqual([...(await loAliases(runner, host, namedFor('a')))], [['a-rs1', 'lvslab:a:rs1:0123456789ab']]);
  await t.throwsAsync(loAliases(runner, host, namedFor('a')), { message: 'cannot read the ownership mark of namespace a-rs2: Cannot open network namespace' });
});
