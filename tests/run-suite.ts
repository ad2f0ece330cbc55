/**
 * The whole test suite, as `npm test` runs it:
 *   unit     ava on the host: no root, no network (pure stages, recording fake runner)
 *   microvm  ava on the host: the microVM runner and the resident guest, booted for real
 *   e2e      ava with real namespaces and IPVS: on the host when it has IPVS, else against four resident microVMs at once
 *   labs     `lvslab test` of dr-wrr8, dr-keepalived, the four pairs, dr-own and the IPv6 labs: the user's path, on resident microVMs
 *   bench    `lvslab bench --quick --tap`: the LVS claim's shape (DR and TUN at least 3x NAT at 4 real servers) and a pair's failovers
 * Without IPVS on the host, every stage is jobs of one queue on four lanes (resident microVMs): unit and microvm
 * first, side by side, each with its lane's guest idle; bench's two parts (`--only cluster`, `--only ha`) are jobs
 * that use their lane's guest, as the others do.
 * Every stage speaks TAP, read with tap-parser; the run ends with one line `N passed, N failed`, and
 * fails when any stage fails, errs, or runs no test. Nothing is skipped silently.
 * `--only STAGE[,STAGE]` runs a subset (for development).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { execa } from 'execa';
import { CLI_ENTRY, PACKAGE_ROOT } from '../src/model/package-root.js';
import { closingLine, collectTap, formatAssert } from '../src/report/tap-summary.js';
import { startResidentGuest } from './helpers/resident-guest.js';
import { busyMs, nextJob, stageFiles } from './helpers/suite-stages.js';
import { SHIPPED_IPV6 } from './helpers/paths.js';
import { ipvsOnHost } from '../src/vm/choose-runner.js';

const STAGES = ['unit', 'microvm', 'e2e', 'labs', 'bench'] as const;
type Stage = (typeof STAGES)[number];
/** The stages whose jobs share the lanes' resident microVMs. */
const LANE_STAGES: readonly Stage[] = ['e2e', 'labs'];
/**
 * The stages that run on the host alone: with lanes, each is one job of their queue, so that the lane running it
 * lends it its core (its guest idles) instead of the whole machine waiting for it.
 */
const HOST_STAGES: readonly Stage[] = ['microvm', 'unit'];

/**
 * Seconds each job of the lanes took (fresh-clone CI run 99, 2026-12-03, four lanes and a late one; runs vary by a tenth or more).
 * The lanes take the longest first, so that they end close together (waiting jobs as early as their cap allows).
 */
const CLUSTER_JOB = 'lvslab bench --only cluster';
const MEASURED_SECONDS: Record<string, number> = {
  'director-pair': 180,
  'lvslab test dr-wrr8 dr-keepalived dr-pair fullnat-pair': 133,
  'lvslab test nat-pair dr-own tun-pair': 99,
  'verifier-fails-dr': 96,
  'verifier-fails-ipv6': 90,
  labs: 64,
  'verifier-fails-nat': 64,
  [CLUSTER_JOB]: 62,
  'verifier-fails-tun-fullnat': 59,
  keepalived: 57,
  'lvslab bench --only ha': 56,
  'lvslab test dr6 dr-dual nat6 tun6 fullnat-dual': 36,
  demo: 22,
};

/**
 * The jobs that mostly wait on timers (VRRP's adverts, keepalived's checkers): their lane's guest computes well under
 * half the time. At most MAX_WAITING of them run at once, so that the others' lanes keep the cores busy. An `lvslab
 * test` job waits when one of its labs runs keepalived.
 */
const WAITING_FILES = ['director-pair', 'keepalived'];
const runsKeepalived = (topology: string) => /^keepalived:/m.test(readFileSync(join(PACKAGE_ROOT, 'topologies', `${topology}.yaml`), 'utf8'));

const AVA = join(PACKAGE_ROOT, 'node_modules', 'ava', 'entrypoints', 'cli.mjs');
const DIST_TESTS = join(PACKAGE_ROOT, 'dist', 'tests');

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return testFiles(path);
    return entry.endsWith('.test.js') ? [relative(PACKAGE_ROOT, path)] : [];
  });
}

interface StageResult {
  stage: Stage;
  passed: number;
  failed: number;
  skipped: number;
  /** A problem outside the assertions: the runner crashed, the VM failed, no test ran. */
  error?: string;
  seconds: number;
}

