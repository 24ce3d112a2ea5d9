#!/usr/bin/env -S npx tsx
/**
 * msk-pipelines: the local-mode command line. Each command lives in lib/cli/<command>.ts and
 * exports `register(program)`; adding a command is one import and one line below.
 */
import { Command } from 'commander';
import * as chain from '../lib/cli/chain';
import * as check from '../lib/cli/check';
import * as demo from '../lib/cli/demo';
import * as dlq from '../lib/cli/dlq';
import * as list from '../lib/cli/list';
import * as publish from '../lib/cli/publish';
import * as run from '../lib/cli/run';
import * as services from '../lib/cli/services';
import { silenceSdkNodeWarning } from '../lib/local/sdk-node-warning';
import { LocalServicesError } from '../lib/local/services';

// The SDK's Node.js 22 notice concerns the functions' runtime on Lambda, not this command line.
silenceSdkNodeWarning();

const program = new Command('msk-pipelines')
  .description('Event pipelines on Amazon MSK: run the synthesized graph locally against real Kafka and DynamoDB Local')
  .showHelpAfterError();

services.register(program);
publish.register(program);
list.register(program);
run.register(program);
demo.register(program);
chain.register(program);
dlq.register(program);
check.register(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  // Expected failures (missing Java, no broker, bad option) are one line; DEBUG=1 shows the stack.
  const message = err instanceof Error ? (process.env.DEBUG && err.stack ? err.stack : err.message) : String(err);
  process.stderr.write(`${err instanceof LocalServicesError ? '' : 'error: '}${message}\n`);
  process.exit(1);
});
