import * as fs from 'fs';
import * as path from 'path';
import { ResourceView, RuleContext, templateViews } from '../../checks/rule';
import { functionCodeDir, RawStack, readStacks } from './assembly';
import { Resolver } from './resolve';

/** Bundles larger than this are not read (a Lambda zip is at most 50 MB; a bundle this big is not ours to scan). */
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

/**
 * The rule context of a whole cloud assembly (`cdk.out`): every stack, nested stacks and stages
 * included; references followed across stacks the way the emulator resolves them (`Fn::ImportValue`
 * of an export, a nested stack's parameter); and each function's bundled code. Reads files only.
 */
export function assemblyRuleContext(dir: string): RuleContext & { readonly stacks: readonly string[] } {
  const assets = new Map<string, string>();
  const raw = readStacks(path.resolve(dir), assets);
  // Values are not resolved to local services here: only `resourceOf` and asset keys are used.
  const resolver = new Resolver(raw, { kafkaBrokers: '', dynamodbEndpoint: '' });
  const views = raw.flatMap((s) => templateViews(s.displayName, s.template));
  const byKey = new Map(views.map((v) => [`${v.stack}\u0000${v.logicalId}`, v]));
  const rawByName = new Map(raw.map((s) => [s.displayName, s]));
  const code = new Map<ResourceView, string | undefined>();

  const bundleOf = (fn: ResourceView): string | undefined => {
    const stack = rawByName.get(fn.stack);
    if (!stack) return undefined;
    const codeDir = functionCodeDir(resolver, stack, stack.template.Resources[fn.logicalId], path.resolve(dir), assets);
    const handler = String(fn.properties.Handler ?? 'index.handler');
    const base = handler.slice(0, handler.lastIndexOf('.'));
    const file = codeDir && ['.js', '.mjs', '.cjs'].map((ext) => path.join(codeDir, base + ext)).find((f) => fs.existsSync(f));
    if (!file || fs.statSync(file).size > MAX_BUNDLE_BYTES) return undefined;
    return fs.readFileSync(file, 'utf8');
  };

  return {
    extent: 'assembly',
    stacks: raw.map((s) => s.displayName),
    resources: (type) => (type === undefined ? views : views.filter((v) => v.type === type)),
    referenced: (from, value) => {
      const stack: RawStack | undefined = rawByName.get(from.stack);
      const target = stack && resolver.resourceOf(stack, value);
      return target && byKey.get(`${(target.stack as RawStack).displayName}\u0000${target.logicalId}`);
    },
    functionCode: (fn) => {
      if (!code.has(fn)) code.set(fn, bundleOf(fn));
      return code.get(fn);
    },
  };
}
