/**
 * Whether this host's KVM can run the guest. Some hosts offer a /dev/kvm that cannot (a
 * paravirtualized nested KVM: qemu aborts on MSR 0x10a, or hangs); once a boot proves that, the
 * verdict is kept per host (kernel release and qemu version) so later boots go straight to TCG.
 */
import { accessSync, constants } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { release } from 'node:os';
import { join } from 'node:path';
import { ProcessRunner } from '../apply/runner.js';
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
  hostKeyMemo ??= new ProcessRunner().run(['qemu-system-x86_64', '--version']).then((r) => `${release()} ${r.stdout.split('\n')[0].trim() || 'qemu unknown'}`);
  return hostKeyMemo;
}

/**
 * What KVM did on each host. A KVM that died before the guest booted (an error exit, a signal) is
 * broken for good; one that merely did not boot in time may have met a busy host, so it is given up
 * only after two such boots in a row. A KVM boot that works clears the record.
 */
interface Verdict {
  broken: string;
  seen: string;
  /** How the failures went: died at once, or timed out (counted). */
  died?: boolean;
  hangs?: number;
}
type Verdicts = Record<string, Verdict>;

/** Timed-out KVM boots in a row after which KVM is no longer tried on a host. */
export const HANGS_BEFORE_GIVING_UP = 2;

async function readVerdicts(): Promise<Verdicts> {
  try {
    const parsed = JSON.parse(await readFile(verdictFile(), 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Verdicts) : {};
  } catch {
    return {};
  }
}

async function writeVerdicts(verdicts: Verdicts): Promise<void> {
  await mkdir(cacheDir(), { recursive: true });
  await writeFile(verdictFile(), `${JSON.stringify(verdicts, null, 2)}\n`);
}

/** Why KVM cannot run the guest on this host, when that is settled; undefined while it is worth a try. */
export async function rememberedKvmFailure(): Promise<string | undefined> {
  const verdict = (await readVerdicts())[await hostKey()];
  if (!verdict) return undefined;
  // Records of older versions had no kind: they were written for a failure, so they count as one.
  const settled = verdict.died !== false || (verdict.hangs ?? 0) >= HANGS_BEFORE_GIVING_UP;
  return settled ? verdict.broken : undefined;
}

/** Records a KVM boot that failed: `hang` when it only ran out of time. */
export async function rememberKvmFailure(reason: string, hang = false): Promise<void> {
  const verdicts = await readVerdicts();
  const key = await hostKey();
  const hangs = hang ? (verdicts[key]?.hangs ?? 0) + 1 : 0;
  verdicts[key] = { broken: reason, seen: new Date().toISOString(), died: !hang, hangs };
  await writeVerdicts(verdicts);
}

/** A KVM boot worked: whatever was recorded for this host is forgotten. */
export async function forgetKvmFailure(): Promise<void> {
  const verdicts = await readVerdicts();
  const key = await hostKey();
  if (!(key in verdicts)) return;
  delete verdicts[key];
  await writeVerdicts(verdicts);
}
