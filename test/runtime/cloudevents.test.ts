import { createEvent, decodeEvent, encodeEvent, InvalidEventError } from '../../lambdas/runtime/cloudevents';

const valid = {
  specversion: '1.0',
  id: 'e-1',
  source: 'urn:test',
  type: 'post.published',
  time: '2026-11-24T00:00:00.000Z',
  subject: 'post-1',
  datacontenttype: 'application/json',
  data: { postId: 'post-1' },
};

describe('CloudEvents envelope', () => {
  test('GIVEN init with extensions WHEN created and round-tripped THEN attributes survive', () => {
    // GIVEN
    const event = createEvent({ type: 'task.succeeded', source: 'urn:chain:nightly', subject: '2026-11-24', data: { rows: 3 }, extensions: { chain: 'nightly', runid: '2026-11-24', task: 'task1', attempt: 1 } });
    // WHEN
    const back = decodeEvent<{ rows: number }>(encodeEvent(event));
    // THEN
    expect(back).toEqual(event);
    expect(back).toMatchObject({ specversion: '1.0', datacontenttype: 'application/json', chain: 'nightly', attempt: 1 });
    expect(back.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(back.time)).not.toBeNaN();
  });

  test.each([['Runid'], ['run_id'], ['averyveryverylongname1'], ['']])('GIVEN extension name %p WHEN created THEN rejected naming it', (name) => {
    expect(() => createEvent({ type: 't', source: 's', data: null, extensions: { [name]: 'x' } })).toThrow(/extension name .* must be 1-20 lower-case letters or digits/);
  });

  test('GIVEN an extension named like a context attribute WHEN created THEN rejected', () => {
    expect(() => createEvent({ type: 't', source: 's', data: null, extensions: { id: 'x' } })).toThrow(/would overwrite a context attribute/);
  });

  test.each<[string, unknown, RegExp, string]>([
    ['null', null, /value is empty/, 'value'],
    ['not JSON', '{nope', /value is not JSON/, 'value'],
    ['an array', '[1]', /value is not a JSON object/, 'value'],
    ['specversion 0.3', { ...valid, specversion: '0.3' }, /specversion must be "1.0"/, 'specversion'],
    ['no id', { ...valid, id: undefined }, /id must be a non-empty string/, 'id'],
    ['numeric source', { ...valid, source: 5 }, /source must be a non-empty string/, 'source'],
    ['empty type', { ...valid, type: '' }, /type must be a non-empty string/, 'type'],
    ['bad time', { ...valid, time: 'yesterday' }, /time must be an RFC 3339 timestamp/, 'time'],
    ['numeric subject', { ...valid, subject: 1 }, /subject must be a string/, 'subject'],
    ['xml content', { ...valid, datacontenttype: 'application/xml' }, /datacontenttype must be "application\/json"/, 'datacontenttype'],
    ['no data', { ...valid, data: undefined }, /data is missing/, 'data'],
  ])('GIVEN %s WHEN decoded THEN InvalidEventError names the field', (_name, input, message, field) => {
    const value = input === null ? null : typeof input === 'string' ? input : Buffer.from(JSON.stringify(input));
    let caught: unknown;
    try {
      decodeEvent(value);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidEventError);
    expect((caught as InvalidEventError).message).toMatch(message);
    expect((caught as InvalidEventError).field).toBe(field);
  });

  test('GIVEN no datacontenttype WHEN decoded THEN it defaults to application/json', () => {
    const { datacontenttype: _omit, ...rest } = valid;
    expect(decodeEvent(JSON.stringify(rest)).datacontenttype).toBe('application/json');
  });
});
