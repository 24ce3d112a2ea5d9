import { kafkaIamFromEnv } from '../../lib/local/emulator/emulator';

describe('the IAM listener taken from the environment', () => {
  const env = { KAFKA_BROKERS: '127.0.0.1:19092', KAFKA_IAM_BROKERS: '127.0.0.1:19096', KAFKA_IAM_CA_FILE: '/tmp/ca.pem' };

  test('GIVEN the environment names the emulator\'s broker WHEN read THEN its listener is used', () => {
    expect(kafkaIamFromEnv(env, '127.0.0.1:19092')).toEqual({ brokers: '127.0.0.1:19096', caFile: '/tmp/ca.pem' });
  });

  test('GIVEN services of a suite\'s own (another broker) WHEN read THEN the environment\'s listener is not used', () => {
    // Functions would otherwise publish to the global broker while the suite reads its own.
    expect(kafkaIamFromEnv(env, '127.0.0.1:29092')).toBeUndefined();
  });

  test('GIVEN no CA file WHEN read THEN no listener', () => {
    expect(kafkaIamFromEnv({ ...env, KAFKA_IAM_CA_FILE: '' }, '127.0.0.1:19092')).toBeUndefined();
  });
});
