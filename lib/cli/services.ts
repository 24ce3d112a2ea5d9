import * as fs from 'fs';
import { Command } from 'commander';
import { LocalServices } from '../local/services';
import { readServicesState, removeServicesState, writeServicesState } from './endpoints';

interface ServicesOptions {
  kafka: boolean;
  dynamodb: boolean;
  kafkaPort?: string;
  dynamodbPort?: string;
  inMemory?: boolean;
  writeEnv?: string;
}

/** `msk-pipelines services`: Kafka and DynamoDB Local in the foreground until Ctrl-C. */
export function register(program: Command): void {
  program
    .command('services')
    .description('start Kafka (KRaft) and DynamoDB Local on loopback ports and keep them running until Ctrl-C')
    .option('--no-kafka', 'do not start Kafka')
    .option('--no-dynamodb', 'do not start DynamoDB Local')
    .option('--kafka-port <port>', 'Kafka client port (default: a free port)')
    .option('--dynamodb-port <port>', 'DynamoDB Local port (default: a free port)')
    .option('--in-memory', 'keep DynamoDB Local tables in memory only')
    .option('--write-env <file>', 'once ready, write KAFKA_BROKERS=…, KAFKA_IAM_BROKERS=…, KAFKA_IAM_CA_FILE=… and DYNAMODB_ENDPOINT=… lines to this file (for scripts such as .ci/run)')
    .action(async (options: ServicesOptions) => {
      const running = readServicesState();
      if (running) {
        throw new Error(`'services' already runs (pid ${running.pid}): Kafka ${running.kafkaBrokers}, DynamoDB ${running.dynamodbEndpoint}`);
      }
      // Start our own even if KAFKA_BROKERS / DYNAMODB_ENDPOINT are exported: that is the point of this command.
      const services = await LocalServices.start({
        env: {},
        kafka: options.kafka,
        dynamodb: options.dynamodb,
        kafkaOptions: options.kafkaPort ? { port: port(options.kafkaPort, '--kafka-port') } : undefined,
        dynamodbOptions: {
          ...(options.dynamodbPort ? { port: port(options.dynamodbPort, '--dynamodb-port') } : {}),
          inMemory: options.inMemory,
        },
      });
      writeServicesState({
        pid: process.pid,
        kafkaBrokers: services.kafkaBrokers,
        dynamodbEndpoint: services.dynamodbEndpoint,
        kafkaIamBrokers: services.kafkaIamBrokers,
        kafkaIamCaFile: services.kafkaIamCaFile,
      });
      process.on('exit', () => removeServicesState());
      if (options.writeEnv) {
        // Written last and whole, so a script polling for the file sees ready services.
        const body = Object.entries(services.env).map(([k, v]) => `${k}=${v}\n`).join('');
        fs.writeFileSync(`${options.writeEnv}.tmp`, body);
        fs.renameSync(`${options.writeEnv}.tmp`, options.writeEnv);
        process.on('exit', () => fs.rmSync(options.writeEnv!, { force: true }));
      }
      const lines = [
        '',
        services.kafkaBrokers ? `  Kafka           ${services.kafkaBrokers}  (log ${services.kafka?.logFile})` : '',
        services.kafkaIamBrokers ? `  Kafka IAM       ${services.kafkaIamBrokers}  (SASL_SSL, MSK IAM tokens, ACLs; certificate ${services.kafkaIamCaFile})` : '',
        services.dynamodbEndpoint ? `  DynamoDB Local  ${services.dynamodbEndpoint}  (log ${services.dynamodb?.logFile})` : '',
        '',
        '  Other commands (run, publish, tests) find these services while this runs, or export:',
        `  export ${Object.entries(services.env).map(([k, v]) => `${k}=${v}`).join(' ')}`,
        '',
        '  Ctrl-C stops them.',
        '',
      ];
      process.stdout.write(lines.filter((l, i) => l !== '' || i === 0 || lines[i - 1] !== '').join('\n') + '\n');
      // Stay until a signal: the handlers LocalServices installed stop the JVMs and exit.
      await new Promise<never>(() => setInterval(() => undefined, 1 << 30));
    });
}

function port(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${option} must be a port number from 1 to 65535, got '${value}'`);
  return n;
}
