import * as fs from 'fs';
import * as path from 'path';
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { chainsInTemplate, type RecordedChain } from '../chain/chain-metadata';
import type { ChainDeclaration } from '../chain/declaration';
import { loadAssembly } from '../local/emulator/assembly';
import { synthesizeApp } from '../local/emulator/synth';

/** Where the `chain` commands look for a chain. */
export interface ChainSourceOptions {
  /**
   * A module exporting the declaration (named like the chain); wins over everything else.
   * @default - the chain is read from the assembly or the deployed stack
   */
  readonly declaration?: string;
  /** The local cloud assembly, relative to `appDir`. */
  readonly assembly: string;
  /** The CDK app (its cdk.json). */
  readonly appDir: string;
  /** False: use the assembly as it is; true: synthesize it when absent or older than the app's sources. */
  readonly synth: boolean;
  /**
   * A deployed stack holding the chain: read from CloudFormation instead of the local assembly.
   * @default - with `clusterArn`, the stack the local assembly declares the chain in; else none (local mode)
   */
  readonly stack?: string;
  /**
   * A deployed cluster: the chain is read from its deployed stack.
   * @default - local mode
   */
  readonly clusterArn?: string;
  /**
   * Region of the deployed stack.
   * @default - the AWS SDK's (AWS_REGION, the profile)
   */
  readonly region?: string;
}

/** A chain as the commands use it. */
export interface FoundChain {
  readonly declaration: ChainDeclaration;
  /**
   * The chain's topic, when recorded.
   * @default - `chain.<name>.events` (a declaration module records none)
   */
  readonly topicName?: string;
  /**
   * The join table's name: the emulator's local name, or the deployed table.
   * @default - unknown: the command needs `--table`
   */
  readonly joinTable?: string;
  /** Where it was found, for messages. */
  readonly source: string;
}

/** Dependencies, for tests. */
export interface ChainSourceDeps {
  /** @default - a client for `options.region` */
  readonly cloudFormation?: CloudFormationClient;
}

/**
 * Finds a chain by name: in the `--declaration` module; else in a deployed stack when
 * `--stack` or `--cluster-arn` is given (CloudFormation `GetTemplate` for the declaration
 * `TaskChain` records, `DescribeStacks` for its join table output); else in the app's cloud
 * assembly, synthesized first when absent or stale.
 */
export async function findChain(name: string, options: ChainSourceOptions, deps: ChainSourceDeps = {}): Promise<FoundChain> {
  if (options.declaration) return { declaration: declarationFromModule(name, options.declaration), source: options.declaration, ...localTable(name, options) };
  if (options.stack || options.clusterArn) return deployedChain(name, options, deps);
  const dir = synthesizeApp(options.appDir, { outDir: options.assembly, synth: options.synth ? 'if-stale' : false });
  const found = chainsInAssembly(dir);
  const chain = found.find((c) => c.recorded.chain.name === name);
  if (!chain) throw new Error(`no chain '${name}' in the cloud assembly ${dir} (chains: ${found.map((c) => c.recorded.chain.name).join(', ') || 'none'}); or pass --declaration <module>`);
  return { declaration: chain.recorded.chain, topicName: chain.recorded.topicName, joinTable: chain.localTable, source: `${dir} (stack ${chain.stack})` };
}

/** The export of `file` that declares `chain`. */
export function declarationFromModule(chain: string, file: string): ChainDeclaration {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.resolve(file)) as Record<string, unknown>;
  const found = Object.values(mod).find((v): v is ChainDeclaration => typeof v === 'object' && v !== null && (v as ChainDeclaration).name === chain && Array.isArray((v as ChainDeclaration).tasks));
  if (!found) throw new Error(`${file} exports no chain declaration named '${chain}'`);
  return found;
}

interface AssemblyChain {
  readonly recorded: RecordedChain;
  readonly stack: string;
  /** The join table's name as the emulator creates it. */
  readonly localTable?: string;
}

/** Every chain recorded in a cloud assembly's templates (nested stacks and stages included). */
export function chainsInAssembly(dir: string): AssemblyChain[] {
  // The endpoints only shape functions' environments, which are not read here.
  const model = loadAssembly(dir, { kafkaBrokers: 'unused:9092', dynamodbEndpoint: 'http://unused' });
  return model.stacks.flatMap((stack) =>
    chainsInTemplate({ Resources: stack.resources }, stack.templateFile).map((recorded) => ({
      recorded,
      stack: stack.name,
      localTable: model.tables.find((t) => t.stack === stack.name && t.logicalId === recorded.joinTableLogicalId)?.name,
    })),
  );
}

/** The local join table of a chain given by `--declaration`, when the assembly is there to name it. */
function localTable(name: string, options: ChainSourceOptions): { joinTable?: string } {
  const dir = path.resolve(options.appDir, options.assembly);
  if (options.clusterArn || !fs.existsSync(path.join(dir, 'manifest.json'))) return {};
  return { joinTable: chainsInAssembly(dir).find((c) => c.recorded.chain.name === name)?.localTable };
}

async function deployedChain(name: string, options: ChainSourceOptions, deps: ChainSourceDeps): Promise<FoundChain> {
  const stackName = options.stack ?? stackInAssembly(name, options);
  if (!stackName) {
    throw new Error(`which deployed stack holds chain '${name}'? Pass --stack <stack name> (the local assembly ${path.resolve(options.appDir, options.assembly)} does not name it)`);
  }
  const cloudFormation = deps.cloudFormation ?? new CloudFormationClient({ region: options.region });
  const { TemplateBody } = await cloudFormation.send(new GetTemplateCommand({ StackName: stackName }));
  let template: Parameters<typeof chainsInTemplate>[0];
  try {
    template = JSON.parse(TemplateBody ?? '{}');
  } catch (e) {
    throw new Error(`the template of stack ${stackName} is not JSON (stacks deployed by the CDK are); cannot read its chains`, { cause: e });
  }
  const recorded = chainsInTemplate(template, `stack ${stackName}`);
  const chain = recorded.find((c) => c.chain.name === name);
  if (!chain) throw new Error(`stack ${stackName} has no chain '${name}' (chains: ${recorded.map((c) => c.chain.name).join(', ') || 'none'})`);
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const joinTable = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === chain.joinTableOutput)?.OutputValue;
  if (!joinTable) throw new Error(`stack ${stackName} has no output ${chain.joinTableOutput} (the join table of chain '${name}'): is its deployment complete?`);
  return { declaration: chain.chain, topicName: chain.topicName, joinTable, source: `stack ${stackName}` };
}

/** The stack that declares `name` in the local assembly, if there is one (never synthesizes: the deployed stack is what counts). */
function stackInAssembly(name: string, options: ChainSourceOptions): string | undefined {
  const dir = path.resolve(options.appDir, options.assembly);
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) return undefined;
  return chainsInAssembly(dir).find((c) => c.recorded.chain.name === name)?.stack;
}
