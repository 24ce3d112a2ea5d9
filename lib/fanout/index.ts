export { FanoutTopic, fanoutConsumerGroupId } from './fanout-topic';
export type { FanoutConsumerProps, FanoutTopicProps, IFanoutTopic, IPublisherFunction } from './fanout-topic';
