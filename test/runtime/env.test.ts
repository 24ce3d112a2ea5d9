import { EnvError, integer, integerOption, integerSetting, list, optional, required, serviceEndpoint } from '../../lambdas/runtime/env';
import { readGatewayEnv } from '../../lambdas/runtime/gateway/gateway-env';
import { required as requiredChainVariable } from '../../lambdas/runtime/chain/config';

describe('lambdas/runtime/env.ts', () => {
  test('GIVEN an unset or empty variable WHEN required THEN an EnvError names the variable and its writer', () => {
    expect(() => required({}, 'ORDERS_TABLE', 'the PaymentStack')).toThrow(new EnvError('ORDERS_TABLE', 'environment variable ORDERS_TABLE is not set (the PaymentStack sets it)'));
    expect(() => required({ ORDERS_TABLE: '' }, 'ORDERS_TABLE')).toThrow('environment variable ORDERS_TABLE is not set (its construct sets it)');
    expect(required({ ORDERS_TABLE: 'orders' }, 'ORDERS_TABLE')).toBe('orders');
  });

  test('GIVEN integers WHEN read THEN the fallback applies to unset and empty only, and a malformed value names itself', () => {
    expect(integer({}, 'N', 7)).toBe(7);
    expect(integer({ N: '' }, 'N', 7)).toBe(7);
    expect(integer({ N: '0' }, 'N', 7)).toBe(0);
    expect(() => integer({ N: '0' }, 'N', 7, 1)).toThrow('environment variable N must be an integer >= 1, got "0"');
    expect(() => integer({ N: '2.5' }, 'N', 7)).toThrow('environment variable N must be an integer >= 0, got "2.5"');
  });

  test('GIVEN a setting code may give WHEN read THEN the option wins, then the variable, then the fallback, each refused in one wording', () => {
    expect(integerSetting(5, { N: '9' }, 'N', 'count', 3, 1)).toBe(5);
    expect(integerSetting(undefined, { N: '9' }, 'N', 'count', 3, 1)).toBe(9);
    expect(integerSetting(undefined, {}, 'N', 'count', 3, 1)).toBe(3);
    expect(() => integerSetting(0, {}, 'N', 'count', 3, 1)).toThrow(new RangeError('count must be an integer >= 1, got 0'));
    expect(() => integerSetting(undefined, { N: 'x' }, 'N', 'count', 3, 1)).toThrow(new EnvError('N', 'environment variable N must be an integer >= 1, got "x"'));
    expect(() => integerOption('ttl', 1.5, 1)).toThrow(RangeError);
  });

  test('GIVEN lists and optional values THEN blanks are dropped', () => {
    expect(list({ L: ' a, ,b ' }, 'L')).toEqual(['a', 'b']);
    expect(list({}, 'L')).toEqual([]);
    expect(optional({ O: '' }, 'O')).toBeUndefined();
    expect(optional({ O: 'x' }, 'O')).toBe('x');
  });

  test('GIVEN the chain and gateway contracts THEN they use the same wording, naming their construct', () => {
    expect(() => requiredChainVariable({}, 'CHAIN_NAME')).toThrow('environment variable CHAIN_NAME is not set (the TaskChain construct sets it)');
    expect(() => readGatewayEnv({ DEDUPE_TABLE: 'd' })).toThrow('environment variable RESULTS_TOPIC is not set (the CallbackGateway construct sets it)');
    expect(() => readGatewayEnv({ PROVIDERS: '{', RESULTS_TOPIC: 'r', DEDUPE_TABLE: 'd' })).toThrow(expect.objectContaining({ variable: 'PROVIDERS', cause: expect.any(SyntaxError) }));
  });

  test('GIVEN AWS_ENDPOINT_URL_<service> set or not WHEN serviceEndpoint THEN the client gets that endpoint, else none (the SDK\'s regional one)', () => {
    expect(serviceEndpoint({ AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000' }, 'DYNAMODB')).toEqual({ endpoint: 'http://127.0.0.1:8000' });
    expect(serviceEndpoint({ AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000' }, 'SECRETS_MANAGER')).toEqual({});
    expect(serviceEndpoint({ AWS_ENDPOINT_URL_SECRETS_MANAGER: '' }, 'SECRETS_MANAGER')).toEqual({});
  });
});
