import { CfnOutput, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { httpApiAccessLogFormat } from '../http';
import { IKafkaCluster } from '../cluster';
import { acknowledgeFunctionFindings } from '../function/acknowledge';
import { defaultFunctionProps, lambdaEntry } from '../function/project-function';
import { FanoutTopic } from '../fanout';
import { PowertoolsEnv } from '../../lambdas/runtime/powertools-env';

/** The topic the example publishes `post.published` to. */
export const POSTS_TOPIC = 'posts.published';

/** Properties of the post publisher. */
export interface PostPublisherStackProps extends StackProps {
  /** The cluster the topic lives in. */
  readonly cluster: IKafkaCluster;
  /**
   * The topic's name; consumer stacks import the topic by it.
   * @default POSTS_TOPIC ('posts.published')
   */
  readonly topicName?: string;
  /**
   * Partitions of the topic.
   * @default 3
   */
  readonly partitions?: number;
  /**
   * Authorizer in front of `POST /posts`.
   * @default - IAM authorization (callers sign with SigV4 and need execute-api:Invoke on the route)
   */
  readonly authorizer?: apigwv2.IHttpRouteAuthorizer;
  /**
   * Open `POST /posts` to unauthenticated callers (a demo only; context `openWriteRoutes`).
   * @default false
   */
  readonly openRoute?: boolean;
}

/**
 * The upstream side of the fan-out: the topic, and `POST /posts` → a publisher function that
 * validates the post and publishes one `post.published` event. Nothing here knows the consumers.
 */
export class PostPublisherStack extends Stack {
  public readonly fanout: FanoutTopic;
  public readonly publisher: NodejsFunction;
  public readonly api: apigwv2.HttpApi;
  /** `POST /posts`: grant callers `postsRoute.grantInvoke(role)`. */
  public readonly postsRoute: apigwv2.HttpRoute;

  constructor(scope: Construct, id: string, props: PostPublisherStackProps) {
    super(scope, id, props);
    const cluster = props.cluster.referenceFrom(this);
    this.fanout = new FanoutTopic(this, 'Posts', { cluster, topicName: props.topicName ?? POSTS_TOPIC, partitions: props.partitions });

    this.publisher = new NodejsFunction(
      this,
      'Publisher',
      defaultFunctionProps(this, 'Publisher', {
        entry: lambdaEntry('examples/post-publisher'),
        description: 'POST /posts: validates a post and publishes post.published',
        environment: { [PowertoolsEnv.POWERTOOLS_SERVICE_NAME]: 'post-publisher' },
        vpc: cluster.vpc,
        vpcSubnets: cluster.vpcSubnets,
        securityGroups: [cluster.clientSecurityGroup],
      }),
    );
    this.fanout.grantPublish(this.publisher);
    acknowledgeFunctionFindings(this.publisher, 'the HTTP API (POST /posts), which returns its errors to the caller');

    this.api = new apigwv2.HttpApi(this, 'Api', { description: 'Publishes posts', createDefaultStage: false });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs), format: httpApiAccessLogFormat() },
    });
    const [route] = this.api.addRoutes({
      path: '/posts',
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('PublishPost', this.publisher),
      authorizer: props.openRoute ? undefined : props.authorizer ?? new HttpIamAuthorizer(),
    });
    this.postsRoute = route;
    if (props.openRoute) {
      for (const id of ['AwsSolutions-APIG4', 'MskPipelines-WriteRouteAuthorized']) {
        Validations.of(route).acknowledge({ id, reason: 'Opened on purpose for a demo (context openWriteRoutes=true); IAM authorization is the default' });
      }
    }
    new CfnOutput(this, 'PostsUrl', { value: `${this.api.apiEndpoint}/posts` });
    new CfnOutput(this, 'TopicName', { value: this.fanout.topicName });
  }
}
