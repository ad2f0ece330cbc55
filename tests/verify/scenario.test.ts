/**
 * Scenarios: what the topology may say (each problem at its YAML position), and how a scenario runs on a
 * (recorded) lab: each step's row, a failed step ending its scenario with the rest counted as not run.
 */
import test from 'ava';
import { parseTopology } from '../../src/load/load-topology.js';
import type { Lab } from '../../src/model/lab.js';
import { TopologyError } from '../../src/model/problems.js';
import { validateLoaded } from '../../src/validate/validate-topology.js';
import { runScenarios, scenariosNamed } from '../../src/verify/scenario.js';
import { FakeMachine } from '../helpers/fake-machine.js';

const PAIR = 'name: sc\nmode: dr\ndirectors: 2\nkeepalived: true\nservices:\n  - { port: 80 }\n';
const labOf = (text: string): Lab => validateLoaded(parseTopology(text, 'sc.yaml'));
function problems(text: string): string[] {
  try {
    labOf(text);
    return [];
  } catch (error) {
    if (!(error instanceof TopologyError)) throw error;
    return error.problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
  }
}

test('a scenario becomes typed steps, with `within` defaulted from the lab (check budget, advert interval)', (t) => {
  const lab = labOf(
    `${PAIR}scenarios:\n  - name: rs-dies\n    steps:\n      - fault: kill-service rs1\n      - expect: { out: rs1 }\n      - wait: 1.5\n` +
      '      - load: { requests: 3, answered: 50 }\n      - expect: { servedBy: [rs2] }\n' +
      '      - expect: { vipOn: director1, within: 4 }\n      - expect: { in: rs1 }\n',
  );
  t.deepEqual(lab.scenarios, [
    {
      name: 'rs-dies',
      steps: [
        { kind: 'fault', fault: { kind: 'kill-service', target: 'rs1' }, text: 'kill-service rs1' },
        { kind: 'table', realServer: 'rs1', present: false, within: 6.5 },
        { kind: 'wait', seconds: 1.5 },
        { kind: 'load', requests: 3, answered: 50 },
        { kind: 'servedBy', realServers: ['rs2'] },
        { kind: 'vip', director: 'director1', within: 4 },
        { kind: 'table', realServer: 'rs1', present: true, within: 4 },
      ],
    },
  ]);
});

test('every scenario problem stands at its position, with what is allowed', (t) => {
  const steps = (lines: string[], base = PAIR) => problems(`${base}scenarios:\n  - name: s\n    steps:\n${lines.map((l) => `      - ${l}\n`).join('')}`);
  t.deepEqual(steps(['{ wait: 1, load: { requests: 1 } }']), ['10:9: a step is one of fault, wait, load, expect; this one has wait and load']);
  t.deepEqual(steps(['fault: kill-service rs9']), ['10:16: "rs9" is not a real server of this lab; real servers: rs1, rs2; did you mean "rs1"?']);
  t.deepEqual(steps(['fault: kill-keepalived rs1']), ['10:16: "rs1" is not a director of this lab; directors: director1, director2']);
  t.regex(steps(['fault: explode rs1'])[0], /^10:16: unknown fault "explode"; faults:/);
  t.deepEqual(steps(['fault: loss client']), ['10:16: write loss NODE PERCENT: drop that share of the packets each interface of the node sends (netem)']);
  t.deepEqual(steps(['expect: { servedBy: [rs1] }']), ['10:29: servedBy judges the last load: put a `load` step before it']);
  t.deepEqual(steps(['expect: { out: rs1, vipOn: director1 }']), ['10:17: an expectation is one of out, in, vipOn, servedBy; this one has out and vipOn']);
  const single = 'name: sc\nmode: dr\nservices:\n  - { port: 80 }\n';
  t.deepEqual(steps(['expect: { out: rs1 }'], single), ['8:24: out needs keepalived: without its health checks the IPVS table never changes']);
  t.deepEqual(steps(['expect: { vipOn: director }'], `${single}keepalived: true\n`), [
    '9:26: vipOn needs a director pair (`directors: 2`), whose VRRP moves the VIP',
  ]);
  t.deepEqual(problems(`${PAIR}scenarios:\n  - { name: a, steps: [{ wait: 1 }] }\n  - { name: a, steps: [{ wait: 1 }] }\n`), [
    '9:13: scenario "a" is defined twice (also at scenarios[0])',
  ]);
  t.deepEqual(problems(`${PAIR}scenarios:\n  - { name: A, steps: [] }\n`), [
    '8:13: "A" is not valid; expected lowercase letters and digits in words joined by - (at most 40)',
    '8:23: expected at least 1 item(s), got 0',
  ]);
});

test('scenariosNamed: all, the ones named, or an error naming the ones there are', (t) => {
  const lab = labOf(`${PAIR}scenarios:\n  - { name: a, steps: [{ wait: 1 }] }\n  - { name: b, steps: [{ wait: 1 }] }\n`);
  t.deepEqual(
    scenariosNamed(lab, []).map((s) => s.name),
    ['a', 'b'],
  );
  t.deepEqual(
    scenariosNamed(lab, ['b']).map((s) => s.name),
    ['b'],
  );
  t.throws(() => scenariosNamed(lab, ['c']), { message: 'lab sc has no scenario c; scenarios: a, b' });
  t.throws(() => scenariosNamed(labOf(PAIR), []), { message: /has no scenarios/ });
});

