#!/usr/bin/env -S npx tsx
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Command } from 'commander';
import { provisionPaymentKeys } from '../lib/examples/payment-keys';

// After `cdk deploy -c simulatedProvider=true`: writes a fresh WeChat Pay key pair into the gateway's
// secret (public half) and the simulated provider's secret (private half). Credentials and region
// come from the usual AWS environment (AWS_PROFILE, AWS_REGION).
const program = new Command('provision-payment-keys')
  .description('write a new simulated-provider key pair into the gateway and provider secrets')
  .requiredOption('--gateway-secret <arn>', 'the gateway\'s WeChat Pay secret (stack output WechatPaySecretArn of MskPipelines-Gateway)')
  .requiredOption('--provider-secret <arn>', 'the simulated provider\'s secret (stack output ProviderKeysSecretArn of MskPipelines-Payment)')
  .option('--region <region>', 'AWS region of the stacks', process.env.AWS_REGION)
  .action(async (options: { gatewaySecret: string; providerSecret: string; region?: string }) => {
    const client = new SecretsManagerClient({ region: options.region });
    const serial = await provisionPaymentKeys(client, { gatewaySecretArn: options.gatewaySecret, providerSecretArn: options.providerSecret });
    process.stdout.write(`keys written; platform key serial ${serial}\n`);
  });

program.parseAsync().catch((e: Error) => {
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
});