/** Each failed assertion, said again at the end: a CI log is often read from its tail. */
const FAILURES: string[] = [];

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** A TAP stream that prints each assertion as it arrives and counts them. */
function tapSink(stage: Stage) {
  const started = Date.now();
  // Seconds since the stage began: CI logs show where the time goes.
  const collector = collectTap((result) => {
    const line = formatAssert({ ...result, name: `[${stage} ${((Date.now() - started) / 1000).toFixed(0)} s] ${result.name}` } as typeof result);
    say(line);
    if (!result.ok) FAILURES.push(line.split('\n').slice(0, 12).join('\n'));
  });
  const decoder = new StringDecoder('utf8'); // a character may be split across serial-port chunks
  const stream = new Writable({ write: (chunk, _enc, next) => (collector.parser.write(decoder.write(chunk)), next()) });
  return { stream, collector };
}

async function finish(stage: Stage, started: number, collector: ReturnType<typeof collectTap>, exitCode: number, what: string): Promise<StageResult> {
  collector.parser.end();
  const results = await collector.done;
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  let error: string | undefined;
  const { passed, failed, skipped } = collector.tally;
  if (results.count === 0) error = `${what} ran no test`;
  else if (skipped > 0) error = `${what} skipped or left as todo ${skipped} test(s): nothing may be skipped`;
  else if (exitCode !== 0 && failed === 0) error = `${what} exited with status ${exitCode} although no assertion failed`;
  else if (!results.plan.end && results.count > 0) error = `${what} stopped before the end of its TAP plan`;
  // tap-parser counts a skipped or todo point as passed: those are counted apart, never as passes.
  return { stage, passed, failed, skipped, error, seconds };
}

/**
 * Unit tests run serially (some change process.env); the microvm stage lets a file's non-serial tests overlap their boots.
 * `env` points e2e at a resident guest (LVSLAB_GUEST).
 */
async function runAvaOnHost(stage: Stage, files: string[], serial = true, env: Record<string, string> = {}, what = `ava (${stage})`): Promise<StageResult> {
  return runCliOnHost(stage, [process.execPath, AVA, '--tap', ...(serial ? ['--serial'] : []), '--concurrency', '1', ...files], what, env);
}

/** A command on the host (ava, or lvslab itself) speaking TAP. */
async function runCliOnHost(stage: Stage, argv: string[], what: string, env: Record<string, string> = {}): Promise<StageResult> {
  const started = Date.now();
  const { stream, collector } = tapSink(stage);
  const child = execa(argv[0], argv.slice(1), { cwd: PACKAGE_ROOT, reject: false, stderr: 'inherit', env });
  child.stdout!.pipe(stream);
  return finish(stage, started, collector, (await child).exitCode ?? 1, what);
}

/**
 * CPU seconds used so far by the processes under `pid` (the lane's broker, its qemu): how busy a lane's guest was
 * during a job, printed with it. Read from /proc; 0 where it cannot be read.
 */
function cpuSecondsUnder(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = (Number(fields[11]) + Number(fields[12])) / 100; // utime and stime, in clock ticks (USER_HZ 100)
    const children = readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean),
    );
    return own + children.reduce((sum, child) => sum + cpuSecondsUnder(Number(child)), 0);
  } catch {
    return 0;
  }
}

/**
 * A resident microVM (`lvslab vm --serve`, one vCPU) for one lane: `work` gets the environment that points
 * lvslab at it and a reading of the guest's CPU seconds so far; the guest is powered off afterwards. A guest
 * that does not come up fails the lane's jobs.
 */
async function withResidentGuest<T>(lane: number, work: (env: Record<string, string>, cpuSeconds: () => number) => Promise<T>): Promise<T> {
  const guest = await startResidentGuest(['--cpus', '1', '--memory', '2048']).catch((error: Error) => {
    throw new Error(`lane ${lane}: ${error.message}`);
  });
  say(`# lane ${lane}: ${guest.said().trim().split('\n').pop()}`);
  try {
    return await work({ LVSLAB_GUEST: guest.socket }, () => cpuSecondsUnder(guest.broker.pid));
  } finally {
    await guest.stop();
  }
}

/**
 * How many resident microVMs (one vCPU each) run the lanes' jobs; LVSLAB_LANES sets another number. Four on two
 * cores, at most two of them on jobs that wait on timers (MAX_WAITING): `vmstat` saw the cores 12% idle over the whole
 * run and 7.4 min (CI run 52), against 23% and 8.0 min with three (run 51); two lanes left 35% idle (run 39). Five
 * were slower again (run 90: 8.0 min against 7.4 for four in run 89; unit and microvm 280-290 s against 215-223).
 */
const lanes = () => microVmsFrom('LVSLAB_LANES', 4, 1, 8);

