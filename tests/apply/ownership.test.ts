import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLoAliases } from '../../src/apply/ownership.js';
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
