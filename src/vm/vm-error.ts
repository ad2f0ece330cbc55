/** The microVM could not give the command's status (no kernel, no qemu, boot failure, panic, timeout): exit 125. */
export class VmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VmError';
  }
}
