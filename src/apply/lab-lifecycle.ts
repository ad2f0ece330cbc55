/**
 * `up` and `down` for whole labs: idempotence, drift detection and ownership on top of executePlan.
 * The running lab is found from the machine (ownership marks), never from saved state; the rendered
 * plan kept under /run/lvslab only serves to show what changed.
 */
import { appendFile, mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { SCHEDULERS, type Lab } from '../model/lab.js';
import { labRunDir, STATE_DIR } from '../model/naming.js';
import { buildPlan, type Plan, type PlanOptions } from '../plan/build-plan.js';
import { renderScript } from '../plan/render-script.js';
import { LabStateError } from './errors.js';
import { executePlan, type ExecuteOptions } from './execute-plan.js';
import type { HostView } from './host.js';
import { byLab, findOwned, loAliases, namedFor, ownedBy } from './ownership.js';
import { abandonedIntents, claimedBy, clearIntent, INTENT_SUFFIX, upUnderWay, writeIntent, type Intent } from './intent.js';
import type { CommandRunner } from './runner.js';
import { removeNamespaces } from './teardown.js';

export { STATE_DIR };

export interface LifecycleOptions {
  runner: CommandRunner;
  host: HostView;
  /** Where the rendered plan of each running lab is kept for diffs; none in unit tests. */
  stateDir?: string;
  onStep?: ExecuteOptions['onStep'];
}

export type UpOutcome = { status: 'created'; plan: Plan } | { status: 'unchanged'; plan: Plan };

export function requireRoot(host: HostView, verb: string): void {
  if (!host.isRoot()) throw new LabStateError(`lvslab ${verb} needs root (it works in network namespaces); run it with sudo, or as root`);
}

/** Whether a lab runs, and whether it was built from this topology (its marks carry the plan hash). */
export async function runningState(lab: Lab, planOptions: PlanOptions, options: LifecycleOptions): Promise<'absent' | 'matches' | 'differs'> {
  const owned = await ownedBy(lab.name, options.runner, options.host);
  if (owned.length === 0) return 'absent';
  const hash = buildPlan(lab, planOptions).hash;
  return owned.every((o) => o.planHash === hash) ? 'matches' : 'differs';
}

/** Lines only in one of two rendered plans, as a short diff. */
export function diffLines(before: string, after: string): string[] {
  const old = before.split('\n');
  const now = after.split('\n');
  const oldSet = new Set(old);
  const nowSet = new Set(now);
  return [...old.filter((l) => !nowSet.has(l)).map((l) => `- ${l}`), ...now.filter((l) => !oldSet.has(l)).map((l) => `+ ${l}`)];
}

export async function labUp(lab: Lab, planOptions: PlanOptions, options: LifecycleOptions & { recreate?: boolean }): Promise<UpOutcome> {
  requireRoot(options.host, 'up');
  const plan = buildPlan(lab, planOptions);
  const script = renderScript(plan, lab.source);
  // What a killed `up` of this lab left half-built goes first.
  await removeAbandoned([lab.name], options);
  const owned = await ownedBy(lab.name, options.runner, options.host);
  if (owned.length > 0) {
    const present = new Set(owned.map((o) => o.namespace));
    const intact = owned.every((o) => o.planHash === plan.hash) && plan.namespaces.every((ns) => present.has(ns));
    if (intact) return { status: 'unchanged', plan };
    if (!options.recreate) {
      const previous = options.stateDir ? await readFile(`${options.stateDir}/${lab.name}.plan.sh`, 'utf8').catch(() => undefined) : undefined;
      const diff = previous
        ? diffLines(previous, script).join('\n')
        : `(the running lab's plan hash is ${[...new Set(owned.map((o) => o.planHash))].join(', ')}; ${lab.source} gives ${plan.hash})`;
      throw new LabStateError(
        `lab ${lab.name} is running with a different topology than ${lab.source}:\n${diff}\nRun \`lvslab up --recreate ${lab.source}\` to replace it.`,
      );
    }
    await labDown(lab.name, options);
  }
  return applyPlan(lab, plan, options);
}

/**
 * Builds a lab from its plan where none of its namespaces exists: records the intent and the modules it loads,
 * and on a failure part-way leaves nothing behind (the executor removes what it made; the modules go here).
 */
export async function applyPlan(lab: Lab, plan: Plan, options: LifecycleOptions): Promise<UpOutcome> {
  const script = renderScript(plan, lab.source);
  const foreign = (await options.host.listNamespaces()).filter((ns) => plan.namespaces.includes(ns));
  if (foreign.length > 0) {
    throw new LabStateError(
      `namespace(s) ${foreign.join(', ')} exist and are not lvslab's (no ownership mark): remove them or rename the lab; nothing was created`,
    );
  }
  if (options.stateDir) {
    await mkdir(options.stateDir, { recursive: true });
    await writeFile(`${options.stateDir}/${lab.name}.plan.sh`, script);
    await writeFile(runningFile(options.stateDir, lab.name), `${JSON.stringify({ lab, plan } satisfies RunningLab)}\n`);
  }
  await writeIntent(options.stateDir, { lab: lab.name, hash: plan.hash, namespaces: plan.namespaces, pid: process.pid });
  try {
    await executePlan(plan, { ...options, onModulesLoading: (modules) => rememberModules(modules, options.stateDir) });
  } catch (error) {
    await clearIntent(options.stateDir, lab.name);
    await forgetPlan(lab.name, options);
    await releaseModules(options);
    throw error;
  }
  await clearIntent(options.stateDir, lab.name);
  return { status: 'created', plan };
}

const MODULES_FILE = 'modules-loaded-by-lvslab';

/** Modules lvslab loaded itself (loading ipip adds tunl0 to the root namespace: the host must get it back as it was). */
async function rememberModules(modules: string[], stateDir: string | undefined): Promise<void> {
  if (!stateDir) return;
  await mkdir(stateDir, { recursive: true });
  await appendFile(`${stateDir}/${MODULES_FILE}`, modules.map((m) => `${m}\n`).join(''));
}

/** Once no lab runs any more, unloads what lvslab loaded (newest first); a module still in use stays. */
async function releaseModules(options: LifecycleOptions): Promise<void> {
  if (!options.stateDir) return;
  const file = `${options.stateDir}/${MODULES_FILE}`;
  const loaded = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  // Another lab's `up` under way (lvslab demo builds two at once) needs them too, before it has any namespace.
  if (loaded.length === 0 || (await upUnderWay(options.stateDir, options.host))) return;
  // A lab still recorded as running needs them (cheap); else every namespace's mark is read.
  if ((await recordedLabs(options.stateDir)).length > 0 || (await findOwned(options.runner, options.host)).length > 0) return;
  // IPVS loads a scheduler's module (ip_vs_rr, ...) when a service first uses it: loaded after ip_vs by the labs,
  // it holds ip_vs, so it goes first.
  const schedulers = loaded.includes('ip_vs') ? SCHEDULERS.map((s) => `ip_vs_${s}`) : [];
  const wanted = [...schedulers, ...[...new Set(loaded)].reverse()];
  const started = Date.now();
  const deadline = started + MODULE_RELEASE_WITHIN_MS;
  for (let attempt = 0; ; attempt++) {
    const present = await options.host.modulesLoaded(wanted);
    if (present.length === 0) break;
    // A namespace just deleted is torn down by the kernel a moment later: until then its services hold their scheduler.
    // A module that lvslab did not load holding one of them (xt_ipvs of someone's `iptables -m ipvs`) never lets go.
    if (attempt > 0 && (Date.now() > deadline || (await heldByOthers(present, wanted, options.host)))) return;
    // Past the usual teardown's time, tries every second: reads too often take the guest's CPU from the teardown itself.
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Date.now() - started < 20_000 ? 300 : 1000));
    await options.runner.run(['modprobe', '-r', '-a', ...present]);
  }
  await rm(file, { force: true });
  await rmdir(options.stateDir).catch(() => undefined);
}

