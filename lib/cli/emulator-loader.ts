/**
 * The emulator is loaded only by the commands that need it, so `services` and `publish` work
 * (and start fast) whatever state the emulator module is in.
 */
export function loadEmulator(command: string): typeof import('../local/emulator/emulator') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../local/emulator/emulator');
  } catch (err) {
    throw new Error(`'${command}' needs the local emulator (lib/local/emulator), which is not available: ${(err as Error).message}`, { cause: err });
  }
}
