import * as fs from 'fs';
import * as path from 'path';
import { auditEntry, handler } from '../../lambdas/examples/audit-log';
import { createEvent, encodeEvent } from '../../lambdas/runtime/cloudevents';
import { logger } from '../../lambdas/runtime/logger';

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'msk-event.json'), 'utf8'));

function mskEventWith(value: Buffer) {
  const event = JSON.parse(JSON.stringify(fixture));
  event.records['mytopic-0'][0].value = value.toString('base64');
  return event;
}

describe('audit-log function (the foundation consumer)', () => {
  afterEach(() => jest.restoreAllMocks());

  test('GIVEN an MSK event carrying a CloudEvent THEN one audit line with the event and its position, and no failures', async () => {
    const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    const cloudEvent = createEvent({ type: 'post.published', source: 'test', subject: 'post-1', data: { postId: 'post-1' }, id: 'evt-1' });
    const result = await handler(mskEventWith(encodeEvent(cloudEvent)));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(info).toHaveBeenCalledWith('audit', {
      eventId: 'evt-1', type: 'post.published', source: 'test', subject: 'post-1', time: cloudEvent.time,
      topic: 'mytopic', partition: 0, offset: 15,
    });
  });

  test('auditEntry names what happened and where it was read', () => {
    const cloudEvent = createEvent({ type: 'run.requested', source: 's', data: {}, id: 'e' });
    expect(auditEntry(cloudEvent, { record: { topic: 't', partition: 2, offset: 9 } as any })).toMatchObject({ eventId: 'e', type: 'run.requested', topic: 't', partition: 2, offset: 9 });
  });
});
