import { KAFKA_BOOTSTRAP_BROKERS_RESOURCE_TYPE } from '../../cluster/bootstrap-brokers';
import { apiKey, LOCAL_ACCOUNT, LocalEndpoints } from './model';

/** One stack's template, as the resolver sees it. */
export interface ResolverStack {
  readonly name: string;
  readonly region: string;
  readonly template: any;
  /** A nested stack's parent and the parameters the parent passes (unresolved). */
  readonly parent?: { readonly stack: ResolverStack; readonly parameters: Record<string, unknown> };
}

/** Sentinel for `AWS::NoValue`: the property or list element is dropped. */
export const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Resolves CloudFormation intrinsic functions to local values: a table's `Ref` is its local
 * name, a function's `Fn::GetAtt Arn` a fake local ARN, an MSK cluster's bootstrap brokers the
 * local broker. Only what a template can hold in environment variables and mapping properties
 * is supported; anything else resolves to the logical id so that a run never stops on it.
 */
export class Resolver {
  private readonly exports = new Map<string, { stack: ResolverStack; value: unknown }>();
  private readonly stacksByName = new Map<string, ResolverStack>();

  constructor(stacks: ResolverStack[], private readonly local: LocalEndpoints) {
    for (const stack of stacks) this.stacksByName.set(stack.name, stack);
    for (const stack of stacks) {
      for (const output of Object.values<any>(stack.template.Outputs ?? {})) {
        if (output?.Export?.Name === undefined) continue;
        const name = String(this.resolve(stack, output.Export.Name));
        this.exports.set(name, { stack, value: output.Value });
      }
    }
  }

  /** The region a stack resolves `AWS::Region` to. */
  region(stack: ResolverStack): string {
    return this.local.region ?? stack.region;
  }

  /** Resolves every intrinsic inside `value` (deeply). */
  resolve(stack: ResolverStack, value: unknown): any {
    if (Array.isArray(value)) {
      return value.map((v) => this.resolve(stack, v)).filter((v) => v !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition')) {
      return this.intrinsic(stack, keys[0], (value as any)[keys[0]]);
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = this.resolve(stack, (value as any)[k]);
      if (v !== NO_VALUE) out[k] = v;
    }
    return out;
  }

  /** Resolves to a string (objects are JSON-encoded, as CloudFormation would reject them anyway). */
  resolveString(stack: ResolverStack, value: unknown): string {
    const v = this.resolve(stack, value);
    return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }

  /**
   * The resource a reference designates (`Ref`, `Fn::GetAtt`, an `Fn::ImportValue` of either, a
   * nested stack's parameter its parent sets to either), with the stack that declares it; undefined
   * for anything else. Logical ids are unique only within a stack: this says which stack.
   */
  resourceOf(stack: ResolverStack, value: unknown): { stack: ResolverStack; logicalId: string } | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const v = value as Record<string, any>;
    if (typeof v.Ref === 'string') {
      if (this.typeOf(stack, v.Ref) !== undefined) return { stack, logicalId: v.Ref };
      const followed = this.follow(stack, v);
      return followed ? this.resourceOf(followed.stack, followed.value) : undefined;
    }
    if (Array.isArray(v['Fn::Select'])) {
      // One element of a list reference (a subnet of an SSM parameter or export holding `Fn::Join`).
      const [index, list] = v['Fn::Select'];
      const items = this.listOf(stack, list);
      const item = items?.values[Number(this.resolve(stack, index))];
      return item !== undefined ? this.resourceOf(items!.stack, item) : undefined;
    }
    if (v['Fn::GetAtt'] !== undefined) {
      const [id] = Array.isArray(v['Fn::GetAtt']) ? v['Fn::GetAtt'] : String(v['Fn::GetAtt']).split('.');
      return this.typeOf(stack, id) !== undefined ? { stack, logicalId: id } : undefined;
    }
    if (v['Fn::ImportValue'] !== undefined) {
      const exp = this.exports.get(this.resolveString(stack, v['Fn::ImportValue']));
      return exp ? this.resourceOf(exp.stack, exp.value) : undefined;
    }
    return undefined;
  }

