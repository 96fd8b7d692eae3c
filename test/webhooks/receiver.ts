/** A real HTTP receiver on localhost (node:http) for the webhook tests: records what arrives, answers as told. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export class Receiver {
  readonly received: Received[] = [];
  /** The status to answer each request with (by its 0-based number); 'hang' never answers. */
  answer: (n: number, r: Received) => number | 'hang' = () => 200;
  private server: Server | null = null;
  port = 0;

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        const status = this.answer(this.received.length, r);
        this.received.push(r);
        if (status === 'hang') return;
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Waits until `count` requests arrived (fails after `ms`). */
  async waitFor(count: number, ms = 10_000): Promise<Received[]> {
    const until = Date.now() + ms;
    while (this.received.length < count) {
      if (Date.now() > until)
        throw new Error(`${this.received.length} of ${count} requests arrived within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.received;
  }

  events(): { id: string; type: string; data: Record<string, unknown> }[] {
    return this.received.map((r) => JSON.parse(r.body));
  }
}
