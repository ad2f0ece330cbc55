/** The HA bench's labs: DR pairs that the validator and keepalived's own config test accept, at each advert interval. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchConfig } from '../../src/bench/bench-config.js';
import { haPair } from '../../src/bench/ha-bench.js';
import { keepalivedConf } from '../../src/plan/keepalived.js';

test('every pair the full bench builds is valid, named apart, and its keepalived.conf passes keepalived -t', (t) => {
  const { ha } = benchConfig(false);
  const labs = [...ha.adverts.map((a) => haPair(a, true)), haPair(ha.adverts[0], false), ...ha.checkIntervals.map((i) => haPair(ha.adverts[0], true, i))];
  const names = labs.map((l) => l.name);
  t.true(names.includes('bha-02-s-1') && names.includes('bha-1-n-1') && names.includes('bha-1-s-2'), names.join(' '));
  const dir = mkdtempSync(join(tmpdir(), 'lvslab-ha-bench-'));
  for (const lab of labs) {
    t.is(lab.backups?.length, 1);
    for (const director of [lab.director, ...lab.backups!]) {
      const file = join(dir, `${lab.name}-${director.name}.conf`);
      writeFileSync(file, `${keepalivedConf(lab, director).join('\n')}\n`);
      const result = spawnSync('keepalived', ['-t', '-f', file], { encoding: 'utf8' });
      t.is(result.status, 0, `${file}: ${result.stderr}`);
    }
  }
  t.is(haPair(0.2, true).keepalived!.vrrp!.advertInterval, 0.2);
  t.false(haPair(1, false).keepalived!.vrrp!.sync);
  t.is(haPair(1, true, 2).services[0].check!.interval, 2);
});

test('--quick measures one failover with sync, one without and one removal: the shape checks, not the spread', (t) => {
  t.deepEqual(benchConfig(true).ha, { adverts: [1], failovers: 1, unsyncedFailovers: 1, checkIntervals: [1], removals: 1 });
  const full = benchConfig(false).ha;
  t.true(full.failovers >= 5 && full.adverts.includes(0.2));
});
