import { Command } from 'commander';
import { loadEmulator } from './emulator-loader';

/** `msk-pipelines demo` (`npm start`): the example scenario end to end. Wired to the emulator by its owner. */
export function register(program: Command): void {
  program
    .command('demo')
    .description('run the example scenario end to end and write .local/report.json')
    .action(async () => {
      loadEmulator('demo');
      throw new Error("'demo' is registered but not wired to the emulator yet (lib/cli/demo.ts)");
    });
}
