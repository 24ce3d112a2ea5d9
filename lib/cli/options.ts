import { Command } from 'commander';

/**
 * `--assembly`, `--app-dir` and `--no-synth`: where the app and its cloud assembly are, for the
 * commands that synthesize (`run`, `demo`, `list`, `check`). `noSynth` says what the command
 * does with the assembly instead of synthesizing.
 */
export function assemblyOptions(command: Command, noSynth: string): Command {
  return command
    .option('-a, --assembly <dir>', 'cloud assembly directory', 'cdk.out')
    .option('--app-dir <dir>', 'directory of the CDK app (its cdk.json)', '.')
    .option('--no-synth', noSynth);
}

/** The emulator's alarm clock and its enforcement switches (`run`, `demo`), each switch on unless turned off. */
export function emulatorOptions(command: Command): Command {
  return command
    .option('--alarm-time-scale <n>', 'run the alarms\' clock n times faster (60: a 1-minute period passes in 1 s)', '60')
    .option('--no-network-enforcement', 'let every function reach every local service (EmulatorOptions.enforceNetwork false)')
    .option('--no-iam-enforcement', 'let every function call DynamoDB, Secrets Manager and SQS whatever its role allows (EmulatorOptions.enforceIam false)')
    .option('--no-kafka-acl-enforcement', 'let every function and mapping read and write every topic, on the all-access listener (EmulatorOptions.enforceKafkaAcls false)');
}
