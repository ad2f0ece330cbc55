/** `lvslab vm`: run a command (or a shell) in the IPVS microVM. */
import { fetchDefaultKernel } from '../vm/kernel.js';
import { parseVerbArgs, UsageError } from './args.js';
import { log, runWithVmOptions, VM_OPTIONS, VM_USAGE } from './vm-options.js';

export async function vmVerb(args: string[]): Promise<number> {
  const { values, rest } = parseVerbArgs(
    args,
    { ...VM_OPTIONS, shell: { type: 'boolean' }, 'fetch-kernel': { type: 'boolean' } },
    `lvslab vm ${VM_USAGE} [--fetch-kernel] [--shell | -- CMD...]`,
  );
  if (values['fetch-kernel']) {
    await fetchDefaultKernel(log);
    if (!values.shell && rest.length === 0) return 0;
  }
  if (!values.shell && rest.length === 0) throw new UsageError(`lvslab vm needs --shell or -- CMD...\nusage: lvslab vm ${VM_USAGE} [--shell | -- CMD...]`);
  const outcome = await runWithVmOptions(values.shell ? undefined : rest, values, { stdout: process.stdout, stderr: process.stderr });
  return outcome.exitCode;
}
