import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { logLevel } from 'kafkajs';
import { kafkaConfig, kafkaLogCreator, resetKafka, resolveBrokers } from '../../lambdas/runtime/kafka-client';
import { logger } from '../../lambdas/runtime/logger';

// GetBootstrapBrokers and Secrets Manager are control-plane APIs that cannot run here.
const kafkaMock = mockClient(KafkaClient);
const secretsMock = mockClient(SecretsManagerClient);
const arn = 'arn:aws:kafka:eu-west-1:123456789012:cluster/demo/751d2973-a626-431c-9d4e-d7975eb44dd7-2';

beforeEach(() => {
  kafkaMock.reset();
  secretsMock.reset();
  resetKafka();
});

describe('kafka client configuration', () => {
  test('GIVEN KAFKA_BOOTSTRAP_SERVERS and a cluster ARN WHEN resolved THEN the servers win and no discovery happens', async () => {
    const config = await kafkaConfig({ KAFKA_BOOTSTRAP_SERVERS: 'a:9092, b:9092', KAFKA_CLUSTER_ARN: arn });
    expect(config.brokers).toEqual(['a:9092', 'b:9092']);
    expect(config.ssl).toBe(false);
    expect(config.sasl).toBeUndefined();
    expect(kafkaMock.calls()).toHaveLength(0);
  });

  test('GIVEN only a cluster ARN WHEN resolved twice THEN IAM brokers are discovered once and IAM SASL is used', async () => {
    // GIVEN
    kafkaMock.on(GetBootstrapBrokersCommand).resolves({ BootstrapBrokerStringSaslIam: 'b-1:9098,b-2:9098', BootstrapBrokerString: 'b-1:9092' });
    const env = { KAFKA_CLUSTER_ARN: arn };
    // WHEN
    const config = await kafkaConfig(env);
    await resolveBrokers(env);
    // THEN
    expect(config.brokers).toEqual(['b-1:9098', 'b-2:9098']);
    expect(config).toMatchObject({ ssl: true, sasl: { mechanism: 'oauthbearer' } });
    expect(kafkaMock.commandCalls(GetBootstrapBrokersCommand)).toHaveLength(1);
    expect(kafkaMock.commandCalls(GetBootstrapBrokersCommand)[0].args[0].input).toEqual({ ClusterArn: arn });
  });

  test('GIVEN a cluster without IAM brokers WHEN resolved THEN the error says which broker string is missing', async () => {
    kafkaMock.on(GetBootstrapBrokersCommand).resolves({ BootstrapBrokerString: 'b-1:9092' });
    await expect(resolveBrokers({ KAFKA_CLUSTER_ARN: arn })).rejects.toThrow(/has no BootstrapBrokerStringSaslIam/);
  });

  test('GIVEN scram-sha-512 with a secret WHEN resolved THEN credentials come from Secrets Manager', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'u', password: 'p' }) });
    const config = await kafkaConfig({ KAFKA_BOOTSTRAP_SERVERS: 'k:9096', KAFKA_AUTH: 'scram-sha-512', KAFKA_SECRET_ARN: 'arn:secret', AWS_REGION: 'eu-west-1' });
    expect(config).toMatchObject({ ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
  });

  test.each([
    [{ KAFKA_BOOTSTRAP_SERVERS: 'k:1', KAFKA_AUTH: 'plain' }, /KAFKA_AUTH must be one of none, iam, scram-sha-512, tls; got "plain"/],
    [{}, /set KAFKA_BOOTSTRAP_SERVERS \(IKafkaCluster.connectionEnvironment\(\) does\) or KAFKA_CLUSTER_ARN/],
    [{ KAFKA_BOOTSTRAP_SERVERS: 'k:1', KAFKA_AUTH: 'scram-sha-512' }, /needs KAFKA_SECRET_ARN/],
  ])('GIVEN env %p WHEN resolved THEN a clear error', async (env, message) => {
    await expect(kafkaConfig(env)).rejects.toThrow(message);
  });
});

describe('kafkaLogCreator', () => {
  const entry = (message: string) => ({ namespace: 'Producer', level: logLevel.WARN, label: 'WARN', log: { message, timestamp: '2026-11-29T00:00:00.000Z', broker: 'b:9092' } });

  test('GIVEN a kafkajs warning WHEN logged THEN it goes to the logger as a warning, without kafkajs\'s own timestamp', () => {
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    kafkaLogCreator(logLevel.WARN)(entry('Connection timeout'));
    expect(warn).toHaveBeenCalledWith('Connection timeout', { kafkajs: 'Producer', broker: 'b:9092' });
    warn.mockRestore();
  });

  test('GIVEN the idempotent producer\'s bounded-retries warning WHEN logged THEN it is demoted to debug', () => {
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const debug = jest.spyOn(logger, 'debug').mockImplementation(() => undefined);
    kafkaLogCreator(logLevel.WARN)(entry('Limiting retries for the idempotent producer may invalidate EoS guarantees'));
    expect(warn).not.toHaveBeenCalled();
    expect(debug).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    debug.mockRestore();
  });

  test.each([
    ['a response kafkajs retries (the coordinator is loading)', 'warn', "The coordinator is loading and hence can't process requests for this group"],
    ['a response kafkajs retries (leader election)', 'warn', 'There is no leader for this topic-partition as we are in the middle of a leadership election'],
    ['a response kafkajs does not retry', 'error', 'Not authorized to access topics: [Topic authorization failed]'],
  ])('GIVEN %s, logged by kafkajs at ERROR, WHEN logged THEN the logger gets it as %s', (_what, level, error) => {
    // GIVEN the line kafkajs's connection writes for an error response
    const spies = { warn: jest.spyOn(logger, 'warn').mockImplementation(() => undefined), error: jest.spyOn(logger, 'error').mockImplementation(() => undefined) };
    // WHEN
    kafkaLogCreator(logLevel.ERROR)({ namespace: 'Connection', level: logLevel.ERROR, label: 'ERROR', log: { message: 'Response InitProducerId(key: 22, version: 1)', timestamp: 't', error, correlationId: 2 } });
    // THEN
    const other = level === 'warn' ? spies.error : spies.warn;
    expect(spies[level as 'warn' | 'error']).toHaveBeenCalledWith('Response InitProducerId(key: 22, version: 1)', expect.objectContaining({ kafkajs: 'Connection', error }));
    expect(other).not.toHaveBeenCalled();
    spies.warn.mockRestore();
    spies.error.mockRestore();
  });
});
