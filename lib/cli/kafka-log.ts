import { logLevel, type logCreator } from 'kafkajs';
import { isRetriedResponseError } from '../../lambdas/runtime/kafka-client';

/**
 * How the command line shows kafkajs's own log: errors as one plain line on stderr, and
 * nothing for a broker response kafkajs retries by itself (such as "The coordinator is
 * loading…" on a fresh broker), unless DEBUG is set. An error that survives the retries
 * throws, and the command reports it.
 */
export const cliKafkaLogCreator: logCreator = () => ({ namespace, level, log }) => {
  const { message, timestamp: _stamped, logger: _logger, ...fields } = log as typeof log & { timestamp?: string; logger?: string };
  const retried = isRetriedResponseError(message, fields);
  if (level > logLevel.ERROR && !process.env.DEBUG) return;
  if (retried && !process.env.DEBUG) return;
  process.stderr.write(`kafka ${namespace}: ${message}${typeof fields.error === 'string' ? ` (${fields.error})` : ''}${retried ? ' [retried]' : ''}\n`);
};
