/**
 * Maps a file's columns onto transaction fields and the label: `--map transaction_id=TX_ID,amount=TX_AMOUNT`.
 * Without a mapping, columns named like the fields are taken as they are. Caller attributes come from columns
 * named `attributes.<name>` (`--map attributes.card_bin=BIN` names another column) and, in JSON Lines, from an
 * `attributes` object too.
 */
import type { CurrencySettings } from '../engine/currency-settings.ts';
import {
  ATTRIBUTE_KEY_RULE,
  ATTRIBUTE_LIMITS,
  TRANSACTION_FIELDS,
  validateTransaction,
  type FieldError,
  type Transaction,
} from '../engine/transaction.ts';

export const MAPPABLE_FIELDS: readonly string[] = [...TRANSACTION_FIELDS, 'label'];

const ATTRIBUTE_PREFIX = 'attributes.';

/** The fields every row must have (validateTransaction refuses a transaction without one). */
export const REQUIRED_FIELDS: readonly string[] = ['transaction_id', 'timestamp', 'account_id', 'amount'];

export type ColumnMap = ReadonlyMap<string, string>; // field → column

/** Parses `field=COLUMN,...`; throws an Error naming the bad part. */
export function parseColumnMap(spec: string | undefined): ColumnMap {
  const map = new Map<string, string>();
  if (spec === undefined || spec.trim() === '') return map;
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    const field = part.slice(0, eq).trim();
    const column = part.slice(eq + 1).trim();
    if (eq < 0 || field === '' || column === '') throw new Error(`--map: "${part}" is not field=COLUMN`);
    if (field.startsWith(ATTRIBUTE_PREFIX)) {
      const name = field.slice(ATTRIBUTE_PREFIX.length);
      if (!ATTRIBUTE_LIMITS.keyPattern.test(name))
        throw new Error(`--map: "${field}" is not a valid attribute name (${ATTRIBUTE_KEY_RULE})`);
    } else if (!MAPPABLE_FIELDS.includes(field)) {
      throw new Error(
        `--map: unknown field "${field}" (fields: ${MAPPABLE_FIELDS.join(', ')}, attributes.<name>)`,
      );
    }
    if (map.has(field)) throw new Error(`--map: field "${field}" is mapped twice`);
    map.set(field, column);
  }
  return map;
}

/** Words a column for each required field is often named with in exports (TX_AMOUNT, CUSTOMER_ID, TX_FRAUD). */
const FIELD_WORDS: Record<string, readonly string[]> = {
  transaction_id: ['transaction', 'txn', 'tx', 'trans'],
  timestamp: ['timestamp', 'datetime', 'time', 'date', 'ts'],
  account_id: ['account', 'acct', 'customer', 'card', 'user', 'client'],
  amount: ['amount', 'amt', 'value', 'sum'],
  label: ['label', 'fraud', 'target', 'class'],
};

/**
 * A `--map` for fields the header lacks: for each, the first unused column named with one of its words (for an
 * id, one that also ends in "id"), else `field=COLUMN` for the operator to fill in.
 */
export function suggestMap(missing: readonly string[], columns: readonly string[]): string {
  const used = new Set<string>();
  const words = (column: string) =>
    column
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean);
  const pairs = missing.map((field) => {
    const wanted = FIELD_WORDS[field] ?? [field];
    const column = columns.find((c) => {
      if (used.has(c) || MAPPABLE_FIELDS.includes(c)) return false;
      const w = words(c);
      if (!w.some((word) => wanted.includes(word))) return false;
      return !field.endsWith('_id') || w.at(-1) === 'id';
    });
    if (column === undefined) return `${field}=COLUMN`;
    used.add(column);
    return `${field}=${column}`;
  });
  return `--map ${pairs.join(',')}`;
}

/** Parses a label cell: 1/0, true/false, fraud/legit(imate), yes/no. */
export function parseLabel(value: unknown): 0 | 1 | null {
  if (value === 1 || value === true) return 1;
  if (value === 0 || value === false) return 0;
  if (typeof value !== 'string') return null;
  switch (value.trim().toLowerCase()) {
    case '1':
    case '1.0':
    case 'true':
    case 'fraud':
    case 'yes':
      return 1;
    case '0':
    case '0.0':
    case 'false':
    case 'legit':
    case 'legitimate':
    case 'no':
      return 0;
    default:
      return null;
  }
}

export type LabelledRow =
  { ok: true; tx: Transaction; label: 0 | 1 | null } | { ok: false; errors: FieldError[] };

/**
 * Turns one record into a transaction and its label. Error paths name the file's column, e.g.
 * `TX_AMOUNT (amount): must be a finite number >= 0`.
 */
export function toLabelledRow(
  record: Record<string, unknown>,
  map: ColumnMap,
  requireLabel: boolean,
  currency?: CurrencySettings,
): LabelledRow {
  const input: Record<string, unknown> = {};
  for (const field of TRANSACTION_FIELDS) {
    const column = map.get(field) ?? field;
    const value = record[column];
    if (value !== undefined) input[field] = value;
  }
  const attributes = attributesOf(record, map);
  if (attributes !== undefined) input.attributes = attributes;
  const labelColumn = map.get('label') ?? 'label';
  const rawLabel = record[labelColumn];
  const label = rawLabel === undefined || rawLabel === '' ? null : parseLabel(rawLabel);
  const checked = validateTransaction(input, currency);
  const errors: FieldError[] = checked.ok ? [] : checked.errors.map((e) => named(e, map));
  if (rawLabel !== undefined && rawLabel !== '' && label === null) {
    errors.push({
      path: columnPath('label', map),
      message: `must be 0/1, true/false or fraud/legit, got ${JSON.stringify(rawLabel)}`,
    });
  } else if (requireLabel && label === null) {
    errors.push({ path: columnPath('label', map), message: 'is required' });
  }
  if (errors.length > 0 || !checked.ok) return { ok: false, errors };
  return { ok: true, tx: checked.value, label };
}

/**
 * A record's attributes: a JSON Lines `attributes` object, then `attributes.<name>` columns, then columns mapped
 * to attributes (later ones win). Validation checks them; anything but an object is passed on for it to refuse.
 */
function attributesOf(record: Record<string, unknown>, map: ColumnMap): unknown {
  const nested = record.attributes;
  if (nested !== undefined && (typeof nested !== 'object' || nested === null || Array.isArray(nested)))
    return nested;
  let out: Record<string, unknown> | undefined = nested === undefined ? undefined : { ...nested };
  for (const column in record) {
    if (column.startsWith(ATTRIBUTE_PREFIX))
      (out ??= {})[column.slice(ATTRIBUTE_PREFIX.length)] = record[column];
  }
  for (const [field, column] of map) {
    if (field.startsWith(ATTRIBUTE_PREFIX) && record[column] !== undefined)
      (out ??= {})[field.slice(ATTRIBUTE_PREFIX.length)] = record[column];
  }
  return out;
}

function columnPath(field: string, map: ColumnMap): string {
  const column = map.get(field);
  return column === undefined || column === field ? field : `${column} (${field})`;
}

function named(e: FieldError, map: ColumnMap): FieldError {
  return { path: columnPath(e.path, map), message: e.message };
}
