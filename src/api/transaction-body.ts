/**
 * What the API checks of a transaction before the engine does: that it names only fields the API knows (the
 * properties of `TransactionBody`), and that its timestamp is not epoch seconds. The engine's
 * `validateTransaction` checks the values, and reports every bad one at once; when either check here fails, its
 * errors are reported together with the engine's, so one answer names everything to fix.
 */
import type { FastifySchema } from 'fastify';
import {
  MAX_TIMESTAMP_MS,
  MIN_TIMESTAMP_MS,
  validateTransaction,
  type FieldError,
} from '../engine/transaction.ts';
import { badRequest } from './errors.ts';
import { TransactionBody } from './input-schema.ts';
import { joinPath, unknownNameErrors } from './unknown-fields.ts';

const KNOWN_FIELDS: ReadonlySet<string> = new Set(Object.keys(TransactionBody.properties));
const NONE: readonly FieldError[] = Object.freeze([]);

/** Below this, a whole number is far too small for epoch milliseconds of any accepted date (it is 1973-03-03). */
const SECONDS_BELOW = 1e11;
const DIGITS = /^\d{1,11}$/;

/** The error for a timestamp that reads as epoch seconds, or null. */
export function epochSecondsError(raw: unknown, path = 'timestamp'): FieldError | null {
  const value = typeof raw === 'string' && DIGITS.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= SECONDS_BELOW)
    return null;
  const ms = value * 1000;
  const meant =
    ms >= MIN_TIMESTAMP_MS && ms < MAX_TIMESTAMP_MS
      ? ` (as seconds it is ${new Date(ms).toISOString()}: send ${ms})`
      : '';
  return { path, message: `epoch milliseconds expected, got ${value}, which reads as epoch seconds${meant}` };
}

/**
 * The API's own errors for one transaction: unknown fields and a timestamp in seconds, each at
 * `prefix.field`. Empty (and nothing allocated) for a transaction with neither; not an object is the engine's
 * to say.
 */
export function transactionShapeErrors(input: unknown, prefix = ''): readonly FieldError[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return NONE;
  const unknown = unknownNameErrors(input, KNOWN_FIELDS, prefix);
  const seconds = epochSecondsError(
    (input as { timestamp?: unknown }).timestamp,
    joinPath(prefix, 'timestamp'),
  );
  if (seconds === null) return unknown;
  return [...unknown, seconds];
}

/** The shape errors and then the engine's, one per field (the shape's word wins for a field both name). */
export function allTransactionErrors(
  input: unknown,
  shape: readonly FieldError[],
  prefix = '',
): FieldError[] {
  const named = new Set(shape.map((e) => e.path));
  const checked = validateTransaction(input);
  const engine = checked.ok ? [] : checked.errors.map((e) => ({ ...e, path: joinPath(prefix, e.path) }));
  return [...shape, ...engine.filter((e) => !named.has(e.path))];
}

/** What Fastify hands a route's validatorCompiler: the schema of one part of the request. */
interface CompiledPart {
  schema: FastifySchema;
  httpPart?: string;
}

/**
 * These routes validate their body themselves, and a route's validatorCompiler also compiles its query string:
 * they take no query parameters (app.ts gives every API route that declares none an empty schema).
 */
function noQueryParameters(data: unknown) {
  const given = typeof data === 'object' && data !== null ? data : {};
  const unknown = unknownNameErrors(given, new Set(), '', 'query parameter');
  return unknown.length === 0 ? true : { error: badRequest([...unknown]) };
}

/**
 * The validator of `POST /api/v1/transactions`'s body (a route's `validatorCompiler`): the shape checks here;
 * a transaction that passes them goes on to the engine as before.
 */
export const transactionBodyValidator = (route: CompiledPart) =>
  route.httpPart === 'body'
    ? (data: unknown) => {
        const shape = transactionShapeErrors(data);
        return shape.length === 0 ? true : { error: badRequest(allTransactionErrors(data, shape)) };
      }
    : noQueryParameters;

/** `POST /api/v1/transactions/batch`'s body: `{ transactions: [...] }` of 1 to `max` items, nothing else. */
export const batchBodyValidator = (max: number) => (route: CompiledPart) =>
  route.httpPart === 'body' ? (data: unknown) => batchEnvelope(data, max) : noQueryParameters;

function batchEnvelope(data: unknown, max: number) {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return { error: badRequest([{ path: '', message: 'must be a JSON object { "transactions": [...] }' }]) };
  const unknown = unknownNameErrors(data, new Set(['transactions']));
  if (unknown.length > 0) return { error: badRequest([...unknown]) };
  const items = (data as { transactions?: unknown }).transactions;
  const problem =
    items === undefined
      ? 'is required'
      : !Array.isArray(items)
        ? 'must be an array of transactions'
        : items.length === 0 || items.length > max
          ? `must hold 1 to ${max} transactions, got ${items.length}`
          : null;
  return problem === null ? true : { error: badRequest([{ path: 'transactions', message: problem }]) };
}
