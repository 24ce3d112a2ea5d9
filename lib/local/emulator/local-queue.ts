import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';

/**
 * Stand-in for SQS: on-failure destinations of emulated mappings put their records here, and
 * functions' SQS clients reach it over HTTP (AWS JSON 1.0, `SendMessage`) through the queue URLs
 * the emulator resolves to it. Messages are kept in memory (for tests) and appended to
 * `<dir>/<queue>.jsonl` (for people), one JSON document per line.
 */
export class LocalQueues {
  private readonly queues = new Map<string, unknown[]>();
  private server?: http.Server;

  constructor(private readonly dir?: string) {}

  /** Starts the HTTP side on a free loopback port; `url` is then its base URL. */
  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
  }

  /** Base URL of the HTTP side (queue URLs are `<url>/<account>/<queue>`). */
  get url(): string | undefined {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return address ? `http://127.0.0.1:${address.port}` : undefined;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  send(queue: string, body: unknown): void {
    const list = this.queues.get(queue) ?? [];
    list.push(body);
    this.queues.set(queue, list);
    if (this.dir) {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.appendFileSync(path.join(this.dir, `${queue}.jsonl`), `${JSON.stringify(body)}\n`);
    }
  }

  messages(queue: string): unknown[] {
    return [...(this.queues.get(queue) ?? [])];
  }

  names(): string[] {
    return [...this.queues.keys()];
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    let input: { QueueUrl?: string; MessageBody?: string; MessageAttributes?: Record<string, { StringValue?: string }> };
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      reply(400, { __type: 'com.amazonaws.sqs#InvalidRequest', message: 'body is not JSON' });
      return;
    }
    if (target !== 'AmazonSQS.SendMessage') {
      reply(400, { __type: 'com.amazonaws.sqs#UnsupportedOperation', message: `${target || 'no X-Amz-Target'} is not supported locally` });
      return;
    }
    const queue = input.QueueUrl?.split('/').filter(Boolean).pop();
    if (!queue || typeof input.MessageBody !== 'string') {
      reply(400, { __type: 'com.amazonaws.sqs#MissingParameter', message: 'QueueUrl and MessageBody are required' });
      return;
    }
    const attributes = Object.fromEntries(Object.entries(input.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
    this.send(queue, { body: input.MessageBody, attributes });
    // The SDK checks the body's MD5 against this answer.
    reply(200, { MessageId: randomUUID(), MD5OfMessageBody: createHash('md5').update(input.MessageBody).digest('hex') });
  }
}
