/**
 * Compiles a validated rules document once into predicates: closures over resolved feature indices, constants
 * and lower-cased sets, so that evaluating a rule costs a few comparisons and no parsing or name lookup.
 */
import type { Outcome } from '../decision.ts';
import { indexOfFeature } from '../features/catalog.ts';
import type { Transaction, TransactionStringField } from '../transaction.ts';
import { attributeName, compileAttributeLeaf } from './attribute-conditions.ts';
import type { Condition, RuleDefinition, RulesDocument } from './types.ts';

export type Predicate = (tx: Transaction, features: Float64Array) => boolean;

export interface CompiledRule {
  /** `id@version`, as decisions cite it. */
  readonly ref: string;
  readonly id: string;
  readonly reason: string;
  /** Weight in (0,1]; 0 when the rule forces an outcome. */
  readonly score: number;
  readonly outcome: Outcome | null;
  /** The least outcome a decision gets when this scoring rule fires; null for none. */
  readonly atLeast: Outcome | null;
  /** When it fires, a review or block_and_review decision is held (docs/rules.md, "Holds"). */
  readonly hold: boolean;
  readonly test: Predicate;
}

export interface CompiledRuleSet {
  readonly version: string;
  /** A deep-frozen copy of the document it was compiled from. */
  readonly document: RulesDocument;
  /** Enabled rules, in document order. */
  readonly rules: readonly CompiledRule[];
}

/** One accessor per text field, chosen at compile time (no dynamic property lookup when scoring). */
const ACCESSORS: Record<TransactionStringField, (tx: Transaction) => string | undefined> = {
  transaction_id: (tx) => tx.transaction_id,
  account_id: (tx) => tx.account_id,
  currency: (tx) => tx.currency,
  merchant_id: (tx) => tx.merchant_id,
  merchant_category: (tx) => tx.merchant_category,
  country: (tx) => tx.country,
  city: (tx) => tx.city,
  channel: (tx) => tx.channel,
  device_id: (tx) => tx.device_id,
  ip: (tx) => tx.ip,
};

/** Membership that ignores case: the raw value first (the common exact hit), then its lower-case form. */
function member(set: ReadonlySet<string>, value: string | undefined): boolean {
  // An empty list (the shipped allow/block lists) costs nothing; toLowerCase allocates, so it comes last.
  return value !== undefined && set.size !== 0 && (set.has(value) || set.has(value.toLowerCase()));
}

function numericLeaf(index: number, op: string, value: number): Predicate {
  switch (op) {
    case '==':
      return (_tx, f) => f[index] === value;
    case '!=':
      return (_tx, f) => f[index] !== value;
    case '>':
      return (_tx, f) => f[index]! > value;
    case '>=':
      return (_tx, f) => f[index]! >= value;
    case '<':
      return (_tx, f) => f[index]! < value;
    default:
      return (_tx, f) => f[index]! <= value;
  }
}

function fieldToFieldLeaf(a: number, op: string, b: number): Predicate {
  switch (op) {
    case '==':
      return (_tx, f) => f[a] === f[b];
    case '!=':
      return (_tx, f) => f[a] !== f[b];
    case '>':
      return (_tx, f) => f[a]! > f[b]!;
    case '>=':
      return (_tx, f) => f[a]! >= f[b]!;
    case '<':
      return (_tx, f) => f[a]! < f[b]!;
    default:
      return (_tx, f) => f[a]! <= f[b]!;
  }
}

function textLeaf(cond: Record<string, unknown>, lists: Record<string, string[]>): Predicate {
  const get = ACCESSORS[cond.field as TransactionStringField];
  const lower = (values: unknown): ReadonlySet<string> =>
    new Set((values as string[]).map((v) => v.toLowerCase()));
  switch (cond.op) {
    case '==':
    case '!=': {
      const set = lower([cond.value]);
      return cond.op === '==' ? (tx) => member(set, get(tx)) : (tx) => !member(set, get(tx));
    }
    case 'in':
    case 'in_list': {
      const set = lower(cond.op === 'in' ? cond.value : (lists[cond.list as string] ?? []));
      return (tx) => member(set, get(tx));
    }
    case 'not_in':
    case 'not_in_list': {
      const set = lower(cond.op === 'not_in' ? cond.value : (lists[cond.list as string] ?? []));
      return (tx) => !member(set, get(tx));
    }
    case 'exists':
      return (tx) => get(tx) !== undefined;
    default:
      return (tx) => get(tx) === undefined;
  }
}

function compileCondition(cond: Condition, lists: Record<string, string[]>): Predicate {
  if ('all' in cond) {
    const parts = cond.all.map((c) => compileCondition(c, lists));
    if (parts.length === 1) return parts[0]!;
    if (parts.length === 2) {
      const [a, b] = parts as [Predicate, Predicate];
      return (tx, f) => a(tx, f) && b(tx, f);
    }
    return (tx, f) => {
      for (let i = 0; i < parts.length; i++) if (!parts[i]!(tx, f)) return false;
      return true;
    };
  }
  if ('any' in cond) {
    const parts = cond.any.map((c) => compileCondition(c, lists));
    if (parts.length === 1) return parts[0]!;
    return (tx, f) => {
      for (let i = 0; i < parts.length; i++) if (parts[i]!(tx, f)) return true;
      return false;
    };
  }
  if ('not' in cond) {
    const inner = compileCondition(cond.not, lists);
    return (tx, f) => !inner(tx, f);
  }
  const leaf = cond as Record<string, unknown>;
  const attribute = attributeName(leaf.field as string);
  if (attribute !== null) return compileAttributeLeaf(attribute, leaf, lists);
  const index = indexOfFeature(leaf.field as string);
  if (index < 0) return textLeaf(leaf, lists);
  if (typeof leaf.value_field === 'string')
    return fieldToFieldLeaf(index, leaf.op as string, indexOfFeature(leaf.value_field));
  return numericLeaf(index, leaf.op as string, leaf.value as number);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Compiles a document that `validateRules` accepted. */
export function compileValidated(doc: RulesDocument): CompiledRuleSet {
  const copy = deepFreeze(structuredClone(doc));
  const lists = copy.lists ?? {};
  const rules = copy.rules
    .filter((r: RuleDefinition) => r.enabled !== false)
    .map((r): CompiledRule =>
      Object.freeze({
        ref: `${r.id}@${r.version}`,
        id: r.id,
        reason: r.reason,
        score: r.outcome === undefined ? (r.score ?? 0) : 0,
        outcome: r.outcome ?? null,
        atLeast: r.outcome === undefined ? (r.at_least ?? null) : null,
        hold: r.hold === true,
        test: compileCondition(r.when, lists),
      }),
    );
  return Object.freeze({ version: copy.version, document: copy, rules: Object.freeze(rules) });
}
