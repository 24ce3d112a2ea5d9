import * as fs from 'fs';
import * as path from 'path';
import { silenceSdkNodeWarning } from '../../lib/local/sdk-node-warning';
import { LOCAL_DIR, LocalServices } from '../../lib/local/services';

/** Where the integration run records what it started, so teardown can stop it from anywhere. */
export const STATE_FILE = path.join(LOCAL_DIR, 'jest-services.json');

export interface JestServicesState {
  readonly ownerPid: number;
  readonly kafkaBrokers: string;
  readonly dynamodbEndpoint: string;
  /** JVMs started for this run; empty when both services came from the environment. */
  readonly pids: readonly number[];
}

declare global {
  // eslint-disable-next-line no-var
  var __LOCAL_SERVICES__: LocalServices | undefined;
}

/**
 * Jest global setup for the `integration` project: Kafka and DynamoDB Local once per run,
 * or the ones named by KAFKA_BROKERS / DYNAMODB_ENDPOINT. The endpoints go into process.env,
 * which the test workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  silenceSdkNodeWarning();
  const services = await LocalServices.start({
    // Jest handles Ctrl-C itself; the exit hook still SIGKILLs the JVMs if teardown never runs.
    handleSignals: false,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  globalThis.__LOCAL_SERVICES__ = services;
  // KAFKA_BROKERS, DYNAMODB_ENDPOINT, and the broker's IAM listener (KAFKA_IAM_BROKERS, KAFKA_IAM_CA_FILE).
  Object.assign(process.env, services.env);
  const pids = [services.pids.kafka, services.pids.dynamodb].filter((p): p is number => p !== undefined);
  const state: JestServicesState = {
    ownerPid: process.pid,
    kafkaBrokers: services.kafkaBrokers,
    dynamodbEndpoint: services.dynamodbEndpoint,
    pids,
  };
  fs.mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
}
