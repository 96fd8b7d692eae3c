/**
 * The transaction as the engine sees it, and the validation that turns untrusted input into one.
 * JSON field names are snake_case everywhere; timestamps are normalised to epoch milliseconds (UTC).
 */

import { DEFAULT_CURRENCY_SETTINGS, type CurrencySettings } from './currency-settings.ts';

/** A caller's own field (a card BIN, an MCC, a 3-D Secure result): text or a finite number, kept as sent. */
export type AttributeValue = string | number;
/** Caller fields by name, in sorted key order once validated; see ATTRIBUTE_LIMITS. */
export type Attributes = Readonly<Record<string, AttributeValue>>;

/** A validated transaction. `timestamp` is epoch milliseconds, UTC. */
export interface Transaction {
  transaction_id: string;
  timestamp: number;
  account_id: string;
  amount: number;
  currency: string;
  merchant_id?: string | undefined;
  merchant_category?: string | undefined;
  country?: string | undefined;
  city?: string | undefined;
  latitude?: number | undefined;
  longitude?: number | undefined;
  channel?: string | undefined;
  device_id?: string | undefined;
  ip?: string | undefined;
  /** The caller's own fields, stored with the transaction and usable in rules as `attributes.<name>`. */
  attributes?: Attributes | undefined;
}

/** One problem found in an input: where (`amount`, `rules[3].when.field`) and what, in plain words. */
export interface FieldError {
  path: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** String fields that are optional; the order is the order errors are reported in. */
export const OPTIONAL_STRING_FIELDS = [
  'merchant_id',
  'merchant_category',
  'country',
  'city',
  'channel',
  'device_id',
  'ip',
] as const;

/** Every categorical (string) field a rule may test. */
export const TRANSACTION_STRING_FIELDS = [
  'transaction_id',
  'account_id',
  'currency',
  ...OPTIONAL_STRING_FIELDS,
] as const;
export type TransactionStringField = (typeof TRANSACTION_STRING_FIELDS)[number];

export const TRANSACTION_FIELDS = [
  'transaction_id',
  'timestamp',
  'account_id',
  'amount',
  'currency',
  ...OPTIONAL_STRING_FIELDS,
  'latitude',
  'longitude',
] as const;

/** Timestamps outside [1990-01-01, 2100-01-01) are refused as absurd (a seconds-vs-milliseconds mix-up, a typo). */
export const MIN_TIMESTAMP_MS = Date.UTC(1990, 0, 1);
export const MAX_TIMESTAMP_MS = Date.UTC(2100, 0, 1);
export const MAX_AMOUNT = 1e12;
/** The longest id or text field of a transaction; path parameters take ids of this length too. */
export const MAX_ID_LENGTH = 256;

/** How many caller fields a transaction may carry and of what shape (the bounds keep rows and rules small). */
export const ATTRIBUTE_LIMITS = Object.freeze({
  keys: 32,
  /** Lower-case snake_case, starting with a letter, at most 40 characters. */
  keyPattern: /^[a-z][a-z0-9_]{0,39}$/,
  valueChars: 256,
});
export const ATTRIBUTE_KEY_RULE = 'a-z, 0-9 and _, starting with a letter, at most 40 characters';

// ISO 8601 date-time: date, 'T' or space, time with optional fraction, optional zone (Z or ±hh:mm / ±hhmm).
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const EPOCH_MS_TEXT = /^-?\d{1,16}$/;

/**
 * Parses ISO 8601 (a missing zone means UTC) or whole epoch milliseconds (a number or a string of digits).
 * Strict: NaN for anything else, including impossible calendar dates (2026-02-30), zone offsets past ±23:59,
 * fractions or exponents of milliseconds, and surrounding spaces. A four-digit year is that year (0095 is 95).
 */
export function parseTimestamp(value: unknown): number {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : NaN;
  if (typeof value !== 'string') return NaN;
  if (EPOCH_MS_TEXT.test(value)) {
    const epoch = Number(value);
    return Number.isSafeInteger(epoch) ? epoch : NaN;
  }
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo) - 1;
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month > 11 || day < 1 || hour > 23 || minute > 59 || second > 59) return NaN;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  // Date.UTC reads years 0-99 as 1900-1999; setUTCFullYear takes the year as written.
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  date.setUTCHours(hour, minute, second, ms);
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month) return NaN;
  let epoch = date.getTime();
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMinutes = Number(digits.slice(2, 4));
    if (offsetHours > 23 || offsetMinutes > 59) return NaN;
    epoch -= sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  return epoch;
}

// Numbers given as text (CSV cells, string-typed JSON) are plain decimals: Number() would also take "0x10",
// "1e3", " 12 " and "Infinity".
const UNSIGNED_DECIMAL = /^\d+(?:\.\d+)?$/;
const SIGNED_DECIMAL = /^[+-]?\d+(?:\.\d+)?$/;
const decimal = (text: string, shape: RegExp): number => (shape.test(text) ? Number(text) : NaN);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  return typeof value;
}

