import { ChainDeclarationError, scheduleExpressionError, validateChain, validateRunId, type ChainDeclaration, type TaskDeclaration } from '../../lib/chain/declaration';

const task = (name: string, dependsOn: string[] = [], extra: Partial<TaskDeclaration> = {}): TaskDeclaration => ({ name, entry: 'x.ts', dependsOn, ...extra });
const chain = (tasks: TaskDeclaration[], extra: Partial<ChainDeclaration> = {}): ChainDeclaration => ({ name: 'nightly', tasks, ...extra });

describe('validateChain', () => {
  test('GIVEN a valid fork/join chain WHEN validated THEN it passes', () => {
    expect(() => validateChain(chain([task('extract'), task('users', ['extract']), task('orders', ['extract']), task('report', ['users', 'orders'])]))).not.toThrow();
  });

  test('GIVEN an unknown dependency WHEN validated THEN the error names the task and the dependency', () => {
    expect(() => validateChain(chain([task('task1'), task('task2', ['task9'])]))).toThrow(/task "task2" depends on unknown task "task9"/);
  });

  test('GIVEN a cycle WHEN validated THEN the error shows the cycle path', () => {
    const fn = () => validateChain(chain([task('a', ['c']), task('b', ['a']), task('c', ['b']), task('d')]));
    expect(fn).toThrow(ChainDeclarationError);
    expect(fn).toThrow(/cycle: (a → b → c → a|b → c → a → b|c → a → b → c)/);
  });

  test('GIVEN a two-task cycle WHEN validated THEN the path is a → b → a', () => {
    expect(() => validateChain(chain([task('a', ['b']), task('b', ['a'])]))).toThrow(/cycle: (a → b → a|b → a → b)/);
  });

  test('GIVEN a duplicate task name WHEN validated THEN the error names it', () => {
    expect(() => validateChain(chain([task('task1'), task('task1')]))).toThrow(/task "task1" is declared twice/);
  });

  test.each(['Task1', '1task', 'task_1', 'task.1', '', 'a'.repeat(64)])('GIVEN the invalid task name %p WHEN validated THEN it is rejected', (name) => {
    expect(() => validateChain(chain([task(name)]))).toThrow(/task name ".*" is invalid/);
  });

  test('GIVEN a task depending on itself WHEN validated THEN the error says so', () => {
    expect(() => validateChain(chain([task('task1', ['task1'])]))).toThrow(/task "task1" depends on itself/);
  });

  test('GIVEN an invalid chain name WHEN validated THEN it is rejected', () => {
    expect(() => validateChain({ name: 'Nightly.Stats', tasks: [task('a')] })).toThrow(/chain name "Nightly.Stats" is invalid/);
  });

  test('GIVEN maxAttempts out of range WHEN validated THEN the error names the task, the prop, the range and the value', () => {
    expect(() => validateChain(chain([task('a', [], { maxAttempts: 0 })]))).toThrow(/task "a": maxAttempts must be an integer in 1..10, got 0/);
    expect(() => validateChain(chain([task('a', [], { timeoutSeconds: 901 })]))).toThrow(/timeoutSeconds must be an integer in 1..900, got 901/);
  });

  test('GIVEN an invalid schedule or time zone WHEN validated THEN the error says why', () => {
    expect(() => validateChain(chain([task('a')], { schedule: { expression: 'cron(0 2 * * *)' } }))).toThrow(/schedule "cron\(0 2 \* \* \*\)" is invalid: cron needs 6 fields/);
    expect(() => validateChain(chain([task('a')], { schedule: { expression: 'cron(0 2 * * ? *)', timeZone: 'Mars/Olympus' } }))).toThrow(/time zone "Mars\/Olympus"/);
    expect(() => validateChain(chain([task('a')], { deadline: { expression: 'rate(1 day)' } }))).toThrow(/deadline .* must be a cron/);
  });
});

describe('scheduleExpressionError', () => {
  test.each(['cron(0 2 * * ? *)', 'cron(0/15 8-18 ? * MON-FRI *)', 'cron(30 6 L * ? 2026-2030)', 'cron(0 3 ? * 6#3 *)', 'cron(0 0 15W JAN,JUL ? *)', 'rate(5 minutes)', 'rate(1 day)'])(
    'GIVEN the valid expression %p THEN no error',
    (expression) => expect(scheduleExpressionError(expression)).toBeUndefined(),
  );
  test.each([
    ['cron(0 2 * * * *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 2 ? * ? *)', /exactly one of/],
    ['cron(60 2 * * ? *)', /minutes value 60 is outside 0-59/],
    ['cron(0 24 * * ? *)', /hours value 24/],
    ['cron(0 2 * 13 ? *)', /month value 13/],
    ['cron(0 2 ? * 8 *)', /day-of-week value 8/],
    ['cron(0 2 * FOO ? *)', /month "FOO" is not a valid value/],
    ['0 2 * * ? *', /must be cron/],
    ['rate(1 days)', /singular/],
    ['rate(0 minutes)', /at least 1/],
  ])('GIVEN the invalid expression %p THEN %p', (expression, reason) => {
    expect(scheduleExpressionError(expression)).toMatch(reason);
  });
});

describe('validateRunId', () => {
  test('GIVEN a business date THEN it passes; GIVEN a key with spaces or # THEN it throws', () => {
    expect(() => validateRunId('2026-11-24')).not.toThrow();
    expect(() => validateRunId('2026 11 24')).toThrow(/run id "2026 11 24" is invalid/);
    expect(() => validateRunId('a#b')).toThrow(/invalid/);
  });
});
