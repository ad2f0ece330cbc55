/**
 * Whether this host's KVM can run the guest. Some hosts offer a /dev/kvm that cannot (a
 * paravirtualized nested KVM: qemu aborts on MSR 0x10a, or hangs); once a boot proves that, the
 * verdict is kept per host (kernel release and qemu version) so later boots go straight to TCG.
 */
import { accessSync, constants } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import { ExecaRunner } from '../apply/runner.js';
import { cacheDir } from './kernel.js';

/** The KVM device; LVSLAB_KVM_DEVICE points elsewhere (tests with a fake qemu on a host without KVM). */
export function kvmDevice(): string {
  return process.env.LVSLAB_KVM_DEVICE ?? '/dev/kvm';
}

export function kvmUsable(): boolean {
  try {
    accessSync(kvmDevice(), constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function verdictFile(): string {
  return join(cacheDir(), 'kvm-verdict.json');
}

let hostKeyMemo: Promise<string> | undefined;

/** `<kernel release> <qemu's version line>`: a new kernel or qemu earns KVM a new try. */
export function hostKey(): Promise<string> {
  hostKeyMemo ??= new ExecaRunner().run(['qemu-system-x86_64', '--version']).then((r) => `${release()} ${r.stdout.split('\n')[0].trim() || 'qemu unknown'}`);
  return hostKeyMemo;
}

type Verdicts = Record<string, { broken: string; seen: string }>;

async function readVerdicts(): Promise<Verdicts> {
  try {
    const parsed = JSON.parse(await readFile(verdictFile(), 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Verdicts) : {};
  } catch {
    return {};
  }
}

/** Why KVM failed on this host before, or undefined when it has not (or the host changed since). */
export async function rememberedKvmFailure(): Promise<string | undefined> {
  return (await readVerdicts())[await hostKey()]?.broken;
}

export async function rememberKvmFailure(reason: string): Promise<void> {
  const verdicts = await readVerdicts();
  verdicts[await hostKey()] = { broken: reason, seen: new Date().toISOString() };
  await mkdir(cacheDir(), { recursive: true });
  await writeFile(verdictFile(), `${JSON.stringify(verdicts, null, 2)}\n`);
}
