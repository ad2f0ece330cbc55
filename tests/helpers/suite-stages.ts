/**
 * The files each stage of the suite must run: a stage whose list lost a file fails, and an empty list
 * never reaches ava (which would then run its default glob, every test). Unit: a file per folder at least.
 */
const EXPECTED = {
  unit: ['apply', 'bench', 'ci', 'cli', 'guest', 'modes', 'plan', 'report', 'scripts', 'session', 'vagrant', 'validate', 'verify', 'vm'].map(
    (dir) => `dist/tests/${dir}/`,
  ),
  microvm: ['dist/tests/vm/microvm.boot.test.js', 'dist/tests/vm/kvm-fallback.boot.test.js', 'dist/tests/vm/resident.boot.test.js'],
  e2e: ['demo', 'director-pair', 'keepalived', 'labs', 'verifier-fails-dr', 'verifier-fails-nat', 'verifier-fails-tun-fullnat'].map(
    (name) => `dist/tests/e2e/${name}.test.js`,
  ),
};

/** The files a stage runs, or an error naming what is missing. */
export function stageFiles(stage: keyof typeof EXPECTED, files: string[]): string[] {
  const missing = EXPECTED[stage].filter((want) => !files.some((f) => (want.endsWith('/') ? f.startsWith(want) : f === want)));
  if (files.length === 0 || missing.length > 0) throw new Error(`stage ${stage} is missing its test files: ${missing.join(', ') || 'all'}`);
  return files;
}

/** How long at least one of these spans was under way (ms). */
export function busyMs(spans: ReadonlyArray<{ from: number; to: number }>): number {
  let total = 0;
  let reached = -Infinity;
  for (const { from, to } of [...spans].sort((a, b) => a.from - b.from)) {
    total += Math.max(0, to - Math.max(from, reached));
    reached = Math.max(reached, to);
  }
  return total;
}

/**
 * Which queued job a free lane takes. Jobs that mostly wait on timers (a director pair's failover, keepalived's
 * checkers) go as early as they can, but no more than `maxWaiting` at once: three of them together left the two
 * cores half idle for over a minute (CI run 50), and one left for last ran alone for its whole minute (run 53).
 * The other lanes take the computing jobs, first in the queue first (it is longest first); when only waiting jobs
 * are left, the first is taken anyway (a lane never idles while a job is queued). The index in `queue`, or undefined.
 */
export function nextJob(queue: ReadonlyArray<{ waits: boolean }>, waitingNow: number, maxWaiting: number): number | undefined {
  if (queue.length === 0) return undefined;
  const waiting = queue.findIndex((job) => job.waits);
  if (waiting !== -1 && waitingNow < maxWaiting) return waiting;
  const computing = queue.findIndex((job) => !job.waits);
  return computing === -1 ? 0 : computing;
}
