import test from 'ava';
import { ALL_NAMESPACES_READS, readAllNamespaces, splitByNamespace } from '../../src/apply/all-namespaces.js';
import type { CommandRunner } from '../../src/apply/runner.js';

/** A runner whose `ip -all netns exec` answers these statuses in turn, the last one again and again. */
function answering(...statuses: number[]) {
  const calls: string[][] = [];
  const runner = {
    run: async (argv: readonly string[]) => {
      calls.push([...argv]);
      const exitCode = statuses[Math.min(calls.length, statuses.length) - 1];
      return { exitCode, stdout: `\nnetns: a-rs1\nread ${calls.length}\n`, stderr: exitCode ? 'killed' : '' };
    },
  } as unknown as CommandRunner;
  return { runner, calls };
}

test('each namespace keeps its own output, in the order listed', (t) => {
  t.deepEqual(
    [...splitByNamespace('\nnetns: a\none\n\nnetns: b\ntwo\n')],
    [
      ['a', 'one\n\n'],
      ['b', 'two\n\n'],
    ],
  );
});

test('a read that stopped part-way is made again and only a whole one is returned; one that never ends whole is an error naming it', async (t) => {
  const { runner, calls } = answering(1, 1, 0);
  t.is(await readAllNamespaces(runner, ['ip', '-j', 'link'], 'the links'), '\nnetns: a-rs1\nread 3\n');
  t.deepEqual(calls[0], ['ip', '-all', 'netns', 'exec', 'ip', '-j', 'link']);
  const broken = answering(1);
  await t.throwsAsync(readAllNamespaces(broken.runner, ['true'], 'the links'), {
    message: 'cannot read the links: ip -all netns exec stopped part-way (killed)',
  });
  t.is(broken.calls.length, ALL_NAMESPACES_READS);
});
