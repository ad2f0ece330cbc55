/** The microVM's command-line options, shared by every verb that can run in it (pure data: the CLI's usage text needs them without loading the VM code). */
import type { ParseArgsConfig } from 'node:util';

export const VM_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  kernel: { type: 'string' },
  modules: { type: 'string' },
  accel: { type: 'string', default: 'auto' },
  memory: { type: 'string', default: '1024' },
  cpus: { type: 'string', default: '2' },
  timeout: { type: 'string', default: '1800' },
  'show-console': { type: 'boolean', default: false },
};

export const VM_USAGE = '[--kernel PATH [--modules DIR]] [--accel auto|kvm|tcg] [--memory MB] [--cpus N] [--timeout SECONDS] [--show-console]';
