import { Command } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaConfig } from '../../lambdas/runtime/kafka-client';
import { readServicesState } from './endpoints';
import { cliKafkaLogCreator } from './kafka-log';
import { KafkaEnv } from '../../lambdas/runtime/kafka-env';
import { PowertoolsEnv } from '../../lambdas/runtime/powertools-env';

/** How a command reaches Kafka: local brokers, or a deployed cluster with IAM (or another auth). */
export interface KafkaConnectionOptions {
  /** Bootstrap servers (`--brokers`). @default KAFKA_BROKERS, else the running `services` */
  readonly brokers?: string;
  /** MSK cluster whose brokers GetBootstrapBrokers gives (`--cluster-arn`). @default - none: the brokers above */
  readonly clusterArn?: string;
  /** `none`, `iam`, `tls` or `scram-sha-512` (`--auth`). @default `iam` with a cluster ARN, else `none` */
  readonly auth?: string;
  /** AWS region of a deployed cluster (`--region`). @default AWS_REGION */
  readonly region?: string;
}

/** Adds the options of `KafkaConnectionOptions` to a command. */
export function kafkaConnectionOptions(cmd: Command): Command {
  return cmd
    .option('-b, --brokers <brokers>', 'bootstrap servers (default: KAFKA_BROKERS, else a running `services`)')
    .option('--cluster-arn <arn>', 'MSK cluster: brokers found with GetBootstrapBrokers, IAM auth')
    .option('--auth <mode>', 'none | iam | tls | scram-sha-512 (default: none locally, iam with --cluster-arn)')
    .option('--region <region>', 'AWS region of a deployed stack');
}

/** True when the options name no deployed cluster: the local services. */
export function isLocal(options: KafkaConnectionOptions): boolean {
  return !options.clusterArn && !options.auth;
}

/**
 * A kafkajs client as the options describe it, configured by the function runtime's own
 * `kafkaConfig` (broker discovery from the cluster ARN, IAM/SCRAM/TLS), so the command line
 * reaches a deployed cluster exactly as the functions do.
 */
export async function cliKafka(options: KafkaConnectionOptions, clientId = 'msk-pipelines-cli'): Promise<Kafka> {
  const brokers = options.brokers ?? process.env.KAFKA_BROKERS ?? readServicesState()?.kafkaBrokers;
  if (!brokers && !options.clusterArn) throw new Error('No Kafka: run `npm run local -- services`, or pass --brokers (and --auth iam) or --cluster-arn with --region.');
  const env: Record<string, string | undefined> = {
    [KafkaEnv.KAFKA_BOOTSTRAP_SERVERS]: brokers,
    [KafkaEnv.KAFKA_CLUSTER_ARN]: options.clusterArn,
    [KafkaEnv.KAFKA_AUTH]: options.auth ?? (options.clusterArn ? 'iam' : 'none'),
    AWS_REGION: options.region ?? process.env.AWS_REGION,
    [PowertoolsEnv.POWERTOOLS_SERVICE_NAME]: clientId,
  };
  // kafkajs's own log as one plain line per error, without the responses it retries by itself (DEBUG=1 shows all).
  return new Kafka({ ...(await kafkaConfig(env)), clientId, logLevel: process.env.DEBUG ? logLevel.DEBUG : logLevel.ERROR, logCreator: cliKafkaLogCreator });
}