/** A number of microVMs from the environment variable `name`, within `min`-`max` (default when unset). */
function microVmsFrom(name: string, fallback: number, min: number, max: number): number {
  const text = process.env[name] ?? String(fallback);
  if (!/^\d$/.test(text) || Number(text) < min || Number(text) > max)
    throw new Error(`${name} must be a number of microVMs from ${min} to ${max}, not "${text}"`);
  return Number(text);
}

type LaneJob<T> = (env: Record<string, string>, guestCpuSeconds: () => number) => Promise<T>;

/** How many jobs that mostly wait on timers run at once (see nextJob). */
const MAX_WAITING = 2;

/**
 * Lanes that start once the host's own jobs (unit, microvm) are done: while those run, the cores are taken (a fifth lane
 * from the start made them and the run slower: CI run 90), and after them the lanes' jobs left the cores 20-45% idle
 * while they waited on keepalived and on broken labs' probes (run 91). LVSLAB_LATE_LANES sets another number.
 */
const lateLanes = () => microVmsFrom('LVSLAB_LATE_LANES', 1, 0, 4);

/**
 * Resident microVMs (one vCPU each): each job runs on the first of them that is free, in the order nextJob picks; the
 * late lanes boot once a host job has ended and join once every one has (and only if jobs are still queued).
 */
async function onLanes<T>(jobs: Array<{ run: LaneJob<T>; waits: boolean; host: boolean }>, failed: (error: Error, index: number) => T): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  const queue = jobs.map((job, index) => ({ ...job, index }));
  let waitingNow = 0;
  let hostJobsLeft = jobs.filter((job) => job.host).length;
  let hostJobsDone = () => undefined as void;
  const hostJobsEnded = new Promise<void>((resolve) => (hostJobsDone = resolve));
  let firstHostJobDone = () => undefined as void;
  const firstHostJobEnded = new Promise<void>((resolve) => (firstHostJobDone = resolve));
  if (hostJobsLeft === 0) [hostJobsDone, firstHostJobDone].forEach((done) => done());
  const lane = async (number: number, late: boolean) => {
    // A late lane's guest boots once the first host job has ended (about 8 s, while the other ends; CI run 103: it
    // booted after both, 8 s of the lane lost), and the lane joins once they all have.
    if (late) await firstHostJobEnded;
    if (late && queue.length === 0) return;
    try {
      await withResidentGuest(number, async (env, cpuSeconds) => {
        if (late) await hostJobsEnded;
        for (let at = nextJob(queue, waitingNow, MAX_WAITING); at !== undefined; at = nextJob(queue, waitingNow, MAX_WAITING)) {
          const [job] = queue.splice(at, 1);
          if (job.waits) waitingNow++;
          try {
            results[job.index] = await job.run(env, cpuSeconds);
          } finally {
            if (job.waits) waitingNow--;
            if (job.host) firstHostJobDone();
            if (job.host && --hostJobsLeft === 0) hostJobsDone();
          }
        }
      });
    } catch (error) {
      // The jobs this lane could not run count as failed, never as not run.
      for (const job of queue.splice(0)) results[job.index] = failed(error as Error, job.index);
      [hostJobsDone, firstHostJobDone].forEach((done) => done()); // nothing is left for a late lane to wait for
    }
  };
  await Promise.all([
    ...Array.from({ length: lanes() }, (_, i) => lane(i + 1, false)),
    ...Array.from({ length: lateLanes() }, (_, i) => lane(lanes() + i + 1, true)),
  ]);
  return results;
}

/** One stage's result from the results of its microVMs. */
function merged(stage: Stage, results: StageResult[], seconds: number): StageResult {
  return {
    stage,
    passed: results.reduce((n, r) => n + r.passed, 0),
    failed: results.reduce((n, r) => n + r.failed, 0),
    skipped: results.reduce((n, r) => n + r.skipped, 0),
    error: results.flatMap((r) => r.error ?? []).join('; ') || undefined,
    seconds,
  };
}

/**
 * Without IPVS on the host, e2e (a job per file) and labs (three jobs) run as one queue on the lanes, each
 * lane a resident microVM: the tests and lvslab run here, only the labs' commands in the guests; a lane
 * takes the next job as soon as it is free, longest first. bench's cluster part is one of the jobs, in its lane's
 * guest (lvslab here, its load clients there). It used to run alone after the lanes, from when each download forked
 * a shell in the guest (beside another microVM NAT then measured 0 Mbit/s), then in a one-vCPU microVM of its own
 * with lvslab inside (its rates, 5 and 8 Mbit/s links, held beside two busy loops on both cores).
 */
