import { Duration, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KafkaDlq, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConsumerEnv } from '../../lambdas/runtime/consumer-env';
import { IKafkaTopic, KafkaTopic } from '../topic';
import { ValidationError } from '../core/validate';

/** What a dead letter resolves to for one consumer. */
export interface BoundDeadLetter {
  /** The mapping's on-failure destination. */
  readonly onFailure: lambda.IEventSourceDlq;
  /** Environment for the function runtime. */
  readonly environment: Record<string, string>;
  /** The dead-letter topic, if Kafka. */
  readonly topic?: IKafkaTopic;
  /** The dead-letter queue, if SQS. */
  readonly queue?: sqs.IQueue;
  /** Grants the consumer's function the right to write dead letters. */
  grant(fn: lambda.IFunction): void;
}

/** Where records go after a consumer's bounded retries are spent. */
export abstract class DeadLetter {
  /**
   * A Kafka dead-letter topic in the same cluster (Lambda requires that).
   * @param topic the topic; default: a new topic `<topic>.<consumer>.dlt`
   */
  public static kafkaTopic(topic?: IKafkaTopic): DeadLetter {
    return new KafkaTopicDeadLetter(topic);
  }

  /**
   * An SQS queue: the runtime sends each dead letter as one message (the record Base64-encoded, the
   * failure details as message attributes), and the cluster's VPC gets an SQS interface endpoint.
   * @param queue the queue; default: a new encrypted queue with 14 days' retention
   */
  public static sqs(queue?: sqs.IQueue): DeadLetter {
    return new SqsDeadLetter(queue);
  }

  /** @internal */
  public abstract _bind(scope: Construct, source: IKafkaTopic, consumerName: string): BoundDeadLetter;
}

/** `DeadLetter.kafkaTopic()`: the mapping's on-failure destination and the handler's dead letters on a topic of the same cluster. */
class KafkaTopicDeadLetter extends DeadLetter {
  constructor(private readonly topic?: IKafkaTopic) { super(); }

  public _bind(scope: Construct, source: IKafkaTopic, consumerName: string): BoundDeadLetter {
    const topic = this.topic ?? new KafkaTopic(scope, 'DeadLetterTopic', {
      cluster: source.cluster,
      topicName: `${source.topicName}.${consumerName}.dlt`,
      partitions: source.partitions,
      replicationFactor: source.replicationFactor,
    });
    if (topic.cluster !== source.cluster) {
      throw new ValidationError(scope, `deadLetter topic '${topic.topicName}' must be in the same cluster as topic '${source.topicName}'`);
    }
    if (topic.topicName === source.topicName) {
      throw new ValidationError(scope, `deadLetter topic must differ from the consumed topic, got '${topic.topicName}' for both`);
    }
    return {
      onFailure: new KafkaDlq(topic.topicName),
      environment: { [ConsumerEnv.DEAD_LETTER_TOPIC]: topic.topicName },
      topic,
      grant: (fn) => { topic.grantProduce(fn); },
    };
  }
}

/** `DeadLetter.sqs()`: failed batches' offsets to an SQS queue (the mapping's on-failure destination), records from the handler too. */
class SqsDeadLetter extends DeadLetter {
  constructor(private readonly queue?: sqs.IQueue) { super(); }

  public _bind(scope: Construct, source: IKafkaTopic, _consumerName: string): BoundDeadLetter {
    // The runtime sends dead letters from the cluster's subnets, and a low-latency mapping's pollers
    // (in the cluster's VPC) send its on-failure records: both need SQS reachable there.
    // @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html
    source.cluster.addServiceEndpoint('Sqs', ec2.InterfaceVpcEndpointAwsService.SQS);
    let queue = this.queue;
    if (!queue) {
      queue = new sqs.Queue(scope, 'DeadLetterQueue', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      // The AwsSolutions and Serverless packs ask the same of a queue: a dead-letter queue of its own.
      for (const id of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
        Validations.of(queue).acknowledge({ id, reason: 'This queue is itself the dead-letter destination of a consumer' });
      }
    }
    const q = queue;
    return {
      onFailure: new SqsDlq(q),
      environment: { [ConsumerEnv.DEAD_LETTER_QUEUE_URL]: q.queueUrl },
      queue: q,
      grant: (fn) => { q.grantSendMessages(fn); },
    };
  }
}