  /**
   * What a reference stands for, unresolved, with the stack that declares it: a nested stack's
   * parameter (its parent's value), an SSM-parameter-typed parameter (the value of the assembly's
   * `AWS::SSM::Parameter` of that name), an `Fn::ImportValue` (the export's value); undefined for
   * anything else.
   */
  private follow(stack: ResolverStack, value: Record<string, any>): { stack: ResolverStack; value: unknown } | undefined {
    if (typeof value.Ref === 'string') {
      const passed = stack.parent?.parameters[value.Ref];
      if (passed !== undefined) return { stack: stack.parent!.stack, value: passed };
      const param = stack.template.Parameters?.[value.Ref];
      if (param !== undefined && /^AWS::SSM::Parameter::Value</.test(String(param.Type ?? ''))) return this.ssmParameterSource(String(param.Default ?? ''));
      return undefined;
    }
    if (value['Fn::ImportValue'] !== undefined) return this.exports.get(this.resolveString(stack, value['Fn::ImportValue']));
    return undefined;
  }

  /** The elements of a list a template builds (`Fn::Split` of a reference to an `Fn::Join`, or a literal list), unresolved. */
  private listOf(stack: ResolverStack, value: unknown): { stack: ResolverStack; values: unknown[] } | undefined {
    if (Array.isArray(value)) return { stack, values: value };
    if (value === null || typeof value !== 'object') return undefined;
    const split = (value as any)['Fn::Split'];
    if (!Array.isArray(split)) return undefined;
    const [separator, source] = split;
    let current: { stack: ResolverStack; value: unknown } | undefined = { stack, value: source };
    while (current && current.value !== null && typeof current.value === 'object' && !Array.isArray(current.value) && (current.value as any)['Fn::Join'] === undefined) {
      current = this.follow(current.stack, current.value as Record<string, any>);
    }
    const join = current && (current.value as any)?.['Fn::Join'];
    if (!current || !Array.isArray(join) || join[0] !== separator || !Array.isArray(join[1])) return undefined;
    return { stack: current.stack, values: join[1] };
  }

  /** The `AWS::SSM::Parameter` of the assembly named `name`: its value, unresolved, and its stack. */
  private ssmParameterSource(name: string): { stack: ResolverStack; value: unknown } | undefined {
    for (const owner of this.stacksByName.values()) {
      for (const res of Object.values<any>(owner.template.Resources ?? {})) {
        if (res?.Type !== 'AWS::SSM::Parameter' || res.Properties?.Name === undefined) continue;
        if (this.resolveString(owner, res.Properties.Name) === name) return { stack: owner, value: res.Properties.Value };
      }
    }
    return undefined;
  }

  /** The type of a resource in a stack, or undefined. */
  typeOf(stack: ResolverStack, logicalId: string): string | undefined {
    return stack.template.Resources?.[logicalId]?.Type;
  }

  /** The local physical name of a resource (what `Ref` returns for named resources). */
  physicalName(stack: ResolverStack, logicalId: string): string {
    const res = stack.template.Resources?.[logicalId];
    const props = res?.Properties ?? {};
    switch (res?.Type) {
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        // Like CloudFormation's generated names (minus the random suffix): two stacks with the same
        // construct tree must not share a table.
        return props.TableName !== undefined ? this.resolveString(stack, props.TableName) : `${stack.name}-${logicalId}`;
      case 'AWS::Lambda::Function':
        return props.FunctionName !== undefined ? this.resolveString(stack, props.FunctionName) : `${stack.name}-${logicalId}`;
      case 'AWS::MSK::Topic':
      case 'Custom::KafkaTopic':
        return props.TopicName !== undefined ? this.resolveString(stack, props.TopicName) : logicalId;
      case 'AWS::SQS::Queue':
        return props.QueueName !== undefined ? this.resolveString(stack, props.QueueName) : `${stack.name}-${logicalId}`;
      case 'AWS::S3::Bucket':
        return props.BucketName !== undefined ? this.resolveString(stack, props.BucketName) : `${stack.name}-${logicalId}`.toLowerCase();
      case 'AWS::Scheduler::Schedule':
        return props.Name !== undefined ? this.resolveString(stack, props.Name) : `${stack.name}-${logicalId}`;
      default:
        return props.Name !== undefined && typeof props.Name === 'string' ? props.Name : logicalId;
    }
  }

