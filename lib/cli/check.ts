import * as path from 'path';
import { Command } from 'commander';
import { MSK_PIPELINES_RULES } from '../checks/registry';
import { Finding, Rule, runRules } from '../checks/rule';
import { synthesizeApp } from '../local/emulator/synth';
import { assemblyOptions } from './options';
import { assemblyRuleContext } from '../local/emulator/assembly-context';

interface CheckOptions {
  app?: string;
  appDir: string;
  assembly: string;
  synth: boolean;
  json?: boolean;
}

/** What `check` found in one cloud assembly. */
export interface CheckReport {
  readonly assembly: string;
  readonly stacks: readonly string[];
  readonly rules: readonly string[];
  readonly findings: readonly Finding[];
  readonly errors: number;
  readonly warnings: number;
}

/** Runs `rules` over every template of the cloud assembly at `dir` (no service, no AWS call). */
export function checkAssembly(dir: string, rules: readonly Rule[] = MSK_PIPELINES_RULES): CheckReport {
  const context = assemblyRuleContext(dir);
  const findings = runRules(context, rules);
  return {
    assembly: dir,
    stacks: context.stacks,
    rules: rules.map((r) => r.name),
    findings,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
  };
}

/** The report as the terminal shows it: one block per finding, then a summary line. */
export function formatReport(report: CheckReport): string {
  const blocks = report.findings.map((f) => [
    `${f.severity.padEnd(7)} ${f.rule}  ${f.stack}/${f.logicalId}${f.path ? ` (${f.path})` : ''}`,
    `        ${f.message}`,
    `        why: ${f.explanation}`,
  ].join('\n'));
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const summary = `check: ${count(report.errors, 'error')}, ${count(report.warnings, 'warning')} in ${count(report.stacks.length, 'stack')} (${report.rules.length} rules, ${path.relative(process.cwd(), report.assembly) || '.'})`;
  return [...blocks, summary].join('\n\n');
}

/**
 * `msk-pipelines check`: synthesizes the app (or reads `--assembly` with `--no-synth`) and runs
 * every rule of `MSK_PIPELINES_RULES` over the whole cloud assembly, nested stacks included,
 * without services. Exits 1 when a finding is an error.
 */
export function register(program: Command): void {
  const check = program
    .command('check')
    .description('check the synthesized templates (Kafka mappings, dead letters, cluster security, routes, alarms) without services; exit 1 on an error');
  assemblyOptions(check, 'check the existing cloud assembly instead of synthesizing')
    .option('--app <command>', 'the CDK app command, as `cdk --app` (default: the "app" of cdk.json)')
    .option('--json', 'print the report as JSON')
    .action((options: CheckOptions) => {
      // What `cdk deploy` would deploy: no local-mode fixtures.
      const dir = synthesizeApp(options.appDir, { outDir: options.assembly, synth: options.synth, app: options.app, localMode: false });
      const report = checkAssembly(dir);
      process.stdout.write(`${options.json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
      if (report.errors > 0) process.exitCode = 1;
    });
}
