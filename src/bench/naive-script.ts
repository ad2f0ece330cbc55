/**
 * The naive equivalent of a plan, for the benchmark: the same commands, one process each, the way a
 * hand-written shell script builds a lab (`ip ...` per line, `sysctl -w` per key, `ipvsadm` per rule).
 */
import type { Plan, Step } from '../plan/build-plan.js';
import { joinCommand } from '../plan/render-script.js';

function words(line: string): string[] {
  return line.split(' ');
}

function naiveCommands(step: Step): string[][] {
  const [tool] = step.argv;
  if (step.modules) return [step.argv];
  if (tool === 'ip' && step.argv.includes('-batch')) {
    const prefix = step.argv[1] === '-n' ? ['ip', '-n', step.argv[2]] : ['ip'];
    return step.input!.map((line) => [...prefix, ...words(line)]);
  }
  const execIn = step.argv.slice(0, 4); // ip netns exec <ns>
  const command = step.argv[4];
  if (command === 'sysctl') return step.argv.slice(7).map((setting) => [...execIn, 'sysctl', '-q', '-w', setting]);
  if (command === 'ipvsadm') return step.input!.map((rule) => [...execIn, 'ipvsadm', ...words(rule)]);
  if (command === 'iptables-restore') {
    return step.input!.filter((l) => l.startsWith('-A')).map((rule) => [...execIn, 'iptables', '-t', 'nat', ...words(rule)]);
  }
  return [step.argv];
}

/** Builds the lab: a POSIX shell script and how many processes it spawns (one per command). */
export function naiveUpScript(plan: Plan): { script: string; processes: number } {
  const lines: string[] = ['set -e'];
  let processes = 0;
  for (const step of plan.steps) {
    for (const argv of naiveCommands(step)) {
      lines.push(step.daemon ? `${joinCommand(argv)} >/dev/null 2>&1 &` : joinCommand(argv));
      processes++;
    }
  }
  return { script: lines.join('\n') + '\n', processes };
}

/** Tears the lab down the usual way: kill each namespace's processes, delete each namespace. */
export function naiveDownScript(plan: Plan): { script: string; processes: number } {
  const lines = plan.namespaces.flatMap((ns) => [`pids=$(ip netns pids ${ns}); [ -z "$pids" ] || kill -9 $pids`, `ip netns del ${ns}`]);
  // ip netns pids, kill (a shell builtin, but counted as the command it replaces), ip netns del
  return { script: lines.join('\n') + '\n', processes: plan.namespaces.length * 3 };
}
