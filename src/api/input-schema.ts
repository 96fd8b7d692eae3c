/**
 * The schema fragments every route builds its params, query strings and bodies from, so a client string or
 * number is checked once, at the edge, the same way on every route and for both stores: text a store can keep
 * (no NUL, no unpaired surrogate; PostgreSQL refuses both), numbers that are finite and fit a BIGINT.
 */
import type { FastifyServerOptions } from 'fastify';
import { Type } from 'typebox';
import { ATTRIBUTE_KEY_RULE, ATTRIBUTE_LIMITS, MAX_AMOUNT, MAX_ID_LENGTH } from '../engine/transaction.ts';
import { MAX_PAGE } from '../store/types.ts';

type AjvPlugin = Extract<
  NonNullable<NonNullable<FastifyServerOptions['ajv']>['plugins']>[number],
  (...args: never[]) => unknown
>;

/** Any text without NUL or unpaired surrogates (ajv compiles patterns with the `u` flag). */
export const STORABLE_PATTERN = '^[^\\u0000\\p{Cs}]*$';
export const STORABLE_MESSAGE = 'must be UTF-8 text without NUL or unpaired surrogate characters';
const CURSOR_PATTERN = '^[A-Za-z0-9_-]*$';
const CURSOR_MESSAGE = 'not a cursor this server issued';

/** Largest epoch milliseconds a Date can hold; a filter beyond it means nothing and would not fit the stores. */
export const MAX_EPOCH_MS = 8.64e15;

/** An id in a path, a filter or a body: the same limit as the ids transactions are stored with. */
export const Id = Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH, pattern: STORABLE_PATTERN });

/** Free text such as an analyst's note, or a name. */
export const Text = (maxLength: number, minLength = 0) =>
  Type.String({ minLength, maxLength, pattern: STORABLE_PATTERN });

/** A page size: an integer from 1 to `maximum`, never ±Infinity (see `finite`). */
export const Limit = (maximum: number = MAX_PAGE) => Type.Integer({ minimum: 1, maximum, finite: true });

/** A number in [minimum, maximum], finite. */
export const BoundedNumber = (minimum: number, maximum: number) =>
  Type.Number({ minimum, maximum, finite: true });

/** A time bound as text (ISO 8601 or epoch milliseconds); the route parses it with `parseEpochFilter`. */
export const EpochMs = Type.String({ minLength: 1, maxLength: 64, pattern: STORABLE_PATTERN });

/** A page cursor as this server issues them (base64url); its content is checked by `decodeCursor`. */
export const Cursor = Type.String({ minLength: 1, maxLength: 2048, pattern: CURSOR_PATTERN });

/**
 * One of a fixed set of words, as a JSON Schema `enum`: one error that lists the allowed values, where a union
 * of literals would give one "must be equal to constant" per value.
 */
export const OneOf = <T extends string>(values: readonly T[], options: Record<string, unknown> = {}) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });

/** A route that takes no query parameters: any given is refused by name rather than ignored. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

/**
 * ajv coerces a query string's "Infinity" or "1e309" to Infinity and then skips minimum/maximum for it (they
 * only test finite numbers), so an integer schema alone lets ±Infinity through: `finite` refuses it.
 */
export const addInputKeywords: AjvPlugin = (ajv) =>
  ajv.addKeyword({
    keyword: 'finite',
    // Not `type: 'number'`: ajv skips number keywords for a non-finite number, which is the one to catch.
    schemaType: 'boolean',
    errors: false,
    validate: (wanted: boolean, value: unknown) =>
      !wanted || typeof value !== 'number' || Number.isFinite(value),
  });

/** Plain words for the errors ajv words by the rule (a pattern, a keyword) rather than by what was meant. */
export function inputMessage(keyword: string, params: Record<string, unknown>, fallback: string): string {
  if (keyword === 'pattern' && params.pattern === STORABLE_PATTERN) return STORABLE_MESSAGE;
  if (keyword === 'pattern' && params.pattern === CURSOR_PATTERN) return CURSOR_MESSAGE;
  if (keyword === 'finite') return 'must be a finite number';
  return fallback;
}

