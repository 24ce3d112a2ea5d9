import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BundlingOptions, NodejsFunction, NodejsFunctionProps, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { validateInteger } from '../core/validate';

/** Root of the repository: lock file and tsconfig for bundling. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Where a function's code lives: `lambdas/<name>/index.ts`, e.g. `functions/gateway` or `examples/audit-log`. */
export function lambdaEntry(name: string): string {
  return path.join(PROJECT_ROOT, 'lambdas', name, 'index.ts');
}

/** Options for `defaultFunctionProps`. */
export interface DefaultFunctionOptions {
  /** TypeScript entry file. */
  readonly entry: string;
  /**
   * Exported handler name.
   * @default 'handler'
   */
  readonly handler?: string;
  /**
   * Description of the function.
   * @default - none
   */
  readonly description?: string;
  /**
   * Environment variables. Source-mapped stack traces are off by default (see
   * `defaultFunctionProps`): set `NODE_OPTIONS: '--enable-source-maps'` here to turn them on.
   * @default {}
   */
  readonly environment?: Record<string, string>;
  /**
   * Timeout.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Memory in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * VPC to place the function in.
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets within `vpc`.
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups within `vpc`.
   * @default - none
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * esbuild options for the function's bundle (`externalModules`, `nodeModules`, `define`,
   * `loader`, …), merged over the project's defaults (see `mergeBundling`). `externalModules`
   * adds to the AWS SDK (`@aws-sdk/*`, which stays external) unless `bundleAwsSDK` is true.
   * @default - the project's defaults only
   */
  readonly bundling?: BundlingOptions;
}

/**
 * The project's bundling defaults with `overrides` over them: a field `overrides` sets wins,
 * and the maps (`define`, `loader`, `esbuildArgs`) are merged key by key, so a function can add
 * a definition without losing the project's.
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_lambda_nodejs.BundlingOptions.html
 */
export function mergeBundling(defaults: BundlingOptions, overrides: BundlingOptions | undefined): BundlingOptions {
  if (!overrides) return defaults;
  const maps = ['define', 'loader', 'esbuildArgs'] as const;
  const merged: Record<string, unknown> = { ...defaults, ...overrides };
  for (const key of maps) {
    if (defaults[key] || overrides[key]) merged[key] = { ...defaults[key], ...overrides[key] };
  }
  return merged as BundlingOptions;
}

/**
 * The AWS SDK for JavaScript v3 is not bundled: the Lambda Node.js runtimes from 18.x on include
 * it, so a function's bundle holds only its own code and the libraries the runtime lacks
 * (kafkajs, Powertools). With the SDK bundled the functions were 0.56–1.13 MB minified (smithy core
 * alone ≈ 200 KB); without it they are 25–353 KB (bench/cold-start.ts measures both, with the time
 * to load each bundle). The price is the runtime's SDK version instead of the lock file's: the
 * functions use only long-stable operations (DynamoDB items and transactions, SQS SendMessage,
 * Secrets Manager GetSecretValue, MSK GetBootstrapBrokers). Local mode loads the SDK from this
 * package's node_modules the way Lambda loads the runtime's copy (see the emulator's
 * function host). A function that needs a newer SDK sets `bundling: { bundleAwsSDK: true }`.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-package.html
 */
export const AWS_SDK_EXTERNALS: readonly string[] = ['@aws-sdk/*'];

/**
 * Project defaults for any NodejsFunction: Node.js 22.x on arm64, JSON logs into a log group
 * with retention, active tracing, and a minified bundle built by the local esbuild (never
 * Docker) without the AWS SDK (see `AWS_SDK_EXTERNALS`). Creates the log group `<id>LogGroup`.
 *
 * The bundle has an external source map (`index.js.map`, without the sources' content) but
 * `--enable-source-maps` is not set: Node then parses the map of every loaded file at load time
 * and maps each `Error.stack` it formats, a cost on every cold start and every logged error
 * (bench/cold-start.ts measures it). Set `NODE_OPTIONS: '--enable-source-maps'` in
 * `environment` to have stack traces in the logs point at the TypeScript sources.
 * @see https://nodejs.org/api/cli.html#--enable-source-maps
 */
export function defaultFunctionProps(scope: Construct, id: string, options: DefaultFunctionOptions): NodejsFunctionProps {
  const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
    retention: options.logRetention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const memorySize = options.memorySize ?? 256;
  // Lambda's memory range. @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
  validateInteger(scope, 'memorySize', memorySize, 128, 10_240, 'MB');
  const bundling = mergeBundling({
    minify: true,
    sourceMap: true,
    sourceMapMode: SourceMapMode.EXTERNAL,
    sourcesContent: false,
    target: 'node20',
    format: OutputFormat.CJS,
    ...(ownCode(options.entry) ? { tsconfig: path.join(PROJECT_ROOT, 'tsconfig.json') } : {}),
  }, options.bundling);
  return {
    entry: options.entry,
    handler: options.handler ?? 'handler',
    description: options.description,
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize,
    timeout: options.timeout ?? Duration.seconds(30),
    tracing: lambda.Tracing.ACTIVE,
    loggingFormat: lambda.LoggingFormat.JSON,
    logGroup,
    vpc: options.vpc,
    vpcSubnets: options.vpc ? options.vpcSubnets : undefined,
    securityGroups: options.vpc ? options.securityGroups : undefined,
    environment: options.environment,
    ...bundlingRoot(options.entry),
    bundling: bundling.bundleAwsSDK ? bundling : { ...bundling, externalModules: [...new Set([...AWS_SDK_EXTERNALS, ...(bundling.externalModules ?? [])])] },
  };
}

/**
 * Whether `entry` is this package's own code (its functions, its examples) in a checkout that
 * has its lock file. A user's entry lives in the user's project, which has its own lock file
 * and tsconfig: bundling it against this package's root would fail ("entryPath should be under
 * projectRoot") or apply the wrong compiler settings.
 */
function ownCode(entry: string): boolean {
  const relative = path.relative(PROJECT_ROOT, path.resolve(entry));
  return !relative.startsWith('..') && !path.isAbsolute(relative) && fs.existsSync(path.join(PROJECT_ROOT, 'package-lock.json'));
}

/**
 * The package's own code bundles from its root and lock file; a user's entry (or this
 * package's code installed without its lock file) from the user's project, which
 * NodejsFunction finds from the lock file above the working directory.
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_lambda_nodejs.NodejsFunctionProps.html#depslockfilepath
 */
function bundlingRoot(entry: string): Pick<NodejsFunctionProps, 'projectRoot' | 'depsLockFilePath'> {
  return ownCode(entry) ? { projectRoot: PROJECT_ROOT, depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json') } : {};
}

/** A NodejsFunction with the project defaults. */
export function createFunction(scope: Construct, id: string, options: DefaultFunctionOptions): NodejsFunction {
  return new NodejsFunction(scope, id, defaultFunctionProps(scope, id, options));
}
