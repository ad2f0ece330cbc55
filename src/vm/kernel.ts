/**
 * The guest kernel: Debian's generic kernel package (it has IPVS, IPIP, 9p and overlayfs as modules),
 * fetched by name with `apt-get download`, unpacked and depmod'ed once into the cache, reused after.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ProcessRunner } from '../apply/runner.js';
import { VmError } from './vm-error.js';

export interface Kernel {
  version: string;
  vmlinuz: string;
  /** The directory that holds <version>/modules.dep (shared into the guest as /lib/modules). */
  modulesRoot: string;
}

export { VmError };

export function cacheDir(): string {
  if (process.env.LVSLAB_CACHE) return resolve(process.env.LVSLAB_CACHE);
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lvslab');
}

function kernelDir(): string {
  return join(cacheDir(), 'kernel');
}

const META_PACKAGE = 'linux-image-amd64';

/** The cached default kernel, or undefined when it has not been fetched yet. */
export async function cachedKernel(): Promise<Kernel | undefined> {
  try {
    const kernel = JSON.parse(await readFile(join(kernelDir(), 'current.json'), 'utf8')) as Kernel;
    return existsSync(kernel.vmlinuz) && existsSync(join(kernel.modulesRoot, kernel.version, 'modules.dep')) ? kernel : undefined;
  } catch {
    return undefined;
  }
}

async function tool(file: string, args: string[], cwd: string, what: string): Promise<string> {
  const result = await new ProcessRunner().run([file, ...args], { cwd });
  if (result.exitCode !== 0) throw new VmError(`${what} failed: ${file} ${args.join(' ')}\n${result.stderr.trim()}`);
  return result.stdout;
}

/** Downloads, unpacks and depmods Debian's current generic kernel into the cache, unless it is there already. */
export async function fetchDefaultKernel(log: (line: string) => void): Promise<Kernel> {
  const dir = kernelDir();
  await mkdir(dir, { recursive: true });
  const depends = await tool('apt-cache', ['depends', META_PACKAGE], dir, `looking up ${META_PACKAGE} (run apt-get update first)`).catch((error: Error) => {
    throw new VmError(`${error.message}\nThe microVM needs Debian's kernel package; on a machine without apt, pass --kernel PATH --modules DIR.`);
  });
  const pkg = /Depends: (linux-image-[0-9][^\s]*)/.exec(depends)?.[1];
  if (!pkg) throw new VmError(`cannot tell which kernel ${META_PACKAGE} depends on (apt-cache said: ${depends.trim() || 'nothing'}); run apt-get update`);
  const cached = await cachedKernel();
  if (cached && `linux-image-${cached.version}` === pkg) {
    log(`kernel ${cached.version} is already in ${dir}`);
    return cached;
  }
  log(`fetching ${pkg} with apt-get download`);
  const downloads = join(dir, 'downloads');
  await rm(downloads, { recursive: true, force: true });
  await mkdir(downloads, { recursive: true });
  await tool('apt-get', ['download', '-o', 'APT::Sandbox::User=root', pkg], downloads, `downloading ${pkg}`);
  const deb = (await readdir(downloads)).find((f) => f.endsWith('.deb'));
  if (!deb) throw new VmError(`apt-get download ${pkg} produced no .deb file`);
  const root = join(dir, 'root');
  await rm(root, { recursive: true, force: true });
  await tool('dpkg-deb', ['-x', join(downloads, deb), root], dir, 'unpacking the kernel package');
  const version = (await readdir(join(root, 'lib', 'modules')))[0];
  await tool('depmod', ['-b', root, version], dir, 'building modules.dep (package kmod)');
  await rm(downloads, { recursive: true, force: true });
  const kernel: Kernel = { version, vmlinuz: join(root, 'boot', `vmlinuz-${version}`), modulesRoot: join(root, 'lib', 'modules') };
  await writeFile(join(dir, 'current.json'), JSON.stringify(kernel, null, 2) + '\n');
  log(`kernel ${version} ready in ${dir}`);
  return kernel;
}

/** A kernel given by the user: a vmlinuz and the lib/modules directory that matches it. */
export async function userKernel(vmlinuz: string, modulesRoot?: string): Promise<Kernel> {
  if (!existsSync(vmlinuz)) throw new VmError(`kernel ${vmlinuz} does not exist`);
  const root = modulesRoot ?? join(dirname(resolve(vmlinuz)), '..', 'lib', 'modules');
  const versions = existsSync(root) ? (await readdir(root)).filter((v) => existsSync(join(root, v, 'modules.dep'))) : [];
  const version = versions.find((v) => vmlinuz.endsWith(v)) ?? versions[0];
  if (!version) throw new VmError(`no modules for ${vmlinuz}: expected ${root}/<version>/modules.dep (pass --modules DIR; run depmod -b)`);
  return { version, vmlinuz: resolve(vmlinuz), modulesRoot: resolve(root) };
}

/** The default kernel from the cache; a clear error when it is missing and fetching is not allowed. */
export async function defaultKernel(options: { fetch: boolean; log: (line: string) => void }): Promise<Kernel> {
  const cached = await cachedKernel();
  if (cached) return cached;
  if (!options.fetch) {
    throw new VmError(`no guest kernel in ${kernelDir()}: run \`lvslab vm --fetch-kernel\` (it uses apt-get download ${META_PACKAGE}), or pass --kernel PATH`);
  }
  return fetchDefaultKernel(options.log);
}