async function runGuestStages(stages: Stage[]): Promise<StageResult[]> {
  const jobs: Array<{ stage: Stage; name: string; waits?: boolean; run: (env: Record<string, string>) => Promise<StageResult> }> = [];
  if (stages.includes('e2e')) {
    for (const file of stageFiles(
      'e2e',
      testFiles(DIST_TESTS).filter((f) => f.includes('/e2e/')),
    )) {
      const name = file.replace(/^.*\/(.*)\.test\.js$/, '$1');
      jobs.push({ stage: 'e2e', name, waits: WAITING_FILES.includes(name), run: (env) => runAvaOnHost('e2e', [file], true, env, `ava (e2e, ${name})`) });
    }
  }
  if (stages.includes('labs')) {
    for (const topologies of LABS_STAGE) {
      const name = `lvslab test ${topologies.join(' ')}`;
      const waits = topologies.some(runsKeepalived);
      jobs.push({ stage: 'labs', name, waits, run: (env) => runCliOnHost('labs', labsArgv(topologies), `${name} with a resident microVM`, env) });
    }
  }
  // The director pair's failovers wait on timers, as the e2e pairs do; the cluster's rates are measured in the lane's
  // guest too, which runs nothing else meanwhile (one job a lane).
  if (stages.includes('bench')) {
    const name = 'lvslab bench --only ha';
    jobs.push({ stage: 'bench', name, waits: true, run: (env) => runCliOnHost('bench', BENCH_ARGV.ha, `${name} with a resident microVM`, env) });
    jobs.push({ stage: 'bench', name: CLUSTER_JOB, run: (env) => runCliOnHost('bench', BENCH_ARGV.cluster, `${CLUSTER_JOB} with a resident microVM`, env) });
  }
  // Longest first (unmeasured ones first of all: they may be the longest); nextJob starts the waiting ones early.
  const weight = (name: string) => MEASURED_SECONDS[name] ?? Number.MAX_VALUE;
  jobs.sort((a, b) => weight(b.name) - weight(a.name));
  // The host's stages before the other computing jobs, side by side: the microvm stage's boots contend with unit tests.
  // The lane's environment is not theirs: their tests boot guests of their own or none.
  jobs.unshift(...HOST_STAGES.filter((s) => stages.includes(s)).map((stage) => ({ stage, name: stage, run: () => runStage(stage) })));
  // Each stage's seconds: the time any of its jobs ran (from the first one's start to the last one's end, less the gaps).
  const spans: Array<{ stage: Stage; from: number; to: number }> = [];
  const results = await onLanes(
    jobs.map((job) => ({
      waits: job.waits === true,
      host: HOST_STAGES.includes(job.stage),
      run: async (env: Record<string, string>, guestCpuSeconds: () => number) => {
        const jobStarted = Date.now();
        const cpuBefore = guestCpuSeconds();
        say(`# job ${job.name}: started`);
        const result = await job.run(env).catch((error: Error) => ({ stage: job.stage, passed: 0, failed: 0, skipped: 0, error: error.message, seconds: 0 }));
        spans.push({ stage: job.stage, from: jobStarted, to: Date.now() });
        // What MEASURED_SECONDS is made of; and how much of it the lane's guest computed rather than waited.
        const seconds = (Date.now() - jobStarted) / 1000;
        say(`# job ${job.name}: ${Math.round(seconds)} s, the lane's guest busy ${Math.round(((guestCpuSeconds() - cpuBefore) / seconds) * 100)}% of it`);
        return result;
      },
    })),
    (error, index) => ({ stage: jobs[index].stage, passed: 0, failed: 0, skipped: 0, error: error.message, seconds: 0 }),
  );
  return stages
    .filter((s) => results.some((r) => r.stage === s))
    .map((s) =>
      merged(
        s,
        results.filter((r) => r.stage === s),
        Math.round(busyMs(spans.filter((span) => span.stage === s)) / 100) / 10,
      ),
    );
}

/**
 * The labs stage: the user's path (`lvslab test`) on the labs nothing else verifies in full (the four modes
 * are fully verified by the e2e demo test): weighted rr, and keepalived's health checks and the pairs'
 * failover together with every traffic check. Three jobs, so that the lanes can share them.
 */
const LABS_STAGE = [['dr-wrr8', 'dr-keepalived', 'dr-pair', 'fullnat-pair'], ['nat-pair', 'dr-own', 'tun-pair'], SHIPPED_IPV6];

const labsArgv = (topologies: string[]) => [process.execPath, CLI_ENTRY, 'test', '--tap', '--runner', 'host', ...topologies.map((n) => `topologies/${n}.yaml`)];

