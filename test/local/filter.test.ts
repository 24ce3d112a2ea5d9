import { matchesAny, matchesPattern } from '../../lib/local/emulator/filter';

/**
 * The comparison operators of AWS "Control which events Lambda sends to your function", each
 * wrapped in `value` as a Kafka mapping applies them, plus the Kafka filtering page's example.
 */
const kafka = (value: unknown) => ({ topic: 't', partition: 0, offset: 1, timestamp: 0, value });

describe('Lambda event filtering on Kafka values', () => {
  test.each([
    ['null', { UserID: [null] }, { UserID: null }, { UserID: 'x' }],
    ['empty', { LastName: [''] }, { LastName: '' }, { LastName: 'Doe' }],
    ['equals', { Name: ['Alice'] }, { Name: 'Alice' }, { Name: 'alice' }],
    ['equals-ignore-case', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'ALICE' }, { Name: 'Bob' }],
    ['and', { Location: ['New York'], Day: ['Monday'] }, { Location: 'New York', Day: 'Monday' }, { Location: 'New York', Day: 'Tuesday' }],
    ['or', { PaymentType: ['Credit', 'Debit'] }, { PaymentType: 'Debit' }, { PaymentType: 'Cash' }],
    ['or (multiple fields)', { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] }, { Location: 'Paris', Day: 'Monday' }, { Location: 'Paris', Day: 'Friday' }],
    ['not', { Weather: [{ 'anything-but': ['Raining'] }] }, { Weather: 'Sunny' }, { Weather: 'Raining' }],
    ['numeric (equals)', { Price: [{ numeric: ['=', 100] }] }, { Price: 100 }, { Price: 101 }],
    ['numeric (range)', { Price: [{ numeric: ['>', 10, '<=', 20] }] }, { Price: 20 }, { Price: 10 }],
    ['exists', { ProductName: [{ exists: true }] }, { ProductName: 'x' }, { Other: 1 }],
    ['does not exist', { ProductName: [{ exists: false }] }, { Other: 1 }, { ProductName: 'x' }],
    ['begins with', { Region: [{ prefix: 'us-' }] }, { Region: 'us-east-1' }, { Region: 'eu-west-1' }],
    ['ends with', { FileName: [{ suffix: '.png' }] }, { FileName: 'a.png' }, { FileName: 'a.jpg' }],
    ['anything-but prefix', { Region: [{ 'anything-but': { prefix: 'us-' } }] }, { Region: 'eu-west-1' }, { Region: 'us-east-1' }],
    ['prefix ignoring case', { Region: [{ prefix: { 'equals-ignore-case': 'US-' } }] }, { Region: 'us-east-1' }, { Region: 'eu-west-1' }],
    ['wildcard', { FileName: [{ wildcard: 'dir/*.png' }] }, { FileName: 'dir/a.png' }, { FileName: 'other/a.png' }],
    ['nested field (Kafka page example)', { device_ID: [{ prefix: 'AB' }] }, { device_ID: 'AB1234', session: { duration: 162 } }, { device_ID: 'CD1234' }],
    ['nested object', { session: { duration: [{ numeric: ['>', 100] }] } }, { session: { duration: 162 } }, { session: { duration: 5 } }],
    ['array value matches any element', { tags: ['b'] }, { tags: ['a', 'b'] }, { tags: ['a', 'c'] }],
  ])('%s', (_name, pattern, matching, notMatching) => {
    // GIVEN a pattern on the value; WHEN matched; THEN only the matching record passes
    expect(matchesPattern({ value: pattern }, kafka(matching))).toBe(true);
    expect(matchesPattern({ value: pattern }, kafka(notMatching))).toBe(false);
  });

  test('several filters are OR-ed', () => {
    const filters = [{ value: { type: ['post.published'] } }, { value: { type: ['post.deleted'] } }];
    expect(matchesAny(filters, kafka({ type: 'post.deleted' }))).toBe(true);
    expect(matchesAny(filters, kafka({ type: 'post.edited' }))).toBe(false);
  });

  test('no filters let everything through', () => {
    expect(matchesAny([], kafka('anything'))).toBe(true);
  });

  test('a value that is not JSON only matches a plain-string pattern', () => {
    expect(matchesPattern({ value: ['Hello, this is a test.'] }, kafka('Hello, this is a test.'))).toBe(true);
    expect(matchesPattern({ value: { type: ['post.published'] } }, kafka('Hello, this is a test.'))).toBe(false);
    expect(matchesPattern({ value: [{ prefix: 'Hello' }] }, kafka('Hello, this is a test.'))).toBe(true);
  });

  test('a JSON value does not match a plain-string pattern', () => {
    expect(matchesPattern({ value: ['{"a":1}'] }, kafka({ a: 1 }))).toBe(false);
  });

  test('numeric rules do not match numbers written as strings', () => {
    expect(matchesPattern({ value: { Price: [{ numeric: ['=', 100] }] } }, kafka({ Price: '100' }))).toBe(false);
  });

  test('an unknown operator is an error naming the rule', () => {
    expect(() => matchesPattern({ value: { a: [{ between: [1, 2] }] } }, kafka({ a: 1 }))).toThrow(/operator not supported.*between/);
  });
});
