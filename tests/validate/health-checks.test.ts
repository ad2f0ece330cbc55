/** keepalived's health checks in the topology: defaults by protocol, lab-wide and per-service checks, and what is refused where. */
import test from 'ava';
import { checkBudget, type Lab } from '../../src/model/lab.js';
import { TopologyError } from '../../src/model/problems.js';
import { parseTopology } from '../../src/load/load-topology.js';
import { validateLoaded } from '../../src/validate/validate-topology.js';

const lab = (text: string): Lab => validateLoaded(parseTopology(`name: hc\nmode: dr\n${text}`, 'hc.yaml'));
const problems = (text: string): string[] => {
  try {
    lab(text);
  } catch (error) {
    if (error instanceof TopologyError) return error.problems.map((p) => `${p.path.join('.')}: ${p.message}`);
    throw error;
  }
  return [];
};

test('keepalived: true checks each default service by its protocol, with defaults that see a silent server within 5.5 s', (t) => {
  const l = lab('keepalived: true\n');
  t.deepEqual(
    l.services.map((s) => `${s.protocol}:${s.check?.type}`),
    ['tcp:tcp', 'udp:udp'],
  );
  t.deepEqual(l.services[0].check, { type: 'tcp', interval: 1, timeout: 2, retries: 1, retryDelay: 0.5 });
  t.is(checkBudget(l.services[0].check!), 5.5);
  t.deepEqual(l.keepalived?.files, {
    director: {
      config: '/run/lvslab/hc/director/keepalived.conf',
      pid: '/run/lvslab/hc/director/keepalived.pid',
      vrrpPid: '/run/lvslab/hc/director/vrrp.pid',
      checkersPid: '/run/lvslab/hc/director/checkers.pid',
      log: '/run/lvslab/hc/director/keepalived.log',
    },
  });
});

test("a service's own check is laid over the lab's; http gets its path and status; fractions of seconds are kept", (t) => {
  const l = lab(
    'keepalived:\n  check: { interval: 0.5, retries: 2 }\nservices:\n  - { port: 80, check: { type: http, path: /health, timeout: 0.3 } }\n  - { port: 81 }\n',
  );
  t.deepEqual(l.services[0].check, { type: 'http', interval: 0.5, timeout: 0.3, retries: 2, retryDelay: 0.5, path: '/health', expect: 200 });
  t.deepEqual(l.services[1].check, { type: 'tcp', interval: 0.5, timeout: 2, retries: 2, retryDelay: 0.5 });
  t.is(checkBudget(l.services[0].check!), 0.5 + 0.3 + 2 * (0.5 + 0.3));
});

test('without keepalived no service has a check, and the plan of such a lab is unchanged by the feature', (t) => {
  t.true(lab('').services.every((s) => s.check === undefined));
  t.is(lab('').keepalived, undefined);
  t.is(lab('keepalived: false\n').keepalived, undefined);
});

test('checks that cannot work are refused where they are written, with the reason', (t) => {
  t.deepEqual(problems('services:\n  - { port: 80, check: { type: tcp } }\n'), [
    'services.0.check: a health check needs keepalived, which runs the checks: add `keepalived: true` to the lab',
  ]);
  t.deepEqual(problems('keepalived: true\nservices:\n  - { protocol: udp, port: 53, check: { type: http } }\n'), [
    'services.0.check.type: http cannot check udp 10.10.0.100:53: a udp service answers datagrams: check it with udp, or none',
  ]);
  t.deepEqual(problems('keepalived:\n  check: { type: udp }\nservices:\n  - { port: 80 }\n'), [
    'keepalived.check.type: udp cannot check tcp 10.10.0.100:80: a tcp service is checked by a connection (tcp), a request (http) or not at all (none)',
  ]);
  t.deepEqual(problems('keepalived: true\nservices:\n  - { port: 80, check: { path: /x, expect: 204 } }\n'), [
    "services.0.check.path: path is for http checks only; this check's type is tcp",
    "services.0.check.expect: expect is for http checks only; this check's type is tcp",
  ]);
});

test('the shape of a check: numbers in range, known keys, a path without spaces or braces', (t) => {
  t.deepEqual(problems('keepalived:\n  check: { interval: 0.05 }\n'), ['keepalived.check.interval: expected a number from 0.1 to 60, got 0.05']);
  t.deepEqual(problems('keepalived: yes please\n'), ['keepalived: expected true or false or a mapping, got "yes please"']);
  t.deepEqual(problems('keepalived:\n  check: { type: http, path: "/a b" }\n'), [
    'keepalived.check.path: "/a b" is not valid; expected a URL path such as /health (letters, digits and ._~%/?=&:@+,;-)',
  ]);
  t.deepEqual(problems('keepalived:\n  chek: {}\n'), ['keepalived.chek: unknown key "chek"; allowed: check, vrrp, sync, config; did you mean "check"?']);
});
