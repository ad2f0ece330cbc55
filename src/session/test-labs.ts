/**
 * `lvslab test` on a machine with IPVS: for each topology, up -> verify -> down, every step a TAP
 * point. The lab is always taken down, and the host must be exactly as before afterwards.
 */
import { readdir } from 'node:fs/promises';
import { labDown, labUp, STATE_DIR, type LifecycleOptions } from '../apply/lab-lifecycle.js';
import { SERVICE_COMMAND, SERVICE_PROGRAM } from '../model/package-root.js';
import { progress } from '../report/progress.js';
import { TapWriter } from '../report/tap.js';
import { TopologyError } from '../model/problems.js';
import { loadLab } from '../validate/validate-topology.js';
import type { CheckResult } from '../verify/result.js';
import { verifyLab } from '../verify/run-verify.js';
import { runScenarios } from '../verify/scenario.js';
import { MODES, type Lab } from '../model/lab.js';
import { lvsMode } from '../modes/index.js';

export type Verifier = (lab: Lab, options: LifecycleOptions) => Promise<CheckResult[]>;

/** What the host's root namespace looks like: the namespaces and links that must survive a lab untouched. */
export async function hostSnapshot(options: LifecycleOptions): Promise<string> {
  const links = await options.runner.run(['ip', '-o', 'link', 'show']);
  // Counters and link state are not ours to compare; names, kinds and addresses are.
  const names = links.stdout
    .split('\n')
    .map((l) => l.replace(/state \S+ /, '').replace(/qdisc \S+ /, ''))
    .join('\n');
  const modules = await options.host.modulesLoaded(LAB_MODULES);
  return `namespaces: ${(await options.host.listNamespaces()).join(' ')}\n${names}\nmodules: ${modules.join(' ') || 'none'}\n${await labLeftovers(options)}`;
}

/** Every module a lab of any mode and family may load: down unloads those it loaded (ip6table_nat leaves no link behind to see it by). */
const LAB_MODULES = [...new Set(['ip_vs', ...MODES.flatMap((m) => [...lvsMode(m).facts.modules, ...lvsMode(m).facts.modules6])])];

/** The programs a lab runs in its namespaces: none may outlive it. */
const LAB_PROGRAMS = ['keepalived', SERVICE_PROGRAM, 'tcpdump'];

/**
 * Lab programs still running anywhere on the lab machine, the files under its run folder (pid files,
 * configs, logs), and lvslab's own records when they are kept apart (a resident guest's, on this side).
 */
async function labLeftovers({ host, stateDir }: LifecycleOptions): Promise<string> {
  const counts = new Map<string, number>();
  for (const program of await host.programs()) {
    if (LAB_PROGRAMS.includes(program)) counts.set(program, (counts.get(program) ?? 0) + 1);
  }
  const listed = (dir: string, files: string[]) => `files under ${dir}: ${files.join(' ') || 'none'}`;
  const lines = [`processes: ${LAB_PROGRAMS.map((p) => `${p} ${counts.get(p) ?? 0}`).join(', ')}`, listed(STATE_DIR, await host.filesUnder(STATE_DIR))];
  if (stateDir && stateDir !== STATE_DIR) lines.push(listed(stateDir, (await readdir(stateDir, { recursive: true }).catch(() => [] as string[])).sort()));
  return lines.join('\n');
}

export async function testLabs(
  files: string[],
  tap: TapWriter,
  options: LifecycleOptions,
  // verify, then the topology's scenarios (what they break, down takes away).
  verify: Verifier = async (lab, o) => [...(await verifyLab(lab, o.runner, o.host)), ...(await runScenarios(lab, o.runner, o.host))],
): Promise<void> {
  for (const file of files) {
    let lab: Lab;
    try {
      lab = await loadLab(file);
    } catch (error) {
      const detail = error instanceof TopologyError ? error.message : String(error);
      tap.point({ ok: false, name: `${file}: topology is valid`, diagnostic: { problems: detail } });
      continue;
    }
    tap.comment(`lab ${lab.name} (mode ${lab.mode}) from ${file}`);
    const before = await hostSnapshot(options);
    try {
      const started = Date.now();
      await progress.task(`building lab ${lab.name}`, () => labUp(lab, { service: SERVICE_COMMAND }, options));
      tap.point({ ok: true, name: `${lab.name}: up builds the lab (${Date.now() - started} ms)` });
      for (const check of await progress.task(`verifying lab ${lab.name}`, () => verify(lab, options))) {
        tap.point({ ok: check.ok, name: `${lab.name}: ${check.name}`, diagnostic: { where: check.where, expected: check.expected, observed: check.observed } });
      }
    } catch (error) {
      tap.point({ ok: false, name: `${lab.name}: up and verify complete`, diagnostic: { error: (error as Error).message } });
    } finally {
      try {
        await labDown(lab.name, options);
        const after = await hostSnapshot(options);
        tap.point({
          ok: after === before,
          name: `${lab.name}: down leaves namespaces, links and modules exactly as before`,
          diagnostic: { expected: before, observed: after },
        });
      } catch (error) {
        tap.point({ ok: false, name: `${lab.name}: down`, diagnostic: { error: (error as Error).message } });
      }
    }
  }
}
