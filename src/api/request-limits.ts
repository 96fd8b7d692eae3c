/**
 * Limits on the HTTP exchange itself, before any route runs: how long a request may take to arrive, how long a
 * connection may sit idle, how long a URL and its headers may be. A client past them gets the documented error
 * shape (with the security headers) and its connection closed, so a slow or oversized request cannot hold a
 * socket, or the server, for long.
 */
import type { ConnectionError, FastifyHttpOptions, FastifyInstance } from 'fastify';
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { ApiError } from './errors.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import { millisecondsFromEnv } from '../ops/env-milliseconds.ts';

export interface HttpLimits {
  /** The whole request, headers and body, must arrive within this (408 past it). */
  requestTimeoutMs: number;
  /** The headers must arrive within this (at most requestTimeoutMs). */
  headersTimeoutMs: number;
  /** A connection with no traffic either way is closed after this. */
  idleTimeoutMs: number;
  /** Longest request target (path and query string); 414 past it. */
  maxUrlLength: number;
  /** How often the server looks for requests past their timeout. */
  checkIntervalMs: number;
}

export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  maxUrlLength: 8192,
  checkIntervalMs: 1000,
});

/** HTTP_REQUEST_TIMEOUT_MS and HTTP_IDLE_TIMEOUT_MS over the defaults; a value that is not a positive number is an error. */
export function httpLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): HttpLimits {
  const read = (name: string, fallback: number): number => millisecondsFromEnv(env, name, fallback);
  const requestTimeoutMs = read('HTTP_REQUEST_TIMEOUT_MS', DEFAULT_HTTP_LIMITS.requestTimeoutMs);
  return {
    ...DEFAULT_HTTP_LIMITS,
    requestTimeoutMs,
    headersTimeoutMs: Math.min(DEFAULT_HTTP_LIMITS.headersTimeoutMs, requestTimeoutMs),
    idleTimeoutMs: read('HTTP_IDLE_TIMEOUT_MS', DEFAULT_HTTP_LIMITS.idleTimeoutMs),
  };
}

const SECURITY_HEADER_LINES = Object.entries(SECURITY_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

/** A complete error response written straight to the socket (no request object exists yet), then closed. */
function answerOnSocket(socket: Socket, status: number, error: string, message: string): void {
  if (socket.destroyed) return;
  if (socket.writable) {
    const body = JSON.stringify({ error, message, details: [] });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n${SECURITY_HEADER_LINES}\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Errors Node's HTTP parser reports before Fastify sees a request. */
function clientErrorHandler(limits: HttpLimits) {
  return (err: ConnectionError, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      answerOnSocket(
        socket,
        408,
        'request_timeout',
        `the request did not arrive within ${limits.requestTimeoutMs} ms`,
      );
    } else if (err.code === 'HPE_HEADER_OVERFLOW') {
      // The parser counts the request line with the headers: a request line that alone is too long is a URL
      // too long.
      const packet: Buffer = Buffer.isBuffer(err.rawPacket) ? err.rawPacket : Buffer.alloc(0);
      const lineEnd = packet.indexOf('\r\n');
      const requestLine = lineEnd < 0 ? packet.length : lineEnd;
      if (requestLine > limits.maxUrlLength)
        answerOnSocket(socket, 414, 'uri_too_long', `the URL is longer than ${limits.maxUrlLength} bytes`);
      else answerOnSocket(socket, 431, 'headers_too_large', 'the request headers are larger than 16 KiB');
    } else {
      answerOnSocket(socket, 400, 'bad_request', 'malformed HTTP request');
    }
  };
}

/** The server options that enforce the limits; spread into Fastify's options. */
export function httpServerOptions(limits: HttpLimits): FastifyHttpOptions<Server> {
  return {
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    http: {
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    clientErrorHandler: clientErrorHandler(limits),
  };
}

export function registerRequestLimits(app: FastifyInstance, limits: HttpLimits): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.url.length > limits.maxUrlLength)
      done(new ApiError(414, 'uri_too_long', `the URL is longer than ${limits.maxUrlLength} bytes`));
    else done();
  });
  // An answer given before the body arrived (a 401, a 413) closes the connection: otherwise the server would go
  // on reading, and waiting for, a body nobody will look at.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!request.raw.complete) reply.header('connection', 'close');
    done(null, payload);
  });
}
