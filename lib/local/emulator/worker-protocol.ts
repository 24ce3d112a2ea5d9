/** Messages between the function host and a function's worker (`function-worker.ts`). */

/** A connection the function could not make on AWS, refused at once in its worker. */
export interface ConnectionRefusal {
  /** The loopback port of the local stand-in (DynamoDB Local, a stand-in, a broker, an API server). */
  readonly port: number;
  /** Names the function, what it tried to reach, and what is missing. */
  readonly message: string;
}

/** The local broker's TLS listener, whose self-signed certificate the function trusts. */
export interface LocalBrokerTls {
  /** Its loopback ports. */
  readonly ports: readonly number[];
  /** Its certificate (PEM), the one authority trusted for those ports. */
  readonly ca: string;
}

/** What a worker starts with. */
export interface WorkerData {
  /** The function's bundled code (Lambda's `/var/task`). */
  readonly codeDir: string;
  /** `file.export`, as the template's `Handler`. */
  readonly handler: string;
  /** Connections refused by the network model. @default none */
  readonly refusals?: readonly ConnectionRefusal[];
  /** Where the modules Lambda's runtime provides resolve from. @default none: they fail to load */
  readonly runtimeModulesFrom?: string;
  /** Module name prefixes Lambda's runtime provides (the AWS SDK v3). @default none */
  readonly runtimeProvided?: readonly string[];
  /** The local broker's TLS listener. @default none: TLS connections verify against Node's own CAs */
  readonly brokerTls?: LocalBrokerTls;
}

/** The Lambda context a worker rebuilds (its methods are added in the worker). */
export interface WorkerContext {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Epoch ms past which the invocation has timed out. */
  readonly deadline: number;
}

/** The init phase (load the handler), or one invocation. */
export type WorkerRequest =
  | { readonly id: string; readonly type: 'init' }
  | { readonly id: string; readonly type?: 'invoke'; readonly event: unknown; readonly context: WorkerContext };

/** A worker's answer to a request. */
export interface WorkerReply {
  readonly id?: string;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: { errorType: string; errorMessage: string; stack?: string };
}
