import { buildKafkaEvent, EmulatedRecord, KafkaEventSource } from './event';

/**
 * The invocation records Lambda sends to an event source mapping's on-failure destination.
 * Kafka destination: one message per failed record, with the record itself under `payload`
 * and the original key (AWS "Using a Kafka topic as an on-failure destination"). SQS (and SNS):
 * one message per batch with the offsets only (AWS "Capturing discarded batches ... Kafka").
 */

export interface FailureContext {
  readonly requestId: string;
  readonly functionArn: string;
  readonly condition: string;
  readonly approximateInvokeCount: number;
  readonly functionError?: string;
  readonly batchSize: number;
}

export function kafkaDestinationRecord(source: KafkaEventSource, ctx: FailureContext, record: EmulatedRecord): Record<string, unknown> {
  const payload = buildKafkaEvent(source, [record]);
  return {
    ...invocationHead(ctx, `${ctx.functionArn}:$LATEST`),
    KafkaBatchInfo: {
      batchSize: 1,
      eventSourceArn: source.eventSourceArn,
      bootstrapServers: source.bootstrapServers,
      payloadSize: Buffer.byteLength(JSON.stringify(payload)),
      recordInfo: { offset: String(record.offset), timestamp: new Date(record.timestamp).toISOString() },
    },
    payload,
  };
}

export function queueDestinationRecord(source: KafkaEventSource, ctx: FailureContext, records: readonly EmulatedRecord[]): Record<string, unknown> {
  const recordsInfo: Record<string, Record<string, string>> = {};
  const byPartition = new Map<string, EmulatedRecord[]>();
  for (const r of records) {
    const k = `${r.topic}-${r.partition}`;
    byPartition.set(k, [...(byPartition.get(k) ?? []), r]);
  }
  for (const [k, rs] of byPartition) {
    const first = rs[0];
    const last = rs[rs.length - 1];
    recordsInfo[k] = {
      firstRecordOffset: String(first.offset),
      lastRecordOffset: String(last.offset),
      firstRecordTimestamp: new Date(first.timestamp).toISOString(),
      lastRecordTimestamp: new Date(last.timestamp).toISOString(),
    };
  }
  return {
    ...invocationHead(ctx, ctx.functionArn),
    KafkaBatchInfo: {
      batchSize: ctx.batchSize,
      eventSourceArn: source.eventSourceArn,
      bootstrapServers: source.bootstrapServers,
      payloadSize: Buffer.byteLength(JSON.stringify(buildKafkaEvent(source, records))),
      recordsInfo,
    },
  };
}

/**
 * What both destinations' records start with: the failed invocation and its response. The Kafka
 * destination's example names the function with its `$LATEST` qualifier, the SQS one without.
 */
function invocationHead(ctx: FailureContext, functionArn: string): Record<string, unknown> {
  return {
    requestContext: {
      requestId: ctx.requestId,
      functionArn,
      condition: ctx.condition,
      approximateInvokeCount: ctx.approximateInvokeCount,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: ctx.functionError ?? 'Unhandled' },
    version: '1.0',
    timestamp: new Date().toISOString(),
  };
}
