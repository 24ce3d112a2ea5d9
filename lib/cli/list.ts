import { Command } from 'commander';
import { loadAssembly } from '../local/emulator/assembly';
import { describeAssembly } from '../local/emulator/describe';
import { synthesizeApp } from '../local/emulator/synth';
import { assemblyOptions } from './options';

interface ListOptions {
  assembly: string;
  appDir: string;
  synth: boolean;
  stacks?: string[];
  json?: boolean;
}

/** `msk-pipelines list`: what the synthesized graph contains (no service needed). */
export function register(program: Command): void {
  const list = program
    .command('list')
    .description('list the topics, tables, functions, mappings, routes and schedules of the synthesized graph');
  assemblyOptions(list, 'read the existing cloud assembly instead of synthesizing')
    .option('--stacks <names...>', 'only these stacks')
    .option('--json', 'print the model as JSON')
    .action(async (options: ListOptions) => {
      const dir = synthesizeApp(options.appDir, { outDir: options.assembly, synth: options.synth });
      const model = loadAssembly(dir, { kafkaBrokers: '<local-kafka>', dynamodbEndpoint: '<local-dynamodb>' }, { stacks: options.stacks });
      process.stdout.write(`${options.json ? JSON.stringify(model, null, 2) : describeAssembly(model)}\n`);
    });
}
