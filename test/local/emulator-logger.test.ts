import { EmulatorLogger, LogEntry, renderLogEntry } from '../../lib/local/emulator/logger';

describe('EmulatorLogger', () => {
  test('GIVEN a logger with base fields WHEN it logs THEN the sink gets the message and all fields, undefined ones left out', () => {
    // GIVEN
    const entries: LogEntry[] = [];
    const logger = new EmulatorLogger((e) => entries.push(e)).with({ mapping: 'S/M' });
    // WHEN
    logger.warn('offset not committed', { topic: 't', partition: 0, offset: 42, error: undefined });
    logger.child('alarm').info('state changed');
    // THEN
    expect(entries).toEqual([
      { level: 'warn', namespace: 'emulator', message: 'offset not committed', fields: { mapping: 'S/M', topic: 't', partition: 0, offset: 42 } },
      { level: 'info', namespace: 'alarm', message: 'state changed', fields: { mapping: 'S/M' } },
    ]);
  });

  test.each<[LogEntry, string]>([
    [{ level: 'info', namespace: 'emulator', message: 'consumer restarted', fields: { mapping: 'S/M' } }, '[emulator] consumer restarted mapping=S/M'],
    [
      { level: 'warn', namespace: 'emulator', message: 'consumer crashed', fields: { mapping: 'S/M', error: 'KafkaJSError: size "x" too large', restartInMs: 1000 } },
      '[emulator] WARN consumer crashed mapping=S/M error="KafkaJSError: size \\"x\\" too large" restartInMs=1000',
    ],
    [{ level: 'error', namespace: 'emulator', message: 'records discarded', fields: { records: 't-0@1..2', empty: '' } }, '[emulator] ERROR records discarded records=t-0@1..2 empty=""'],
  ])('renders %j as one line whose values read back', (entry, line) => {
    expect(renderLogEntry(entry)).toBe(line);
  });
});
