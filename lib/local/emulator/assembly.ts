import * as fs from 'fs';
import * as path from 'path';
import {
  apiKey, AssemblyModel, FunctionModel, LocalEndpoints, MappingModel, RouteModel, ScheduleModel, StackModel, TableModel, TopicModel,
} from './model';
import { Resolver, ResolverStack } from './resolve';
import { functionEnvironment } from './environment';

/**
 * Reads a cloud assembly (`cdk.out`: manifest.json, templates, asset manifests, nested
 * assemblies of stages) into the model the emulator runs. References are resolved against the
 * local services given in `local`.
 */
export interface LoadAssemblyOptions {
  /** Only these stacks (by name or display name). @default every stack of the assembly */
  readonly stacks?: string[];
}

export interface RawStack extends ResolverStack {
  readonly templateFile: string;
  readonly displayName: string;
  /** A nested stack's parent and the parameters the parent passes (unresolved). */
  readonly parent?: { readonly stack: RawStack; readonly parameters: Record<string, unknown> };
  /** Construct path of each resource, by logical id (from the manifest's `aws:cdk:logicalId` metadata). */
  readonly paths: Map<string, string>;
}

const DEFAULT_REGION = 'us-east-1';
/** Lambda's defaults when a template omits `Timeout` (seconds) and `MemorySize` (MB). */
const DEFAULT_TIMEOUT_S = 3;
const DEFAULT_MEMORY_MB = 128;

export function loadAssembly(dir: string, local: LocalEndpoints, options: LoadAssemblyOptions = {}): AssemblyModel {
  const absDir = path.resolve(dir);
  const assets = new Map<string, string>();
  const all = readStacks(absDir, assets);
  const resolver = assemblyResolver(all, local);
  const named = options.stacks && options.stacks.length > 0
    ? all.filter((s) => options.stacks!.some((n) => n === s.name || n === s.displayName || s.displayName.endsWith(`/${n}`)))
    : all;
  const wanted = all.filter((s) => named.includes(s) || (s.parent && named.includes(rootOf(s))));

  const topics = new Map<string, TopicModel>();
  const tables: TableModel[] = [];
  const functions: FunctionModel[] = [];
  const mappings: MappingModel[] = [];
  const routes: RouteModel[] = [];
  const schedules: ScheduleModel[] = [];
  const apis: AssemblyModel['apis'] = [];

  for (const stack of wanted) {
    const resources: Record<string, any> = stack.template.Resources ?? {};
    for (const [id, res] of Object.entries(resources)) {
      const props = res.Properties ?? {};
      switch (res.Type) {
        case 'AWS::MSK::Topic':
        case 'Custom::KafkaTopic': {
          const name = resolver.physicalName(stack, id);
          topics.set(name, {
            name,
            logicalId: id,
            stack: stack.name,
            partitions: Number(resolver.resolve(stack, props.PartitionCount ?? props.NumPartitions ?? 1)),
            replicationFactor: Number(resolver.resolve(stack, props.ReplicationFactor ?? 1)),
            configs: parseTopicConfigs(resolver.resolve(stack, props.Configs)),
          });
          break;
        }
        case 'AWS::DynamoDB::Table':
        case 'AWS::DynamoDB::GlobalTable':
          tables.push(readTable(resolver, stack, id, props));
          break;
        case 'AWS::Lambda::Function': {
          const fn = readFunction(resolver, stack, id, res, absDir, assets, local, stack.paths.get(id));
          if (fn) functions.push(fn);
          break;
        }
        case 'AWS::ApiGatewayV2::Api':
          apis.push({ logicalId: id, stack: stack.name, key: apiKey(stack.name, id), name: String(resolver.resolve(stack, props.Name ?? id)) });
          break;
        case 'AWS::ApiGatewayV2::Route': {
          const route = readRoute(resolver, stack, props);
          if (route) routes.push(route);
          break;
        }
        case 'AWS::Scheduler::Schedule':
          schedules.push(readSchedule(resolver, stack, id, props));
          break;
      }
    }
  }
  // Mappings last: they name functions (maybe of other stacks via exports) and topics.
  for (const stack of wanted) {
    for (const [id, res] of Object.entries<any>(stack.template.Resources ?? {})) {
      if (res.Type !== 'AWS::Lambda::EventSourceMapping') continue;
      const mapping = readMapping(resolver, stack, id, res.Properties ?? {}, functions);
      if (!mapping) continue;
      mappings.push(mapping);
      for (const t of mapping.topics) {
        if (!topics.has(t)) topics.set(t, { name: t, partitions: -1, replicationFactor: 1, configs: {} });
      }
      if (mapping.onFailure?.kind === 'kafka' && !topics.has(mapping.onFailure.topic)) {
        const source = topics.get(mapping.topics[0]);
        topics.set(mapping.onFailure.topic, { name: mapping.onFailure.topic, partitions: source?.partitions ?? -1, replicationFactor: 1, configs: {} });
      }
    }
  }

  const stacks: StackModel[] = wanted.map((s) => ({ name: s.name, templateFile: s.templateFile, region: s.region, resources: s.template.Resources ?? {} }));
  return { dir: absDir, stacks, topics: [...topics.values()], tables, functions, mappings, routes, schedules, apis };
}

