/**
 * Errors as the API answers them: `{ error, message, details: [{ path, message }] }`, mapped to status codes in
 * one place. A client mistake is always a 4xx that names the field; only our own faults are 5xx.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldError } from '../engine/transaction.ts';
import { StoreTimeoutError } from '../store/store-errors.ts';
import { JSON_ONLY, schemaErrorDetails } from './schema-errors.ts';

/** One problem: the field (`thresholds.review`, `transactions[3].amount`, `body`) and what to do about it. */
export interface ErrorDetail extends FieldError {
  /** Where in a body that is not JSON the mistake is (1-based). */
  line?: number;
  column?: number;
}

/** What every 4xx and 5xx answer carries. */
export interface ErrorReply {
  error: string;
  message: string;
  details: ErrorDetail[];
}

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

export const badRequest = (details: FieldError[]): ApiError =>
  new ApiError(
    400,
    'bad_request',
    details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; '),
    details,
  );

export const notFound = (what: string): ApiError => new ApiError(404, 'not_found', `${what} not found`);

/** A body of a type no route takes: say what to send. */
function unsupportedMediaType(request: FastifyRequest): ApiError {
  const type = request.headers['content-type'] ?? '(none)';
  const message = `${JSON.stringify(type.slice(0, 100))} is not accepted; ${JSON_ONLY}`;
  return new ApiError(415, 'unsupported_media_type', `content-type: ${message}`, [
    { path: 'content-type', message },
  ]);
}

/** Fastify's own 4xx errors by status, named as ours are. */
const CLIENT_ERRORS: Record<number, string> = {
  408: 'request_timeout',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  431: 'headers_too_large',
};

export function errorHandler(
  error: FastifyError | ApiError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  if ((error as FastifyError).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    error = unsupportedMediaType(request);
  if (error instanceof ApiError) {
    void reply
      .status(error.statusCode)
      .send({ error: error.code, message: error.message, details: error.details });
    return;
  }
  if (error instanceof StoreTimeoutError) {
    // The database is slow or hung: the request fails within its bound, and the client may try again.
    request.log.warn({ err: error.cause }, 'database timeout');
    void reply
      .status(503)
      .header('retry-after', '1')
      .send({ error: 'database_unavailable', message: error.message, details: [] });
    return;
  }
  if (error.validation) {
    const details = schemaErrorDetails(error.validation, error.validationContext, request.body);
    void reply.status(400).send({ error: 'bad_request', message: badRequest(details).message, details });
    return;
  }
  // Our own RangeErrors name a field ("cursor: ..."); Fastify's (a body too large) carry their status instead.
  if (error instanceof RangeError && error.statusCode === undefined) {
    const [path, ...rest] = error.message.split(': ');
    void reply
      .status(400)
      .send({ error: 'bad_request', message: error.message, details: [{ path, message: rest.join(': ') }] });
    return;
  }
  const status = error.statusCode ?? 500;
  if (status < 500) {
    void reply.status(status).send({
      error: CLIENT_ERRORS[status] ?? error.code ?? 'bad_request',
      message: error.message,
      details: [],
    });
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void reply.status(500).send({ error: 'internal', message: 'internal error', details: [] });
}