const OptionalText = (description: string, example?: string) =>
  Type.Optional(
    Type.String({
      maxLength: MAX_ID_LENGTH,
      description,
      ...(example === undefined ? {} : { examples: [example] }),
    }),
  );

/** The transaction the OpenAPI document shows as an example request. */
export const TRANSACTION_EXAMPLE = {
  transaction_id: 'tx-20260301-0001',
  timestamp: '2026-03-01T10:00:00Z',
  account_id: 'acct-1',
  amount: 150,
  currency: 'EUR',
  merchant_id: 'shop-1',
  country: 'DE',
  channel: 'web',
};

/**
 * A transaction as a client sends it. The engine's `validateTransaction` checks the values (it also serves the
 * stream and files, and reports every bad field at once); this schema names the fields the API accepts, so an
 * unknown one is refused (`transaction-body.ts`) and the OpenAPI document lists them.
 */
export const TransactionBody = Type.Object(
  {
    transaction_id: Type.String({
      minLength: 1,
      maxLength: MAX_ID_LENGTH,
      description:
        'Unique id, the idempotency key: the same transaction sent again gets its first decision back',
      examples: ['tx-20260301-0001'],
    }),
    timestamp: Type.Union(
      [
        Type.String({ maxLength: 64, description: 'ISO 8601; a missing zone means UTC' }),
        Type.Integer({ description: 'Whole epoch milliseconds (epoch seconds are refused)' }),
      ],
      {
        description: 'When it happened, between 1990-01-01 and 2100-01-01',
        examples: ['2026-03-01T10:00:00Z', 1772359200000],
      },
    ),
    account_id: Type.String({
      minLength: 1,
      maxLength: MAX_ID_LENGTH,
      description: 'The paying account (card, customer); per-account features are keyed by it',
      examples: ['acct-1'],
    }),
    amount: Type.Number({
      minimum: 0,
      maximum: MAX_AMOUNT,
      description: 'Amount in the currency, as a number or a decimal string',
      examples: [150],
    }),
    currency: Type.Optional(
      Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217 code', examples: ['EUR'] }),
    ),
    merchant_id: OptionalText('The merchant paid; per-merchant features are keyed by it', 'shop-1'),
    merchant_category: OptionalText('Merchant category (for example an MCC or a word)', 'electronics'),
    country: OptionalText('Country of the transaction, ISO 3166 alpha-2 (upper-cased)', 'DE'),
    city: OptionalText('City of the transaction', 'Berlin'),
    channel: OptionalText('How it was made (for example web, pos, app)', 'web'),
    device_id: OptionalText('Device fingerprint or id', 'dev-42'),
    ip: OptionalText('Client IP address', '203.0.113.7'),
    latitude: Type.Optional(
      Type.Number({
        minimum: -90,
        maximum: 90,
        description: 'With longitude, or neither',
        examples: [52.52],
      }),
    ),
    longitude: Type.Optional(
      Type.Number({
        minimum: -180,
        maximum: 180,
        description: 'With latitude, or neither',
        examples: [13.4],
      }),
    ),
    attributes: Type.Optional(
      Type.Record(
        Type.String({ pattern: ATTRIBUTE_LIMITS.keyPattern.source }),
        Type.Union([Type.String({ maxLength: ATTRIBUTE_LIMITS.valueChars }), Type.Number()]),
        {
          maxProperties: ATTRIBUTE_LIMITS.keys,
          description: `The caller's own fields, stored with the transaction and usable in rules as attributes.<name>: at most ${ATTRIBUTE_LIMITS.keys}, names of ${ATTRIBUTE_KEY_RULE}, values text of at most ${ATTRIBUTE_LIMITS.valueChars} characters or finite numbers (docs/features.md)`,
          examples: [{ card_bin: '411111', mcc: 5411, three_ds: 'y' }],
        },
      ),
    ),
  },
  { additionalProperties: false, examples: [TRANSACTION_EXAMPLE] },
);