/**
 * NUL and unpaired surrogates (JSON.parse makes one of "\ud800") cannot be stored as text by PostgreSQL, and a
 * string that fails in the store fails the whole group-commit batch it travels in: refused here, by field.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const UNSTORABLE = /\u0000|\p{Cs}/u;
const UNSTORABLE_MESSAGE = 'must not contain NUL or unpaired surrogate characters';

/** Can a store keep this string as text (no NUL, no unpaired surrogate)? */
export const isStorableText = (text: string): boolean => !UNSTORABLE.test(text);

function requiredId(input: Record<string, unknown>, field: string, errors: FieldError[]): string {
  const value = input[field];
  if (value === undefined || value === null || value === '') {
    errors.push({ path: field, message: 'is required' });
    return '';
  }
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string') {
    errors.push({ path: field, message: `must be a string, got ${describe(value)}` });
    return '';
  }
  if (value.length > MAX_ID_LENGTH) {
    errors.push({ path: field, message: `must be at most ${MAX_ID_LENGTH} characters` });
    return '';
  }
  if (UNSTORABLE.test(value)) {
    errors.push({ path: field, message: UNSTORABLE_MESSAGE });
    return '';
  }
  return value;
}

function optionalString(
  input: Record<string, unknown>,
  field: string,
  errors: FieldError[],
): string | undefined {
  const value = input[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') {
    errors.push({ path: field, message: `must be a string, got ${describe(value)}` });
    return undefined;
  }
  if (value.length > MAX_ID_LENGTH) {
    errors.push({ path: field, message: `must be at most ${MAX_ID_LENGTH} characters` });
    return undefined;
  }
  if (UNSTORABLE.test(value)) {
    errors.push({ path: field, message: UNSTORABLE_MESSAGE });
    return undefined;
  }
  return value;
}

function optionalCoordinate(
  input: Record<string, unknown>,
  field: 'latitude' | 'longitude',
  limit: number,
  errors: FieldError[],
): number | undefined {
  const raw = input[field];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = typeof raw === 'string' ? decimal(raw, SIGNED_DECIMAL) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < -limit || value > limit) {
    errors.push({
      path: field,
      message: `must be a number between -${limit} and ${limit}, got ${describe(raw)}`,
    });
    return undefined;
  }
  return value;
}

const clipKey = (key: string): string => (key.length > 40 ? `${key.slice(0, 40)}...` : key);

/**
 * The caller's fields, checked against ATTRIBUTE_LIMITS, with keys sorted (the canonical JSON hashes them as
 * they are). A null or empty value counts as absent, as it does for the named optional fields.
 */
function optionalAttributes(raw: unknown, errors: FieldError[]): Attributes | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    errors.push({
      path: 'attributes',
      message: `must be an object of name: string or number, got ${describe(raw)}`,
    });
    return undefined;
  }
  const keys = Object.keys(raw);
  if (keys.length > ATTRIBUTE_LIMITS.keys) {
    errors.push({ path: 'attributes', message: `has ${keys.length} keys; at most ${ATTRIBUTE_LIMITS.keys}` });
    return undefined;
  }
  keys.sort();
  const out: Record<string, AttributeValue> = {};
  let kept = 0;
  const before = errors.length;
  for (const key of keys) {
    const path = `attributes.${clipKey(key)}`;
    if (!ATTRIBUTE_LIMITS.keyPattern.test(key)) {
      errors.push({ path, message: `is not a valid attribute name (${ATTRIBUTE_KEY_RULE})` });
      continue;
    }
    const value = (raw as Record<string, unknown>)[key];
    if (value === null || value === '') continue;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) errors.push({ path, message: `must be a finite number, got ${value}` });
      else {
        out[key] = value;
        kept++;
      }
    } else if (typeof value === 'string') {
      if (value.length > ATTRIBUTE_LIMITS.valueChars)
        errors.push({ path, message: `must be at most ${ATTRIBUTE_LIMITS.valueChars} characters` });
      else if (UNSTORABLE.test(value)) errors.push({ path, message: UNSTORABLE_MESSAGE });
      else {
        out[key] = value;
        kept++;
      }
    } else {
      errors.push({ path, message: `must be a string or a number, got ${describe(value)}` });
    }
  }
  return errors.length > before || kept === 0 ? undefined : out;
}

function currencyOf(raw: unknown, settings: CurrencySettings, errors: FieldError[]): string {
  let currency: string;
  if (raw === undefined || raw === null || raw === '') {
    if (settings.defaultCurrency === null) {
      errors.push({ path: 'currency', message: 'is required (this server sets no DEFAULT_CURRENCY)' });
      return '';
    }
    currency = settings.defaultCurrency;
  } else if (typeof raw !== 'string' || !/^[A-Za-z]{3}$/.test(raw)) {
    errors.push({ path: 'currency', message: `must be a 3-letter ISO 4217 code, got ${describe(raw)}` });
    return '';
  } else currency = raw.toUpperCase();
  if (settings.fx !== null && !settings.fx.has(currency)) {
    errors.push({
      path: 'currency',
      message: `${currency} has no rate in this server's conversion table (FRAUDWATCH_FX_RATES, base ${settings.fx.base})`,
    });
    return '';
  }
  return currency;
}