/**
 * What the bench stage runs: the LVS claim's shape. Both parts from here, their labs in the lane's resident guest
 * (the cluster's load clients are lab programs, run there).
 */
const benchArgv = (out: string, ...only: string[]) => [process.execPath, CLI_ENTRY, 'bench', '--quick', ...only, '--tap', '--runner', 'host', '--out', out];
const BENCH_ARGV = {
  whole: benchArgv('/tmp/lvslab-bench'),
  cluster: benchArgv('/tmp/lvslab-bench', '--only', 'cluster'),
  ha: benchArgv('/tmp/lvslab-bench-ha', '--only', 'ha'),
};

/**
 * The tests' own temporary folders (fixtures, fake programs, caches) go to a folder of the stage's, removed
 * afterwards: a test that forgets its folder leaves nothing on the host. Still under /tmp, which the guest shares.
 */
async function inScratchTmp<T>(work: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'lvslab-suite-tmp-'));
  try {
    return await work({ TMPDIR: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runStage(stage: Stage): Promise<StageResult> {
  const all = testFiles(DIST_TESTS);
  switch (stage) {
    case 'unit':
      return inScratchTmp((env) =>
        runAvaOnHost(
          stage,
          stageFiles(
            stage,
            all.filter((f) => !f.includes('/e2e/') && !f.endsWith('.boot.test.js')),
          ),
          true,
          env,
        ),
      );
    case 'microvm':
      return inScratchTmp((env) =>
        runAvaOnHost(
          stage,
          stageFiles(
            stage,
            all.filter((f) => f.endsWith('.boot.test.js')),
          ),
          false,
          env,
        ),
      );
    // With IPVS on the host these run here, one after another; without, main() hands them to runGuestStages.
    case 'e2e':
      return runAvaOnHost(
        stage,
        stageFiles(
          stage,
          all.filter((f) => f.includes('/e2e/')),
        ),
      );
    case 'labs':
      return runCliOnHost(stage, labsArgv(LABS_STAGE.flat()), 'lvslab test');
    case 'bench':
      return runCliOnHost(stage, BENCH_ARGV.whole, 'lvslab bench');
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const onlyIndex = process.argv.indexOf('--only');
  const stages = onlyIndex === -1 ? [...STAGES] : ((process.argv[onlyIndex + 1] ?? '').split(',') as Stage[]);
  const unknown = stages.filter((s) => !STAGES.includes(s));
  if (unknown.length) throw new Error(`unknown stage(s) ${unknown.join(', ')}; stages: ${STAGES.join(', ')}`);
  const ipvs = await ipvsOnHost();
  say(`# IPVS on this host: ${ipvs.usable ? 'yes' : 'no'} (${ipvs.why})${ipvs.usable ? '' : '; e2e and labs run in the microVM'}`);
  const results: StageResult[] = [];
  const inGuest: Stage[] = ipvs.usable ? [] : ['e2e', 'labs', 'bench'];
  // Where lanes run, the host's own stages are jobs of their queue too (runGuestStages).
  if (stages.some((s) => LANE_STAGES.includes(s) && inGuest.includes(s))) inGuest.push(...HOST_STAGES);
  for (const stage of stages.filter((s) => !inGuest.includes(s))) {
    say(`# stage ${stage}`);
    results.push(await runStage(stage).catch((error: Error) => ({ stage, passed: 0, failed: 0, skipped: 0, error: error.message, seconds: 0 })));
  }
  const guestStages = stages.filter((s) => inGuest.includes(s));
  if (guestStages.length > 0) {
    say(`# stages ${guestStages.join(', ')}: microVMs on ${lanes()} lanes, ${lateLanes()} more once the host's own stages are done`);
    results.push(...(await runGuestStages(guestStages)));
  }
  say('');
  if (FAILURES.length > 0) say(['# the failed assertions again:', ...FAILURES, ''].join('\n'));
  for (const r of results)
    say(
      `# ${r.stage.padEnd(8)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed ${String(r.skipped).padStart(3)} skipped  ` +
        `${r.seconds} s${r.error ? `  ERROR: ${r.error}` : ''}`,
    );
  const seconds = Math.round((Date.now() - started) / 1000);
  say(`# the whole suite: ${seconds} s (${Math.floor(seconds / 60)} min ${seconds % 60} s)`);
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed + (r.error ? 1 : 0), 0);
  say(
    closingLine(
      passed,
      failed,
      results.reduce((n, r) => n + r.skipped, 0),
    ),
  );
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
