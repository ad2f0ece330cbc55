/**
 * `lvslab demo` end to end (its labs in the resident microVM, or on a host with IPVS): every row of its table.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { CLI_ENTRY } from '../../src/model/package-root.js';
import { SPANNING_BYTES } from '../../src/verify/failover.js';
import { requireLabMachine } from '../helpers/lab-machine.js';
import { machineLifecycle } from '../../src/session/lab-machine.js';

test.before('this machine can run labs (never skipped)', requireLabMachine);

test("lvslab demo shows each mode's request path, reply path, director share, peer and port mapping, the HA row, and writes the diagrams", async (t) => {
  const { host } = machineLifecycle();
  const before = await host.listNamespaces();
  const result = await execa(process.execPath, [CLI_ENTRY, 'demo', '--runner', 'host', '--out', '/tmp/demo'], { reject: false });
  // Every lab it built is gone again: the lab machine's namespaces are as they were.
  t.deepEqual(await host.listNamespaces(), before);
  t.is(result.exitCode, 0, `${result.stdout}\n${result.stderr}`);
  const rows = new Map(
    result.stdout
      .split('\n')
      .slice(2, 6)
      .map((line) => {
        const cells = line.split(/ {2,}/);
        return [cells[0], { request: cells[1], reply: cells[2], share: cells[3], saw: cells[4], mapping: cells[5], checks: cells[6] }];
      }),
  );
  t.deepEqual([...rows.keys()], ['NAT', 'DR', 'TUN', 'FULLNAT']);
  const percent = (share: string) => Number(share.replace('%', ''));
  const dr = rows.get('DR')!;
  t.regex(dr.request, /^client -> gateway -> director -> rs[12]$/);
  t.regex(dr.reply, /^rs[12] -> gateway -> client$/);
  t.true(percent(dr.share) < 1, dr.share);
  t.is(dr.saw, '198.51.100.10 (the client)');
  t.is(dr.mapping, 'none');
  const tun = rows.get('TUN')!;
  t.regex(tun.request, /^client -> gateway -> director -> gateway -> rs[12]$/);
  t.regex(tun.reply, /^rs[12] -> gateway -> client$/);
  t.true(percent(tun.share) < 1, tun.share);
  t.is(tun.saw, '198.51.100.10 (the client)');
  const nat = rows.get('NAT')!;
  t.regex(nat.reply, /^rs[12] -> director -> gateway -> client$/);
  t.true(percent(nat.share) >= 90, nat.share);
  t.is(nat.saw, '198.51.100.10 (the client)');
  t.is(nat.mapping, '80 -> 8080, 53 -> 5353');
  const fullnat = rows.get('FULLNAT')!;
  t.regex(fullnat.reply, /^rs[12] -> gateway -> director -> gateway -> client$/);
  t.true(percent(fullnat.share) >= 90, fullnat.share);
  t.is(fullnat.saw, '10.10.0.2 (the director)');
  t.is(fullnat.mapping, '80 -> 8080, 53 -> 5353');
  // At least the checks every mode has (and not 0/0): all passed.
  for (const row of rows.values()) t.regex(row.checks, /^([1-9]\d+)\/\1$/);
  for (const lab of ['nat', 'dr', 'tun', 'fullnat']) t.true(existsSync(`/tmp/demo/${lab}.svg`) && existsSync(`/tmp/demo/${lab}.mmd`), lab);
  t.regex(result.stdout, /Path diagrams: \/tmp\/demo\/nat\.svg, \/tmp\/demo\/dr\.svg/);
  // The HA row: dr-pair's master loses its link under load; the backup takes over, the download arrives whole.
  const ha = result.stdout.split('\n').find((line) => line.startsWith('DR pair (dr-pair)'));
  t.truthy(ha, result.stdout);
  const [, takeover, outage, download, checks] = ha!.split(/ {2,}/);
  t.regex(takeover, /^\d+\.\d s$/);
  t.regex(outage, /^\d+\.\d s$/);
  t.is(download, `intact: all ${SPANNING_BYTES} bytes`);
  t.regex(checks, /^([1-9]\d*)\/\1$/);
});