/**
 * The resolver of an assembly's stacks, with each nested stack's parameters set to what its parent
 * passes, resolved in the parent (parents come first).
 */
export function assemblyResolver(all: RawStack[], local: LocalEndpoints): Resolver {
  const resolver = new Resolver(all, local);
  for (const s of all) {
    if (!s.parent) continue;
    const params = (s.template.Parameters ??= {});
    for (const [k, v] of Object.entries(s.parent.parameters)) params[k] = { ...params[k], Default: resolver.resolveString(s.parent.stack, v) };
  }
  return resolver;
}

/**
 * Every stack of the assembly at `dir` (stages' nested assemblies and nested stacks included), with
 * its template; fills `assets` with each file asset's directory by object key (`<hash>.zip`).
 */
export function readStacks(dir: string, assets: Map<string, string>): RawStack[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error(`No cloud assembly at ${dir}: manifest.json is missing (run 'cdk synth' first)`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const stacks: RawStack[] = [];
  const topLevel: RawStack[] = [];
  const logicalIds = new Map<RawStack, Array<[string, string]>>();
  for (const [id, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    const props = artifact.properties ?? {};
    if (artifact.type === 'cdk:asset-manifest') {
      readAssetManifest(dir, path.join(dir, props.file), assets);
    } else if (artifact.type === 'aws:cloudformation:stack') {
      const templateFile = path.join(dir, props.templateFile);
      const region = /^aws:\/\/[^/]+\/([a-z0-9-]+)$/.exec(artifact.environment ?? '')?.[1] ?? DEFAULT_REGION;
      const stack: RawStack = {
        name: props.stackName ?? id,
        displayName: artifact.displayName ?? id,
        templateFile,
        region: region === 'unknown-region' ? DEFAULT_REGION : region,
        template: JSON.parse(fs.readFileSync(templateFile, 'utf8')),
        paths: new Map(),
      };
      stacks.push(stack);
      topLevel.push(stack);
      logicalIds.set(stack, logicalIdsOf(dir, artifact));
    } else if (artifact.type === 'cdk:cloud-assembly') {
      stacks.push(...readStacks(path.join(dir, props.directoryName), assets));
    }
  }
  // Nested stacks last: their templates are found through the asset manifests.
  return stacks.flatMap((st) => {
    if (!topLevel.includes(st)) return [st];
    const family = [st, ...nestedStacks(dir, st, assets)];
    assignPaths(family, logicalIds.get(st) ?? []);
    return family;
  });
}

/**
 * `[construct path, logical id]` of every resource of a stack artifact and its nested stacks,
 * from the metadata the CDK always writes into the assembly (in the manifest or, since CDK
 * 2.17x, the stack's `additionalMetadataFile`), whether or not the templates carry
 * `aws:cdk:path` (only the CDK CLI turns that on).
 */
function logicalIdsOf(dir: string, artifact: any): Array<[string, string]> {
  const metadata: Record<string, Array<{ type: string; data: unknown }>> = { ...(artifact.metadata ?? {}) };
  if (artifact.additionalMetadataFile && fs.existsSync(path.join(dir, artifact.additionalMetadataFile))) {
    Object.assign(metadata, JSON.parse(fs.readFileSync(path.join(dir, artifact.additionalMetadataFile), 'utf8')));
  }
  const out: Array<[string, string]> = [];
  for (const [constructPath, entries] of Object.entries(metadata)) {
    const logicalId = entries.find((e) => e.type === 'aws:cdk:logicalId')?.data;
    if (typeof logicalId === 'string') out.push([constructPath.replace(/^\//, ''), logicalId]);
  }
  return out;
}

/**
 * Gives each resource path to the stack that holds it: the deepest (nested) stack whose
 * construct path prefixes it. A nested stack's construct path is its resource's path without
 * the `<id>.NestedStack/<id>.NestedStackResource` the CDK appends.
 */
function assignPaths(family: RawStack[], entries: Array<[string, string]>): void {
  const root = family[0];
  const scopes: Array<{ stack: RawStack; prefix: string }> = [{ stack: root, prefix: root.displayName }];
  for (const nested of family.slice(1)) {
    const resourceId = nested.name.slice(nested.parent!.stack.name.length + 1);
    const resourcePath = entries.find(([p, id]) => id === resourceId && p.endsWith('.NestedStackResource'))?.[0];
    const m = resourcePath ? /^(.*)\/([^/]+)\.NestedStack\/\2\.NestedStackResource$/.exec(resourcePath) : null;
    if (m) scopes.push({ stack: nested, prefix: `${m[1]}/${m[2]}` });
  }
  scopes.sort((a, b) => b.prefix.length - a.prefix.length);
  for (const [constructPath, logicalId] of entries) {
    const owner = scopes.find((s) => constructPath.startsWith(`${s.prefix}/`));
    if (owner && owner.stack.template.Resources?.[logicalId]) owner.stack.paths.set(logicalId, constructPath);
  }
}

/** The nested stacks (`AWS::CloudFormation::Stack` with a template in the assembly) of `parent`, depth first. */
function nestedStacks(dir: string, parent: RawStack, assets: Map<string, string>): RawStack[] {
  const out: RawStack[] = [];
  for (const [id, res] of Object.entries<any>(parent.template.Resources ?? {})) {
    if (res.Type !== 'AWS::CloudFormation::Stack') continue;
    // `aws:asset:path` when asset metadata is on (cdk synth), else the template's object key in TemplateURL.
    const key = /([0-9a-f]{64}\.json)/.exec(JSON.stringify(res.Properties?.TemplateURL ?? ''))?.[1];
    const metadataPath = res.Metadata?.['aws:asset:path'];
    const file = typeof metadataPath === 'string' ? path.join(dir, metadataPath) : key ? assets.get(key) : undefined;
    if (!file || !fs.existsSync(file)) continue;
    const nested: RawStack = {
      name: `${parent.name}-${id}`,
      displayName: `${parent.displayName}/${id}`,
      templateFile: file,
      region: parent.region,
      template: JSON.parse(fs.readFileSync(file, 'utf8')),
      parent: { stack: parent, parameters: res.Properties?.Parameters ?? {} },
      paths: new Map(),
    };
    out.push(nested, ...nestedStacks(dir, nested, assets));
  }
  return out;
}

function rootOf(stack: RawStack): RawStack {
  return stack.parent ? rootOf(stack.parent.stack) : stack;
}

function readAssetManifest(dir: string, file: string, assets: Map<string, string>): void {
  if (!fs.existsSync(file)) return;
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const [hash, asset] of Object.entries<any>(manifest.files ?? {})) {
    const source = asset.source?.path;
    if (!source) continue;
    for (const dest of Object.values<any>(asset.destinations ?? {})) {
      if (dest.objectKey) assets.set(dest.objectKey, path.join(dir, source));
    }
    assets.set(`${hash}.zip`, path.join(dir, source));
  }
}

function parseTopicConfigs(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null || raw === '') return {};
  if (Array.isArray(raw)) {
    return Object.fromEntries(raw.map((c: any) => [String(c.Key ?? c.Name ?? c.name), String(c.Value ?? c.value)]));
  }
  if (typeof raw === 'object') return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
  // AWS::MSK::Topic: base64 of the topic properties (JSON or Java properties).
  const text = Buffer.from(String(raw), 'base64').toString('utf8');
  try {
    const json = JSON.parse(text);
    if (json && typeof json === 'object') return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, String(v)]));
  } catch { /* properties format below */ }
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^#=\s][^=]*)=(.*)$/.exec(line);
    if (m) out[m[1].trim()] = m[2].trim();
  }
  return out;
}