/** A fake lab machine: the table lists rs1 until `rs1Gone`, the VIP is on `holder`, the probe answers as told. */
function machine(state: { rs1Listed: boolean; holder: string; answers: Array<{ ok: boolean; node?: string }> }): FakeMachine {
  const fake = new FakeMachine();
  fake.respond = (argv) => {
    const line = argv.join(' ');
    if (line.includes('ipvsadm -S -n'))
      return {
        exitCode: 0,
        stdout: [
          '-A -t 10.10.0.100:80 -s rr',
          ...(state.rs1Listed ? ['-a -t 10.10.0.100:80 -r 10.10.0.10:80 -g -w 1'] : []),
          '-a -t 10.10.0.100:80 -r 10.10.0.11:80 -g -w 1',
          '',
        ].join('\n'),
        stderr: '',
      };
    if (line.includes('addr show dev eth0')) {
      const director = argv[2].replace('sc-', '');
      return { exitCode: 0, stdout: director === state.holder ? '2: eth0    inet 10.10.0.100/32 scope global eth0\n' : '', stderr: '' };
    }
    if (line.includes('probe')) {
      const answers = state.answers.map((a) => ({ protocol: 'tcp', target: '10.10.0.100:80', ms: 1, ...a, error: a.ok ? undefined : 'timed out' }));
      return { exitCode: 0, stdout: JSON.stringify(answers), stderr: '' };
    }
    return undefined;
  };
  return fake;
}

test('a healthy run: every fault, load and expectation is a passing row; waits are no rows', async (t) => {
  const lab = labOf(
    `${PAIR}scenarios:\n  - name: s\n    steps:\n      - fault: link-down rs1\n      - wait: 0.1\n      - expect: { vipOn: director1, within: 1 }\n` +
      '      - load: { requests: 2 }\n      - expect: { servedBy: [rs2] }\n      - expect: { in: rs1, within: 1 }\n',
  );
  const fake = machine({
    rs1Listed: true,
    holder: 'director1',
    answers: [
      { ok: true, node: 'rs2' },
      { ok: true, node: 'rs2' },
    ],
  });
  const rows = await runScenarios(lab, fake, fake);
  t.deepEqual(
    rows.map((r) => [r.name, r.ok, r.observed]),
    [
      ['scenario s, step 1: fault link-down rs1', true, 'rs1: ran ip -n sc-rs1 -batch - (link set dev eth0 down)'],
      ['scenario s, step 3: director1 holds the VIP', true, 'director1 after 0.0 s'],
      ['scenario s, step 4: load: 2 request(s) per service', true, '2/2 answered by rs2'],
      ['scenario s, step 5: the load was served by rs2', true, 'answers from rs2'],
      ['scenario s, step 6: rs1 is back in the IPVS table', true, 'back in after 0.0 s'],
    ],
  );
});

test('a failed expectation fails its row with what was seen, and ends its scenario: the rest is not run; the next scenario runs', async (t) => {
  const lab = labOf(
    `${PAIR}scenarios:\n  - name: s\n    steps:\n      - expect: { out: rs1, within: 0.5 }\n      - wait: 1\n      - load: { requests: 1 }\n` +
      '      - expect: { vipOn: director2, within: 0.5 }\n  - name: t\n    steps:\n' +
      '      - load: { requests: 2, answered: 50 }\n      - expect: { servedBy: [rs1] }\n',
  );
  const fake = machine({ rs1Listed: true, holder: 'director1', answers: [{ ok: true, node: 'rs2' }, { ok: false }] });
  const rows = await runScenarios(lab, fake, fake);
  t.deepEqual(
    rows.map((r) => [r.name, r.ok, r.observed]),
    [
      ['scenario s, step 1: rs1 leaves the IPVS table', false, 'still in the table after 0.5 s'],
      ['scenario s, step 3: load: 1 request(s) per service', false, 'not run: step 1 failed'],
      ['scenario s, step 4: director2 holds the VIP', false, 'not run: step 1 failed'],
      ['scenario t, step 1: load: 2 request(s) per service', true, '1/2 answered by rs2; e.g. tcp 10.10.0.100:80: timed out'],
      ['scenario t, step 2: the load was served by rs1', false, 'answers from rs2'],
    ],
  );
  t.is(fake.calls.filter((c) => c.argv.some((a) => a.includes('probe'))).length, 1, "only scenario t's load ran a probe");
});

test('a VIP on another director, or a load that must fail and was answered, fail their rows', async (t) => {
  const lab = labOf(
    `${PAIR}scenarios:\n  - { name: s, steps: [{ load: { requests: 1, answered: none } }] }\n` +
      '  - { name: u, steps: [{ expect: { vipOn: director2, within: 0.5 } }] }\n',
  );
  const fake = machine({ rs1Listed: true, holder: 'director1', answers: [{ ok: true, node: 'rs1' }] });
  const rows = await runScenarios(lab, fake, fake);
  t.deepEqual(
    rows.map((r) => [r.ok, r.expected, r.observed]),
    [
      [false, 'no answer', '1/1 answered by rs1'],
      [false, 'director2 alone holds the VIP within 0.5 s', 'held by director1 after 0.5 s'],
    ],
  );
});
