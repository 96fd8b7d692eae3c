/**
 * How a database failure is told apart: a timeout (the database is slow or hung; the API answers 503 and
 * /health says degraded) and a dropped connection (worth one more try for a read, on a fresh connection).
 */

/** The database did not answer within its bound. */
export class StoreTimeoutError extends Error {
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = 'StoreTimeoutError';
  }
}

interface PgLikeError {
  code?: string;
  message?: string;
}

/** A statement cancelled by statement_timeout, a reply past query_timeout, or no connection in time. */
export function isTimeout(error: unknown): boolean {
  const e = error as PgLikeError;
  if (e?.code === '57014') return true; // query_canceled: statement_timeout
  const message = e?.message ?? '';
  return (
    message === 'Query read timeout' ||
    message.includes('timeout exceeded when trying to connect') ||
    message.includes('due to connection timeout')
  );
}

/** A connection that broke under the query (a restarted or failed-over server, a reset): a new one may work. */
export function isDroppedConnection(error: unknown): boolean {
  const e = error as PgLikeError;
  const code = e?.code ?? '';
  // 57P01-03: the server is shutting down or terminated the backend; class 08: connection exceptions.
  if (/^57P0[123]$/.test(code) || code.startsWith('08')) return true;
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNREFUSED') return true;
  return /Connection terminated|connection (was )?closed/i.test(e?.message ?? '');
}
