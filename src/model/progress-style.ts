/**
 * How progress is drawn: a live line on a terminal, plain timestamped lines in logs and CI.
 * LVSLAB_PROGRESS=live|plain overrides; the microVM's guest is handed the host's choice.
 */
export type ProgressStyle = 'live' | 'plain';

export function progressStyle(env: NodeJS.ProcessEnv, isTty: boolean): ProgressStyle {
  if (env.LVSLAB_PROGRESS === 'live' || env.LVSLAB_PROGRESS === 'plain') return env.LVSLAB_PROGRESS;
  if (env.CI && env.CI !== 'false' && env.CI !== '0') return 'plain';
  return isTty ? 'live' : 'plain';
}
