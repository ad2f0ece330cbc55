/**
 * Options shared by every verb that can run in the microVM, and running lvslab itself in it.
 */
import { CLI_ENTRY } from '../model/package-root.js';
import { defaultKernel, userKernel, type Kernel } from '../vm/kernel.js';
import { runInVm, vmRequest, type Accel, type VmOutcome, type VmRequest } from '../vm/launch.js';
import { progress } from '../report/progress.js';
import { oneOf, positiveInteger, type ParsedArgs } from './args.js';
import { VM_OPTIONS, VM_USAGE } from './vm-flags.js';

export { VM_OPTIONS, VM_USAGE };

export function log(line: string): void {
  progress.note(line);
}

export async function kernelFrom(values: ParsedArgs['values']): Promise<Kernel> {
  if (typeof values.kernel === 'string') return userKernel(values.kernel, values.modules as string | undefined);
  return defaultKernel({ fetch: true, log });
}

export interface VmStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** The microVM request the user's options make (argv and the streams left to the caller). */
export async function requestFromOptions(argv: string[] | undefined, values: ParsedArgs['values'], streams: VmStreams): Promise<VmRequest> {
  return vmRequest({
    argv,
    kernel: await kernelFrom(values),
    accel: oneOf(values.accel, ['auto', 'kvm', 'tcg'] as const, '--accel') as Accel,
    memoryMb: positiveInteger(values.memory, '--memory'),
    cpus: positiveInteger(values.cpus ?? '2', '--cpus'),
    timeoutSec: positiveInteger(values.timeout, '--timeout'),
    stdout: streams.stdout,
    stderr: streams.stderr,
    log,
    showConsole: values['show-console'] === true,
  });
}

/** Runs argv in the microVM with the options the user gave; says which emulation it used. */
export async function runWithVmOptions(argv: string[] | undefined, values: ParsedArgs['values'], streams: VmStreams): Promise<VmOutcome> {
  return runInVm(await requestFromOptions(argv, values, streams));
}

/** Runs this same CLI inside the microVM with `--runner host`. */
export async function runSelfInVm(verbArgs: string[], values: ParsedArgs['values'], streams: VmStreams): Promise<VmOutcome> {
  return runWithVmOptions([process.execPath, CLI_ENTRY, ...verbArgs, '--runner', 'host'], values, streams);
}