/**
 * Whether a module outside `ours` holds one of `modules`: the kernel links each holder in sysfs. The listing goes
 * down through those links (`ip_vs_rr/refcnt`, ...): the holders are its top-level names.
 */
async function heldByOthers(modules: string[], ours: string[], host: HostView): Promise<boolean> {
  const listed = await Promise.all(modules.map((m) => host.filesUnder(`/sys/module/${m}/holders`)));
  return listed.flat().some((path) => !path.includes('/') && !ours.includes(path));
}

/**
 * How long down waits for the kernel to tear the deleted namespaces down before it leaves the modules loaded. A pair's
 * namespaces (sync daemons, keepalived's services) took longer than the 3-5 s of ten tries on a guest sharing two
 * cores with two others (seen in CI: ip_vs left loaded after tun-pair), and once longer than 20 s (CI run 89: a
 * FULLNAT pair's xt_ipvs, while the suite's unit and microvm stages took both cores). A module that another holds
 * ends the wait at once (heldByOthers): only a teardown still under way is waited for.
 */
const MODULE_RELEASE_WITHIN_MS = 60_000;

/** A running lab as data, kept by `up`: `lvslab fault LAB` finds its nodes and its services' commands there. */
export interface RunningLab {
  lab: Lab;
  plan: Plan;
}

