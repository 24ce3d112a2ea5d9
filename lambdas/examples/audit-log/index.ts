import type { CloudEvent } from '../../runtime/cloudevents';
import { logger } from '../../runtime/logger';
import { kafkaRecordHandler, type RecordContext } from '../../runtime/record-handler';

/** The audit line written for each event: what happened, to what, where it was read. */
export function auditEntry(event: CloudEvent, ctx: Pick<RecordContext, 'record'>): Record<string, unknown> {
  return {
    eventId: event.id,
    type: event.type,
    source: event.source,
    subject: event.subject,
    time: event.time,
    topic: ctx.record.topic,
    partition: ctx.record.partition,
    offset: ctx.record.offset,
  };
}

/** Logs every CloudEvent of the audit topic as one structured line. */
export const handler = kafkaRecordHandler(async (event, ctx) => {
  logger.info('audit', auditEntry(event, ctx));
});
