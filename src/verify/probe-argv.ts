/**
 * The client-side probe's arguments: what to ask (typed here) written as the words probe.pl reads. The probe is
 * Perl with no module (src/verify/probe.pl): under emulation a Node probe cost 0.5 s of the guest's CPU each.
 */
import { PROBE_SCRIPT } from '../model/package-root.js';

export interface ProbeTarget {
  protocol: 'tcp' | 'udp';
  vip: string;
  port: number;
  count: number;
  /** Padding bytes asked of the real server (TCP). */
  bytes?: number;
}

/** A request every `everyMs` for `forMs`, each on its own (a lost one does not hold up the next); answers carry when they were sent. */
export interface TimelineSpec {
  target: ProbeTarget;
  everyMs: number;
  /** At most this long... */
  forMs: number;
  timeoutMs: number;
  /** ...and until this file exists; the prober creates `startedFile` once it runs. */
  stopFile?: string;
  startedFile?: string;
}

const targetWords = (t: ProbeTarget) => [t.protocol, t.vip, String(t.port), String(t.count), String(t.bytes ?? 0)];

/** The argv that makes each target's requests, one after the other, from inside `namespace`. */
export function probeArgv(namespace: string, targets: readonly ProbeTarget[]): string[] {
  return ['ip', 'netns', 'exec', namespace, 'perl', PROBE_SCRIPT, ...targets.flatMap(targetWords)];
}

/** The argv of a timeline of requests from inside `namespace`. */
export function timelineArgv(namespace: string, spec: TimelineSpec): string[] {
  const times = [spec.everyMs, spec.forMs, spec.timeoutMs].map((ms) => String(Math.round(ms)));
  return [
    'ip',
    'netns',
    'exec',
    namespace,
    'perl',
    PROBE_SCRIPT,
    '--timeline',
    ...times,
    spec.startedFile ?? '-',
    spec.stopFile ?? '-',
    ...targetWords(spec.target),
  ];
}