/**
 * Checks an untrusted object and returns either a Transaction or every problem found, each with its field.
 * Never throws. Unknown top-level fields are ignored (payment systems send more than we use); fields a team
 * wants kept and usable in rules go in `attributes`. `currency` says what a missing currency becomes and which
 * currencies a conversion table allows (the default: USD, any code).
 */
export function validateTransaction(
  input: unknown,
  currencies: CurrencySettings = DEFAULT_CURRENCY_SETTINGS,
): Validated<Transaction> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '', message: `must be a JSON object, got ${describe(input)}` }] };
  }
  const record = input as Record<string, unknown>;
  const errors: FieldError[] = [];

  const transaction_id = requiredId(record, 'transaction_id', errors);

  let timestamp = NaN;
  const rawTimestamp = record.timestamp;
  if (rawTimestamp === undefined || rawTimestamp === null || rawTimestamp === '') {
    errors.push({ path: 'timestamp', message: 'is required' });
  } else {
    timestamp = parseTimestamp(rawTimestamp);
    if (Number.isNaN(timestamp)) {
      errors.push({
        path: 'timestamp',
        message: `must be an ISO 8601 date-time or epoch milliseconds, got ${describe(rawTimestamp)}`,
      });
    } else if (timestamp < MIN_TIMESTAMP_MS || timestamp >= MAX_TIMESTAMP_MS) {
      errors.push({
        path: 'timestamp',
        message: `must lie between 1990-01-01 and 2100-01-01, got ${describe(rawTimestamp)}`,
      });
    }
  }

  const account_id = requiredId(record, 'account_id', errors);

  let amount = NaN;
  const rawAmount = record.amount;
  if (rawAmount === undefined || rawAmount === null || rawAmount === '') {
    errors.push({ path: 'amount', message: 'is required' });
  } else {
    amount = typeof rawAmount === 'string' ? decimal(rawAmount, UNSIGNED_DECIMAL) : (rawAmount as number);
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
      errors.push({ path: 'amount', message: `must be a finite number >= 0, got ${describe(rawAmount)}` });
    } else if (amount > MAX_AMOUNT) {
      errors.push({ path: 'amount', message: `must be at most ${MAX_AMOUNT}, got ${describe(rawAmount)}` });
    }
  }

  const currency = currencyOf(record.currency, currencies, errors);

  const merchant_id = optionalString(record, 'merchant_id', errors);
  const merchant_category = optionalString(record, 'merchant_category', errors);
  const country = optionalString(record, 'country', errors);
  const city = optionalString(record, 'city', errors);
  const latitude = optionalCoordinate(record, 'latitude', 90, errors);
  const longitude = optionalCoordinate(record, 'longitude', 180, errors);
  if ((latitude === undefined) !== (longitude === undefined) && errors.length === 0) {
    errors.push({
      path: latitude === undefined ? 'latitude' : 'longitude',
      message: 'latitude and longitude must be given together',
    });
  }
  const channel = optionalString(record, 'channel', errors);
  const device_id = optionalString(record, 'device_id', errors);
  const ip = optionalString(record, 'ip', errors);
  const attributes = optionalAttributes(record.attributes, errors);

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      transaction_id,
      timestamp,
      account_id,
      amount,
      currency,
      merchant_id,
      merchant_category,
      country: country === undefined ? undefined : country.toUpperCase(),
      city,
      latitude,
      longitude,
      channel,
      device_id,
      ip,
      attributes,
    },
  };
}

/** Formats errors one per line, `path: message`, as the CLI and API print them. */
export function formatErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('\n');
}

/** Every field a validated transaction has, in sorted (UTF-16) order, each with its JSON key prefix. */
const CANONICAL_FIELDS = (
  [
    'account_id',
    'amount',
    'attributes',
    'channel',
    'city',
    'country',
    'currency',
    'device_id',
    'ip',
    'latitude',
    'longitude',
    'merchant_category',
    'merchant_id',
    'timestamp',
    'transaction_id',
  ] as const
).map((key) => ({ key, prefix: `${JSON.stringify(key)}:` }));

/**
 * The canonical JSON of a validated transaction: its fields in sorted order, absent ones left out, the timestamp
 * as ISO 8601. The same text as `JSON.stringify` of `transactionToJSON(tx)` with its keys sorted, built without
 * the intermediate objects (it is hashed for every submission, to recognise a resubmission).
 */
export function canonicalTransactionJSON(tx: Transaction): string {
  let out = '{';
  for (const { key, prefix } of CANONICAL_FIELDS) {
    const value = key === 'timestamp' ? new Date(tx.timestamp).toISOString() : tx[key];
    if (value === undefined) continue;
    if (out.length > 1) out += ',';
    out += prefix + JSON.stringify(value);
  }
  return out + '}';
}

/** The JSON form of a transaction, with its timestamp back as ISO 8601. */
export function transactionToJSON(tx: Transaction): Record<string, unknown> {
  const out: Record<string, unknown> = { ...tx, timestamp: new Date(tx.timestamp).toISOString() };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out;
}
