/**
 * An open-loop HTTP load generator: requests are due at evenly spaced instants (rate per second), whether or
 * not earlier ones have been answered, and each latency is measured from the instant the request was due.
 *
 * Why not autocannon's fixed-rate mode: it lets every connection send back to back until it has made its share
 * of the second's requests, then idles until the next second, so a "5,000 req/s" run is a burst at full speed
 * followed by silence; and its coordinated-omission correction assumes a 1 ms interval per connection, adding
 * synthetic samples to every response slower than that. Neither measures a sustained rate.
 *
 * Requests go over keep-alive connections (a pool, as a payment gateway would hold); a request due while every
 * connection is busy waits for one, and that wait counts in its latency.
 */
import { connect, type Socket } from 'node:net';

export interface OpenLoopOptions {
  url: string;
  method?: 'POST' | 'GET';
  headers?: Record<string, string>;
  /** A new body for each request. */
  body?: () => string;
  rate: number;
  seconds: number;
  connections: number;
}

export interface OpenLoopResult {
  asked_rps: number;
  achieved_rps: number;
  sent: number;
  completed: number;
  non2xx: number;
  /** Answers other than 2xx by status code, so a count of failures says what they were. */
  non2xx_by_status: Record<string, number>;
  errors: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection, one request at a time. */
class Connection {
  private readonly socket: Socket;
  private pending: Buffer = Buffer.alloc(0);
  private dueAt = 0;
  closed = false;

  constructor(
    host: string,
    port: number,
    private readonly onDone: (conn: Connection, status: number, dueAt: number) => void,
    private readonly onError: (conn: Connection, error: Error) => void,
  ) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  send(request: Buffer, dueAt: number): void {
    this.dueAt = dueAt;
    this.socket.write(request);
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const headerEnd = this.pending.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = this.pending.subarray(0, headerEnd).toString('latin1');
    const status = Number(head.slice(9, 12));
    const bodyStart = headerEnd + HEADER_END.length;
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let end: number;
    if (length !== null) end = bodyStart + Number(length[1]);
    else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      try {
        end = chunkedEnd(this.pending, bodyStart);
      } catch (e) {
        this.fail(e as Error);
        return;
      }
    } else {
      this.fail(new Error(`response without a length: ${head.split('\r\n')[0]}`));
      return;
    }
    if (end < 0 || this.pending.length < end) return;
    this.pending = this.pending.subarray(end);
    this.onDone(this, status, this.dueAt);
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.onError(this, error);
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

/** Where a chunked body that starts at `from` ends, or -1 while it is incomplete (trailers are not expected). */
function chunkedEnd(data: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return -1;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) throw new Error('malformed chunked response');
    at = lineEnd + 2 + size + 2;
    if (size === 0) return at <= data.length ? at : -1;
    if (at > data.length) return -1;
  }
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const url = new URL(options.url);
  const method = options.method ?? 'POST';
  const fixedHeaders =
    `${method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: keep-alive\r\n` +
    Object.entries(options.headers ?? {})
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
  const request = (): Buffer => {
    if (options.body === undefined) return Buffer.from(`${fixedHeaders}\r\n`);
    const body = Buffer.from(options.body());
    return Buffer.concat([Buffer.from(`${fixedHeaders}content-length: ${body.length}\r\n\r\n`), body]);
  };

  const total = Math.round(options.rate * options.seconds);
  const latencies = new Float64Array(total);
  let completed = 0;
  let non2xx = 0;
  const non2xxByStatus: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  /** Due instants of requests waiting for a free connection, oldest first. */
  const backlog: number[] = [];
  let backlogHead = 0;
  const idle: Connection[] = [];

  return new Promise((resolve) => {
    const start = performance.now();
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      for (const c of connections) c.close();
      const elapsed = (performance.now() - start) / 1000;
      const sorted = latencies.subarray(0, completed).sort();
      resolve({
        asked_rps: options.rate,
        achieved_rps: Math.round(completed / elapsed),
        sent,
        completed,
        non2xx,
        non2xx_by_status: non2xxByStatus,
        errors,
        p50_ms: round(percentile(sorted, 0.5)),
        p90_ms: round(percentile(sorted, 0.9)),
        p99_ms: round(percentile(sorted, 0.99)),
        p999_ms: round(percentile(sorted, 0.999)),
        max_ms: round(sorted[sorted.length - 1] ?? NaN),
      });
    };
    const dispatch = (): void => {
      while (backlogHead < backlog.length && idle.length > 0) {
        idle.pop()!.send(request(), backlog[backlogHead++]!);
        sent++;
      }
      if (backlogHead > 4096) {
        backlog.splice(0, backlogHead);
        backlogHead = 0;
      }
    };
    const onDone = (conn: Connection, status: number, dueAt: number): void => {
      latencies[completed++] = performance.now() - dueAt;
      if (status < 200 || status > 299) {
        non2xx++;
        non2xxByStatus[status] = (non2xxByStatus[status] ?? 0) + 1;
      }
      idle.push(conn);
      dispatch();
      if (completed + errors >= total) finish();
    };
    const onError = (conn: Connection): void => {
      errors++;
      const i = idle.indexOf(conn);
      if (i >= 0) idle.splice(i, 1);
      if (connections.every((c) => c.closed) || completed + errors >= total) finish();
    };
    const connections = Array.from(
      { length: options.connections },
      () => new Connection(url.hostname, Number(url.port || 80), onDone, onError),
    );
    idle.push(...connections);
    let scheduled = 0;
    // A 1 ms timer releases the requests that have fallen due; their latency runs from the due instant, so
    // timer lateness counts against the server, never for it.
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * options.rate));
      for (; scheduled < due; scheduled++) backlog.push(start + (scheduled * 1000) / options.rate);
      dispatch();
      if (scheduled < total) timer = setTimeout(tick, 1);
      // Whatever is still unanswered 10 s after the last request fell due counts as lost.
      else timer = setTimeout(() => ((errors += total - completed - errors), finish()), 10_000);
    };
    let timer = setTimeout(tick, 1);
  });
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
