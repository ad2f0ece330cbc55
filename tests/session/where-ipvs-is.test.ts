/** The conductor's choice of side, with a stand-in for the microVM: what runs where, and what comes back. */
import test from 'ava';
import { PassThrough } from 'node:stream';
import { computeWhereIpvsIs, onSide, runWhereIpvsIs, type VmStreams, type Where } from '../../src/session/where-ipvs-is.js';

/** A Where whose microVM is a function: it records the argv and writes what the guest would print. */
function where(choice: 'host' | 'vm', guest: { stdout?: string; exitCode?: number } = {}) {
  const calls: string[][] = [];
  const logs: string[] = [];
  const w: Where = {
    choice,
    log: (line) => logs.push(line),
    runSelf: async (verbArgs: string[], streams: VmStreams) => {
      calls.push(verbArgs);
      streams.stdout.write(guest.stdout ?? '');
      return { exitCode: guest.exitCode ?? 0, accel: 'tcg' };
    },
  };
  return { w, calls, logs };
}

test('on a host with IPVS the work runs here and the microVM is not touched', async (t) => {
  const { w, calls } = where('host');
  const answer = await computeWhereIpvsIs(w, ['demo', '--json'], async () => ({ rows: 4 }), 'note');
  t.deepEqual(answer, { value: { rows: 4 } });
  t.deepEqual(calls, []);
});

test('in the microVM the same verb runs there and its last stdout line comes back as the value', async (t) => {
  const { w, calls, logs } = where('vm', { stdout: 'progress\n{"rows":4}\n' });
  const answer = await computeWhereIpvsIs(w, ['demo', '--json'], async () => t.fail('not here'), 'the labs run in the microVM');
  t.deepEqual(answer, { value: { rows: 4 }, accel: 'tcg' });
  t.deepEqual(calls, [['demo', '--json']]);
  t.regex(logs.join('\n'), /asked for --runner vm; the labs run in the microVM/);
});

test('a failing verb in the microVM hands back its exit status, not a value', async (t) => {
  const { w } = where('vm', { stdout: '', exitCode: 2 });
  t.deepEqual(await computeWhereIpvsIs(w, ['graph', 'x.yaml', '--paths-json'], async () => null, 'note'), { exitCode: 2 });
});

test('a verb in the microVM that prints nothing is an error, never an empty result', async (t) => {
  const { w } = where('vm', { stdout: '\n' });
  await t.throwsAsync(
    computeWhereIpvsIs(w, ['bench', '--json'], async () => 1, 'note'),
    { message: /lvslab bench in the microVM printed no result/ },
  );
});

test('streamed output goes to the given streams, and the exit status comes back', async (t) => {
  const { w, calls } = where('vm', { stdout: 'TAP version 13\n', exitCode: 1 });
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const status = await runWhereIpvsIs(w, ['test', '--tap', 'a.yaml'], async () => t.fail('not here') as never, { stdout: out, stderr: out }, 'note');
  t.is(status, 1);
  t.is(text, 'TAP version 13\n');
  t.deepEqual(calls, [['test', '--tap', 'a.yaml']]);
});

test('onSide runs exactly one side', async (t) => {
  const sides: string[] = [];
  const work = { here: async () => sides.push('here'), inVm: async () => sides.push('vm') };
  await onSide(where('host').w, work, 'note');
  await onSide(where('vm').w, work, 'note');
  t.deepEqual(sides, ['here', 'vm']);
});

test("with a guest of the process's own, the work runs here inside it, never the verb in the guest; a streamed verb runs its guest variant", async (t) => {
  const { w, calls } = where('vm');
  const entered: string[] = [];
  const guested: Where = {
    ...w,
    withGuest: async (work) => {
      entered.push('guest up');
      try {
        return await work();
      } finally {
        entered.push('guest off');
      }
    },
  };
  t.deepEqual(await computeWhereIpvsIs(guested, ['demo', '--json'], async () => (entered.push('work'), { rows: 4 }), 'note'), { value: { rows: 4 } });
  const out = new PassThrough();
  const status = await runWhereIpvsIs(
    guested,
    ['up', 'x.yaml'],
    async () => t.fail('the plain variant') as never,
    { stdout: out, stderr: out },
    'note',
    async () => 3,
  );
  t.is(status, 3);
  t.deepEqual(calls, [], 'the verb never ran inside the guest');
  t.deepEqual(entered, ['guest up', 'work', 'guest off', 'guest up', 'guest off']);
});