function readTable(resolver: Resolver, stack: ResolverStack, id: string, rawProps: any): TableModel {
  const props = resolver.resolve(stack, rawProps);
  const gsis = (props.GlobalSecondaryIndexes ?? []).map((g: any) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection ?? { ProjectionType: 'ALL' } }));
  const lsis = (props.LocalSecondaryIndexes ?? []).map((g: any) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection ?? { ProjectionType: 'ALL' } }));
  const ttl = props.TimeToLiveSpecification;
  return {
    name: resolver.physicalName(stack, id),
    logicalId: id,
    stack: stack.name,
    keySchema: props.KeySchema ?? [],
    attributeDefinitions: props.AttributeDefinitions ?? [],
    globalSecondaryIndexes: gsis,
    localSecondaryIndexes: lsis,
    ttlAttribute: ttl && ttl.Enabled !== false ? ttl.AttributeName : undefined,
    streamViewType: props.StreamSpecification?.StreamViewType,
  };
}

function readFunction(
  resolver: Resolver, stack: ResolverStack, id: string, res: any, dir: string, assets: Map<string, string>, local: LocalEndpoints, constructPath?: string,
): FunctionModel | undefined {
  const props = res.Properties ?? {};
  const runtime = String(resolver.resolve(stack, props.Runtime ?? ''));
  if (!runtime.startsWith('nodejs')) return undefined;
  const codeDir = functionCodeDir(resolver, stack, res, dir, assets);
  if (!codeDir) return undefined;

  const name = resolver.physicalName(stack, id);
  const template: Record<string, string> = {};
  for (const [k, v] of Object.entries<unknown>(resolver.resolve(stack, props.Environment?.Variables ?? {}))) {
    template[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const handler = String(resolver.resolve(stack, props.Handler ?? 'index.handler'));
  const memorySize = Number(resolver.resolve(stack, props.MemorySize ?? DEFAULT_MEMORY_MB));
  const environment = functionEnvironment(template, {
    functionName: name,
    region: resolver.region(stack),
    runtime,
    memorySize,
    handler,
    codeDir,
    kafkaBrokers: local.kafkaBrokers,
    kafkaIamBrokers: local.kafkaIamBrokers,
    dynamodbEndpoint: local.dynamodbEndpoint,
    sqsEndpoint: local.sqsUrl,
  });
  return {
    name,
    logicalId: id,
    stack: stack.name,
    path: res.Metadata?.['aws:cdk:path'] ?? constructPath,
    arn: resolver.arn(stack, id),
    codeDir,
    handler,
    runtime,
    timeout: Number(resolver.resolve(stack, props.Timeout ?? DEFAULT_TIMEOUT_S)),
    memorySize,
    environment,
  };
}

/** The directory of a function's bundled code (`cdk.out/asset.<hash>`), when the assembly holds it. */
export function functionCodeDir(resolver: Resolver, stack: ResolverStack, res: any, dir: string, assets: Map<string, string>): string | undefined {
  const props = res.Properties ?? {};
  let codeDir: string | undefined;
  const key = props.Code?.S3Key !== undefined ? resolver.resolve(stack, props.Code.S3Key) : undefined;
  if (typeof key === 'string') codeDir = assets.get(key) ?? assets.get(path.basename(key));
  if (!codeDir && res.Metadata?.['aws:asset:path']) codeDir = path.resolve(dir, res.Metadata['aws:asset:path']);
  return codeDir && fs.existsSync(codeDir) ? codeDir : undefined;
}

/**
 * Finds the function a name, ARN, logical id or construct path designates. A construct path
 * may name the function construct (`Stack/Consumer/Function`) or its resource (`…/Resource`),
 * with or without a leading slash.
 */
export function findFunction(functions: FunctionModel[], nameOrArn: string): FunctionModel | undefined {
  const asPath = nameOrArn.replace(/^\//, '');
  return functions.find((f) => f.name === nameOrArn || f.arn === nameOrArn || f.logicalId === nameOrArn || f.path === asPath || f.path === `${asPath}/Resource`)
    ?? functions.find((f) => nameOrArn.includes(`:function:${f.name}`));
}

function readMapping(resolver: Resolver, stack: ResolverStack, id: string, rawProps: any, functions: FunctionModel[]): MappingModel | undefined {
  const props = resolver.resolve(stack, rawProps);
  const topics: string[] = props.Topics ?? [];
  const selfManaged = props.SelfManagedEventSource !== undefined;
  const arn: string | undefined = props.EventSourceArn;
  if (!selfManaged && !(arn ?? '').startsWith('arn:aws:kafka:')) return undefined; // not a Kafka mapping
  const fn = findFunction(functions, String(props.FunctionName));
  if (!fn) return undefined;
  const kafkaConfig = props.AmazonManagedKafkaEventSourceConfig ?? props.SelfManagedKafkaEventSourceConfig ?? {};
  const destination: string | undefined = props.DestinationConfig?.OnFailure?.Destination;
  let onFailure: MappingModel['onFailure'];
  if (destination?.startsWith('kafka://')) onFailure = { kind: 'kafka', topic: destination.slice('kafka://'.length) };
  else if (destination?.startsWith('arn:aws:sqs:')) onFailure = { kind: 'sqs', queue: destination.split(':').pop()!, arn: destination };
  else if (destination) onFailure = { kind: 'other', arn: destination };
  const position = props.StartingPosition ?? 'LATEST';
  return {
    logicalId: id,
    stack: stack.name,
    functionName: fn.name,
    topics,
    eventSource: selfManaged ? 'SelfManagedKafka' : 'aws:kafka',
    eventSourceArn: selfManaged ? undefined : arn,
    startingPosition: position,
    startingPositionTimestamp: props.StartingPositionTimestamp,
    batchSize: Number(props.BatchSize ?? 100),
    batchingWindow: Number(props.MaximumBatchingWindowInSeconds ?? 0.5),
    filters: (props.FilterCriteria?.Filters ?? []).map((f: any) => (typeof f.Pattern === 'string' ? JSON.parse(f.Pattern) : f.Pattern)),
    consumerGroupId: kafkaConfig.ConsumerGroupId ?? `lambda-esm-${stack.name}-${id}`,
    onFailure,
    reportBatchItemFailures: (props.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
    maximumRetryAttempts: props.MaximumRetryAttempts !== undefined ? Number(props.MaximumRetryAttempts) : -1,
    bisectBatchOnFunctionError: props.BisectBatchOnFunctionError === true || props.BisectBatchOnFunctionError === 'true',
    maximumRecordAgeInSeconds: props.MaximumRecordAgeInSeconds !== undefined ? Number(props.MaximumRecordAgeInSeconds) : -1,
    provisionedPollers: props.ProvisionedPollerConfig
      ? { minimum: props.ProvisionedPollerConfig.MinimumPollers, maximum: props.ProvisionedPollerConfig.MaximumPollers }
      : undefined,
    enabled: props.Enabled !== false && props.Enabled !== 'false',
  };
}

function readRoute(resolver: Resolver, stack: ResolverStack, rawProps: any): RouteModel | undefined {
  const props = rawProps;
  const routeKey = String(resolver.resolve(stack, props.RouteKey));
  const target = props.Target !== undefined ? String(resolver.resolve(stack, props.Target)) : undefined;
  // The API by stack and logical id: another stack's API (imported) keeps its own stack.
  const api = resolver.resourceOf(stack, props.ApiId) ?? { stack, logicalId: String(resolver.resolve(stack, props.ApiId)) };
  if (!target) return undefined;
  // The integration is the route's own stack's resource (`integrations/<Ref>`), never a namesake elsewhere.
  const integrationId = target.replace(/^integrations\//, '');
  const integration = stack.template.Resources?.[integrationId];
  if (!integration) return undefined;
  const uri = String(resolver.resolve(stack, integration.Properties?.IntegrationUri ?? ''));
  const m = /:function:([^/:]+)/.exec(uri);
  if (!m) return undefined;
  return {
    apiLogicalId: api.logicalId,
    api: apiKey(api.stack.name, api.logicalId),
    stack: stack.name,
    routeKey,
    authorizationType: String(resolver.resolve(stack, props.AuthorizationType ?? 'NONE')),
    functionName: m[1],
    payloadFormatVersion: String(resolver.resolve(stack, integration.Properties?.PayloadFormatVersion ?? '2.0')),
  };
}

function readSchedule(resolver: Resolver, stack: ResolverStack, id: string, rawProps: any): ScheduleModel {
  const props = resolver.resolve(stack, rawProps);
  const targetArn: string | undefined = props.Target?.Arn;
  const fnMatch = targetArn ? /:function:([^/:]+)/.exec(targetArn) : null;
  let input: unknown = props.Target?.Input;
  if (typeof input === 'string') {
    try { input = JSON.parse(input); } catch { /* keep the raw string */ }
  }
  return {
    name: resolver.physicalName(stack, id),
    logicalId: id,
    stack: stack.name,
    expression: props.ScheduleExpression,
    timezone: props.ScheduleExpressionTimezone,
    functionName: fnMatch?.[1],
    input,
    enabled: props.State !== 'DISABLED',
  };
}
