import { Command } from 'commander';
import { loadAssembly } from '../local/emulator/assembly';
import { describeAssembly } from '../local/emulator/describe';
import { synthesizeApp } from '../local/emulator/synth';

interface ListOptions {
  assembly: string;
  appDir: string;
  synth: boolean;
  stacks?: string[];
  json?: boolean;
}

/** `msk-pipelines list`: what the synthesized graph contains (no service needed). */
export function register(program: Command): void {
  program
    .command('list')
    .description('list the topics, tables, functions, mappings, routes and schedules of the synthesized graph')
    .option('-a, --assembly <dir>', 'cloud assembly directory', 'cdk.out')
    .option('--app-dir <dir>', 'directory of the CDK app (its cdk.json)', '.')
    .option('--no-synth', 'read the existing cloud assembly instead of synthesizing')
    .option('--stacks <names...>', 'only these stacks')
    .option('--json', 'print the model as JSON')
    .action(async (options: ListOptions) => {
      const dir = synthesizeApp(options.appDir, { outDir: options.assembly, synth: options.synth });
      const model = loadAssembly(dir, { kafkaBrokers: '<local-kafka>', dynamodbEndpoint: '<local-dynamodb>' }, { stacks: options.stacks });
      process.stdout.write(`${options.json ? JSON.stringify(model, null, 2) : describeAssembly(model)}\n`);
    });
}
