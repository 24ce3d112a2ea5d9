import { InvalidItemIdentifierError, itemIdentifier, parseItemIdentifier } from '../../lambdas/runtime/batch-response';

describe('Kafka batch item identifiers', () => {
  test.each([
    [{ topic: 'mytopic', partition: 0, offset: 15 }],
    [{ topic: 'post-published.v1', partition: 11, offset: 9007199254740991 }],
  ])('GIVEN record %p WHEN identified and parsed THEN round trip', (record) => {
    // WHEN
    const id = itemIdentifier(record);
    // THEN
    expect(id).toEqual({ partition: `${record.topic}-${record.partition}`, offset: record.offset });
    expect(parseItemIdentifier(JSON.parse(JSON.stringify(id)))).toEqual(record);
  });

  test('GIVEN other published shapes WHEN parsed THEN read the same', () => {
    expect(parseItemIdentifier({ 'topic-partition': 'my-topic-3', offset: 1 })).toEqual({ topic: 'my-topic', partition: 3, offset: 1 });
    expect(parseItemIdentifier('my-topic-3-42')).toEqual({ topic: 'my-topic', partition: 3, offset: 42 });
    expect(parseItemIdentifier({ partition: 2, offset: '5' })).toEqual({ partition: 2, offset: 5 });
  });

  test.each([[''], [null], ['abc'], [{ partition: 'x-0' }], [{ offset: 1 }], [{ partition: 'x-y', offset: 1 }], [7]])('GIVEN %p WHEN parsed THEN rejected', (id) => {
    expect(() => parseItemIdentifier(id)).toThrow(InvalidItemIdentifierError);
  });
});