function runningFile(stateDir: string, labName: string): string {
  return `${stateDir}/${labName}.json`;
}

/** The labs whose `up` recorded them as running here and whose `down` has not come yet. */
async function recordedLabs(stateDir: string): Promise<string[]> {
  const files = await readdir(stateDir).catch(() => [] as string[]);
  return files.filter((f) => f.endsWith('.json') && !f.endsWith(INTENT_SUFFIX)).map((f) => f.slice(0, -'.json'.length));
}

/** The running lab's Lab and plan, when this machine ran its `up`. */
export async function runningLab(labName: string, stateDir: string = STATE_DIR): Promise<RunningLab | undefined> {
  try {
    return JSON.parse(await readFile(runningFile(stateDir, labName), 'utf8')) as RunningLab;
  } catch {
    return undefined;
  }
}

/** Forgets a lab: its rendered plan, and its run folder on the lab machine (daemons' configs, pid files and logs). */
async function forgetPlan(labName: string, options: Pick<LifecycleOptions, 'stateDir' | 'runner'>): Promise<void> {
  const { stateDir } = options;
  if (!stateDir) return;
  await rm(`${stateDir}/${labName}.plan.sh`, { force: true });
  await rm(runningFile(stateDir, labName), { force: true });
  await options.runner.run(['rm', '-rf', labRunDir(labName)]);
  await rmdir(stateDir).catch(() => undefined); // only when empty: other labs may still run
  if (stateDir !== STATE_DIR) await options.runner.run(['rmdir', '--ignore-fail-on-non-empty', STATE_DIR]);
}

/** The namespaces that abandoned intent records of these labs (or of every lab) may remove. */
async function abandonedNamespaces(names: string[] | 'all', options: LifecycleOptions): Promise<{ namespaces: string[]; intents: Intent[] }> {
  const intents = (await abandonedIntents(options.stateDir, options.host)).filter((i) => names === 'all' || names.includes(i.lab));
  if (intents.length === 0) return { namespaces: [], intents };
  const claimed = new Set(intents.flatMap((i) => i.namespaces));
  const aliases = await loAliases(options.runner, options.host, (ns) => claimed.has(ns));
  return { namespaces: intents.flatMap((i) => claimedBy(i, aliases)), intents };
}

/** Removes what killed `up` runs of these labs left behind, and their records. */
async function removeAbandoned(names: string[], options: LifecycleOptions): Promise<void> {
  const { namespaces, intents } = await abandonedNamespaces(names, options);
  await removeNamespaces(namespaces, options.runner, options.host);
  for (const intent of intents) await clearIntent(options.stateDir, intent.lab);
}

/**
 * Removes one lab by name (or every lab); returns the namespaces removed. Touches nothing unmarked,
 * except what the intent record of a killed `up` of that lab names (see intent.ts).
 */
export async function labDown(name: string | { all: true }, options: LifecycleOptions, how: { keepModules?: boolean } = {}): Promise<string[]> {
  requireRoot(options.host, 'down');
  const owned = await findOwned(options.runner, options.host, typeof name === 'string' ? namedFor(name) : undefined);
  const labs = byLab(owned);
  const abandoned = await abandonedNamespaces(typeof name === 'string' ? [name] : 'all', options);
  const names = [...new Set([...(typeof name === 'string' ? [name] : labs.keys()), ...abandoned.intents.map((i) => i.lab)])];
  const namespaces = [...new Set([...names.flatMap((n) => (labs.get(n) ?? []).map((o) => o.namespace)), ...abandoned.namespaces])].sort();
  await removeNamespaces(namespaces, options.runner, options.host);
  for (const intent of abandoned.intents) await clearIntent(options.stateDir, intent.lab);
  for (const n of names) await forgetPlan(n, options);
  // Kept for a lab built next (the demo's next mode): its up cannot race their unloading.
  if (!how.keepModules) await releaseModules(options);
  return namespaces;
}
