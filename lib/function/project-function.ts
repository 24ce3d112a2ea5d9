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
   * Environment variables (merged over NODE_OPTIONS for source maps).
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
   * `loader`, …), merged over the project's defaults (see `mergeBundling`).
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
 * Project defaults for any NodejsFunction: Node.js 22.x on arm64, JSON logs into a log group
 * with retention, active tracing, and a minified bundle with source maps built by the local
 * esbuild (never Docker). Creates the log group `<id>LogGroup` in `scope`.
 */
export function defaultFunctionProps(scope: Construct, id: string, options: DefaultFunctionOptions): NodejsFunctionProps {
  const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
    retention: options.logRetention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const memorySize = options.memorySize ?? 256;
  // Lambda's memory range. @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
  validateInteger(scope, 'memorySize', memorySize, 128, 10_240, 'MB');
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
    environment: { NODE_OPTIONS: '--enable-source-maps', ...options.environment },
    ...bundlingRoot(options.entry),
    bundling: mergeBundling({
      minify: true,
      sourceMap: true,
      sourceMapMode: SourceMapMode.EXTERNAL,
      sourcesContent: false,
      target: 'node20',
      format: OutputFormat.CJS,
      // Bundle the AWS SDK too: the same versions run in the cloud and in the local emulator.
      bundleAwsSDK: true,
      ...(ownCode(options.entry) ? { tsconfig: path.join(PROJECT_ROOT, 'tsconfig.json') } : {}),
    }, options.bundling),
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
