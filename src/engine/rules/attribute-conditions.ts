/**
 * Conditions on a caller's own fields, `attributes.<name>` (see Transaction.attributes). An attribute's type is
 * whatever the caller sent, so one condition works on text and numbers alike: `==` / `in` match either form
 * (5411 and "5411" are the same MCC), `>` and friends compare numbers (a decimal string counts as its number).
 * A missing attribute makes every comparison false, `!=` and `not_in` included; only `missing` is true for it.
 * Compiled once into closures that read one property and allocate nothing per transaction.
 */
import { ATTRIBUTE_LIMITS, type AttributeValue, type Transaction } from '../transaction.ts';
import type { Predicate } from './compile.ts';

export const ATTRIBUTE_PREFIX = 'attributes.';

/** Operators an attribute condition may use: the text ones and the numeric ones. */
export const ATTRIBUTE_OPS = [
  '==',
  '!=',
  '>',
  '>=',
  '<',
  '<=',
  'in',
  'not_in',
  'in_list',
  'not_in_list',
  'exists',
  'missing',
] as const;
export const ATTRIBUTE_NUMERIC_OPS: readonly string[] = ['>', '>=', '<', '<='];

/** The attribute name of a rule field (`attributes.card_bin` → `card_bin`), or null for any other field. */
export function attributeName(field: string): string | null {
  return field.startsWith(ATTRIBUTE_PREFIX) ? field.slice(ATTRIBUTE_PREFIX.length) : null;
}

export const isAttributeName = (name: string): boolean => ATTRIBUTE_LIMITS.keyPattern.test(name);

const DECIMAL = /^[+-]?\d+(?:\.\d+)?$/;

/** A number, or a string that is a plain decimal, as a number; NaN for anything else. */
function numberOf(value: AttributeValue | undefined): number {
  if (typeof value === 'number') return value;
  return value !== undefined && DECIMAL.test(value) ? Number(value) : NaN;
}

/** The value a comparison sees: only own text and numbers (a parsed payload's `constructor` is no attribute). */
function reader(name: string): (tx: Transaction) => AttributeValue | undefined {
  return (tx) => {
    const attributes = tx.attributes;
    if (attributes === undefined) return undefined;
    const value = attributes[name];
    return typeof value === 'string' || typeof value === 'number' ? value : undefined;
  };
}

/** Matching against listed values, ignoring case for text and form for numbers. */
class ValueSet {
  private readonly texts = new Set<string>();
  private readonly numbers = new Set<number>();

  constructor(values: readonly unknown[]) {
    for (const v of values) {
      if (typeof v === 'number') {
        this.numbers.add(v);
        this.texts.add(String(v));
      } else if (typeof v === 'string') {
        this.texts.add(v.toLowerCase());
        if (DECIMAL.test(v)) this.numbers.add(Number(v));
      }
    }
  }

  has(value: AttributeValue): boolean {
    if (typeof value === 'number') return this.numbers.has(value);
    // The raw value first (the common exact hit); toLowerCase allocates, so it comes last.
    return this.texts.size !== 0 && (this.texts.has(value) || this.texts.has(value.toLowerCase()));
  }
}

function comparison(
  get: (tx: Transaction) => AttributeValue | undefined,
  op: string,
  bound: number,
): Predicate {
  switch (op) {
    case '>':
      return (tx) => numberOf(get(tx)) > bound;
    case '>=':
      return (tx) => numberOf(get(tx)) >= bound;
    case '<':
      return (tx) => numberOf(get(tx)) < bound;
    default:
      return (tx) => numberOf(get(tx)) <= bound;
  }
}

/** Compiles a validated leaf whose field is `attributes.<name>`. */
export function compileAttributeLeaf(
  name: string,
  cond: Record<string, unknown>,
  lists: Record<string, string[]>,
): Predicate {
  const get = reader(name);
  const op = cond.op as string;
  if (op === 'exists') return (tx) => get(tx) !== undefined;
  if (op === 'missing') return (tx) => get(tx) === undefined;
  if (ATTRIBUTE_NUMERIC_OPS.includes(op)) return comparison(get, op, cond.value as number);
  let values: readonly unknown[];
  if (op === 'in_list' || op === 'not_in_list') values = lists[cond.list as string] ?? [];
  else if (op === 'in' || op === 'not_in') values = cond.value as unknown[];
  else values = [cond.value];
  const set = new ValueSet(values);
  const negated = op === '!=' || op === 'not_in' || op === 'not_in_list';
  return negated
    ? (tx) => {
        const value = get(tx);
        return value !== undefined && !set.has(value);
      }
    : (tx) => {
        const value = get(tx);
        return value !== undefined && set.has(value);
      };
}