  /** Fake local ARN of a resource, shaped like the real one. */
  arn(stack: ResolverStack, logicalId: string): string {
    const region = this.region(stack);
    const name = this.physicalName(stack, logicalId);
    const type = this.typeOf(stack, logicalId) ?? '';
    switch (type) {
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${name}`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return `arn:aws:dynamodb:${region}:${LOCAL_ACCOUNT}:table/${name}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${region}:${LOCAL_ACCOUNT}:${name}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${LOCAL_ACCOUNT}:${name}`;
      case 'AWS::MSK::Cluster':
      case 'AWS::MSK::ServerlessCluster':
        return `arn:aws:kafka:${region}:${LOCAL_ACCOUNT}:cluster/${name}/local`;
      case 'AWS::MSK::Topic':
      case 'Custom::KafkaTopic':
        return `arn:aws:kafka:${region}:${LOCAL_ACCOUNT}:topic/local/local/${name}`;
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name}`;
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${region}:${LOCAL_ACCOUNT}:secret:${name}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name}`;
      default: {
        const service = type.split('::')[1]?.toLowerCase() ?? 'local';
        return `arn:aws:${service}:${region}:${LOCAL_ACCOUNT}:${name}`;
      }
    }
  }

  private ref(stack: ResolverStack, name: string): unknown {
    switch (name) {
      case 'AWS::Region': return this.region(stack);
      case 'AWS::AccountId': return LOCAL_ACCOUNT;
      case 'AWS::Partition': return 'aws';
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return stack.name;
      case 'AWS::StackId': return `arn:aws:cloudformation:${this.region(stack)}:${LOCAL_ACCOUNT}:stack/${stack.name}/local`;
      case 'AWS::NoValue': return NO_VALUE;
      case 'AWS::NotificationARNs': return [];
    }
    const param = stack.template.Parameters?.[name];
    if (param !== undefined) {
      // An SSM parameter type: CloudFormation reads the parameter named by the value at deploy time;
      // locally, the `AWS::SSM::Parameter` of the assembly that holds that name.
      if (/^AWS::SSM::Parameter::Value</.test(String(param.Type ?? ''))) return this.ssmParameter(stack, String(param.Default ?? ''));
      return param.Default ?? '';
    }
    const type = this.typeOf(stack, name);
    switch (type) {
      case 'AWS::MSK::Cluster':
      case 'AWS::MSK::ServerlessCluster':
      case 'AWS::MSK::Topic':
      case 'AWS::SNS::Topic':
      case 'AWS::SecretsManager::Secret':
        return this.arn(stack, name);
      case 'AWS::SQS::Queue':
        // Under the SQS stand-in when it runs, so that a function's SendMessage reaches it.
        return `${this.local.sqsUrl ?? `http://sqs.${this.region(stack)}.localhost`}/${LOCAL_ACCOUNT}/${this.physicalName(stack, name)}`;
      default:
        return this.physicalName(stack, name);
    }
  }

  /** The value of the `AWS::SSM::Parameter` named `name` in any stack of the assembly. */
  private ssmParameter(stack: ResolverStack, name: string): unknown {
    const source = this.ssmParameterSource(name);
    if (source) return this.resolve(source.stack, source.value);
    throw new Error(`SSM parameter '${name}' (a parameter of stack ${stack.name}) is not created by any stack of the assembly`);
  }

  private getAtt(stack: ResolverStack, logicalId: string, attr: string): unknown {
    const type = this.typeOf(stack, logicalId) ?? '';
    // The deploy-time broker lookup: every broker string of the cluster is the local broker.
    if (type === KAFKA_BOOTSTRAP_BROKERS_RESOURCE_TYPE) return this.local.kafkaBrokers;
    if (attr === 'StreamArn') return `${this.arn(stack, logicalId)}/stream/local`;
    if (attr.endsWith('Arn')) return this.arn(stack, logicalId);
    if (attr.startsWith('BootstrapBroker')) return this.local.kafkaBrokers;
    if (attr === 'ApiEndpoint') {
      // Per stack: the stacks of one app often share an API's logical id, each with its own server.
      const urls = this.local.apiUrls ?? {};
      const url = (key: string) => (Object.prototype.hasOwnProperty.call(urls, key) ? urls[key] : undefined);
      return url(apiKey(stack.name, logicalId)) ?? url(logicalId) ?? `http://127.0.0.1/${stack.name}/${logicalId}`;
    }
    if (attr === 'ApiId') return logicalId;
    if (attr === 'QueueUrl') return this.ref(stack, logicalId);
    if (attr === 'QueueName' || attr === 'TopicName' || attr === 'TableName' || attr === 'Name') {
      return this.physicalName(stack, logicalId);
    }
    if (type === 'AWS::SQS::Queue' || type === 'AWS::Lambda::Function') return this.arn(stack, logicalId);
    return `${logicalId}.${attr}`;
  }

  private condition(stack: ResolverStack, name: string): boolean {
    const cond = stack.template.Conditions?.[name];
    return cond === undefined ? false : Boolean(this.resolve(stack, cond));
  }

  private intrinsic(stack: ResolverStack, fn: string, arg: any): unknown {
    switch (fn) {
      case 'Ref':
        return this.ref(stack, arg);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg : String(arg).split(/\.(.+)/);
        return this.getAtt(stack, id, this.resolveString(stack, attr));
      }
      case 'Fn::Join': {
        const [sep, parts] = arg;
        const list = this.resolve(stack, parts) as unknown[];
        return list.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg;
        return (this.resolve(stack, list) as unknown[])[Number(this.resolve(stack, index))];
      }
      case 'Fn::Split': {
        const [sep, source] = arg;
        return this.resolveString(stack, source).split(sep);
      }
      case 'Fn::Sub': {
        const [template, vars] = Array.isArray(arg) ? arg : [arg, {}];
        const resolvedVars = this.resolve(stack, vars ?? {}) as Record<string, unknown>;
        return String(template).replace(/\$\{(!?)([^}]+)\}/g, (whole, bang: string, name: string) => {
          if (bang) return `\${${name}}`;
          if (name in resolvedVars) return String(resolvedVars[name]);
          const dot = name.indexOf('.');
          if (dot > 0 && !name.startsWith('AWS::')) return String(this.getAtt(stack, name.slice(0, dot), name.slice(dot + 1)));
          const v = this.ref(stack, name);
          return v === NO_VALUE ? '' : typeof v === 'string' ? v : whole.length ? JSON.stringify(v) : '';
        });
      }
      case 'Fn::ImportValue': {
        const name = this.resolveString(stack, arg);
        const exp = this.exports.get(name);
        if (exp === undefined) throw new Error(`Fn::ImportValue: no stack in the assembly exports '${name}' (stack ${stack.name})`);
        return this.resolve(exp.stack, exp.value);
      }
      case 'Fn::GetStackOutput': {
        // A weak cross-stack reference: the output's value, read from the named stack of the assembly.
        const { StackName, OutputName } = this.resolve(stack, arg) as { StackName: string; OutputName: string };
        const producer = this.stacksByName.get(StackName);
        const output = producer?.template.Outputs?.[OutputName];
        if (!producer || output === undefined) throw new Error(`Fn::GetStackOutput: no output '${OutputName}' in a stack '${StackName}' of the assembly (stack ${stack.name})`);
        return this.resolve(producer, output.Value);
      }
      case 'Fn::If': {
        const [cond, a, b] = arg;
        return this.resolve(stack, this.condition(stack, cond) ? a : b);
      }
      case 'Condition':
        return this.condition(stack, arg);
      case 'Fn::Equals': {
        const [a, b] = this.resolve(stack, arg) as unknown[];
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not':
        return !this.resolve(stack, arg[0]);
      case 'Fn::And':
        return (this.resolve(stack, arg) as unknown[]).every(Boolean);
      case 'Fn::Or':
        return (this.resolve(stack, arg) as unknown[]).some(Boolean);
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((z) => `${this.region(stack)}${z}`);
      case 'Fn::FindInMap': {
        const [map, k1, k2] = this.resolve(stack, arg) as string[];
        return stack.template.Mappings?.[map]?.[k1]?.[k2];
      }
      case 'Fn::Base64':
        return Buffer.from(this.resolveString(stack, arg)).toString('base64');
      case 'Fn::ToJsonString':
        return JSON.stringify(this.resolve(stack, arg));
      default:
        return this.resolve(stack, arg);
    }
  }
}
