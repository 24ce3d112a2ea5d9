import * as fs from 'fs';
import * as path from 'path';
import { LOCAL_DIR, isAlive } from '../local/services';

/** Written by `msk-pipelines services` while it runs, so other commands find its endpoints. */
export const SERVICES_STATE_FILE = path.join(LOCAL_DIR, 'services.json');

export interface ServicesState {
  readonly pid: number;
  readonly kafkaBrokers: string;
  readonly dynamodbEndpoint: string;
  /** The broker's SASL_SSL listener (MSK IAM tokens, ACLs) and its certificate file, when it has one. */
  readonly kafkaIamBrokers?: string;
  readonly kafkaIamCaFile?: string;
}

export function writeServicesState(state: ServicesState): void {
  fs.mkdirSync(path.dirname(SERVICES_STATE_FILE), { recursive: true });
  fs.writeFileSync(SERVICES_STATE_FILE, JSON.stringify(state, null, 2));
}

/** Removes the state file if this process wrote it. Synchronous: it runs in the exit hook. */
export function removeServicesState(pid = process.pid): void {
  const state = readServicesState();
  if (state?.pid === pid) fs.rmSync(SERVICES_STATE_FILE, { force: true });
}

/** The running `services` command's endpoints, if one runs. */
export function readServicesState(): ServicesState | undefined {
  try {
    const state = JSON.parse(fs.readFileSync(SERVICES_STATE_FILE, 'utf8')) as ServicesState;
    return isAlive(state.pid) ? state : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where an already running Kafka is: the --brokers option, else KAFKA_BROKERS, else a running
 * `msk-pipelines services`.
 */
export function existingKafkaBrokers(option?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return option || env.KAFKA_BROKERS || readServicesState()?.kafkaBrokers || undefined;
}

/** Environment naming the services of a running `msk-pipelines services`, unless already set. */
export function servicesEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const state = readServicesState();
  if (!state) return env;
  return {
    ...env,
    KAFKA_BROKERS: env.KAFKA_BROKERS || state.kafkaBrokers,
    DYNAMODB_ENDPOINT: env.DYNAMODB_ENDPOINT || state.dynamodbEndpoint,
    // The IAM listener goes with the brokers it belongs to: never another broker's.
    ...(env.KAFKA_BROKERS || !state.kafkaIamBrokers ? {} : { KAFKA_IAM_BROKERS: state.kafkaIamBrokers, KAFKA_IAM_CA_FILE: state.kafkaIamCaFile }),
  };
}
