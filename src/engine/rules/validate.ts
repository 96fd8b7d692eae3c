/**
 * Checks a rules document and reports every problem with its exact place, e.g.
 * `rules[3].when.field: unknown feature "amout" (did you mean "amount"?)`. Never throws, whatever the input.
 */
import { OUTCOMES } from '../decision.ts';
import { FEATURE_NAMES } from '../features/catalog.ts';
import { isStorableText, TRANSACTION_STRING_FIELDS, type FieldError } from '../transaction.ts';
import { didYouMean } from './suggest.ts';
import { NUMERIC_OPS, STRING_OPS } from './types.ts';

const NUMERIC_FIELDS = new Set<string>(FEATURE_NAMES);
const STRING_FIELDS = new Set<string>(TRANSACTION_STRING_FIELDS);
const ALL_FIELDS = [...FEATURE_NAMES, ...TRANSACTION_STRING_FIELDS];
const DOCUMENT_KEYS = ['version', 'description', 'lists', 'rules'];
const RULE_KEYS = ['id', 'version', 'description', 'enabled', 'when', 'score', 'outcome', 'reason'];
const LEAF_KEYS = ['field', 'op', 'value', 'value_field', 'list'];
const MAX_DEPTH = 16;
const MAX_VERSION_LENGTH = 200;
const ID_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

class Checker {
  readonly errors: FieldError[] = [];
  listNames = new Set<string>();

  add(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  unknownKeys(obj: Json, allowed: string[], path: string): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key))
        this.add(path ? `${path}.${key}` : key, `unknown key${didYouMean(key, allowed)}`);
    }
  }

  document(doc: unknown): void {
    if (!isObject(doc)) {
      this.add('', `the rules document must be a JSON object, got ${kind(doc)}`);
      return;
    }
    this.unknownKeys(doc, DOCUMENT_KEYS, '');
    if (doc.version === undefined) this.add('version', 'is required');
    else if (typeof doc.version !== 'string' || doc.version.trim() === '') {
      this.add('version', `must be a non-empty string, got ${kind(doc.version)}`);
    } else if (doc.version.length > MAX_VERSION_LENGTH || !isStorableText(doc.version)) {
      // Stored and audited as text: PostgreSQL cannot keep NUL or unpaired surrogates.
      this.add(
        'version',
        `must be at most ${MAX_VERSION_LENGTH} characters, without NUL or unpaired surrogates`,
      );
    }
    if (doc.description !== undefined && typeof doc.description !== 'string') {
      this.add('description', 'must be a string');
    }
    this.lists(doc.lists);
    if (doc.rules === undefined) this.add('rules', 'is required');
    else if (!Array.isArray(doc.rules)) this.add('rules', `must be an array, got ${kind(doc.rules)}`);
    else this.rules(doc.rules);
  }

  lists(lists: unknown): void {
    if (lists === undefined) return;
    if (!isObject(lists)) {
      this.add('lists', `must be an object of name: [values], got ${kind(lists)}`);
      return;
    }
    for (const [name, values] of Object.entries(lists)) {
      this.listNames.add(name);
      if (!Array.isArray(values)) {
        this.add(`lists.${name}`, `must be an array of strings, got ${kind(values)}`);
        continue;
      }
      values.forEach((v, i) => {
        if (typeof v !== 'string') this.add(`lists.${name}[${i}]`, `must be a string, got ${kind(v)}`);
      });
    }
  }

  rules(rules: unknown[]): void {
    const seen = new Map<string, number>();
    rules.forEach((rule, i) => {
      const path = `rules[${i}]`;
      if (!isObject(rule)) {
        this.add(path, `must be an object, got ${kind(rule)}`);
        return;
      }
      this.unknownKeys(rule, RULE_KEYS, path);
      if (typeof rule.id !== 'string' || !ID_PATTERN.test(rule.id)) {
        this.add(
          `${path}.id`,
          rule.id === undefined ? 'is required' : 'must be snake_case: a-z, 0-9, _ (at most 64)',
        );
      } else if (seen.has(rule.id)) {
        this.add(`${path}.id`, `duplicate id "${rule.id}" (also rules[${seen.get(rule.id)}])`);
      } else {
        seen.set(rule.id, i);
      }
      if (rule.version === undefined) this.add(`${path}.version`, 'is required');
      else if (typeof rule.version !== 'number' || !Number.isSafeInteger(rule.version) || rule.version < 1) {
        this.add(`${path}.version`, `must be a positive integer, got ${kind(rule.version)}`);
      }
      if (rule.description !== undefined && typeof rule.description !== 'string') {
        this.add(`${path}.description`, 'must be a string');
      }
      if (rule.enabled !== undefined && typeof rule.enabled !== 'boolean') {
        this.add(`${path}.enabled`, 'must be true or false');
      }
      if (typeof rule.reason !== 'string' || rule.reason.trim() === '') {
        this.add(`${path}.reason`, rule.reason === undefined ? 'is required' : 'must be a non-empty string');
      }
      this.action(rule, path);
      if (rule.when === undefined) this.add(`${path}.when`, 'is required');
      else this.condition(rule.when, `${path}.when`, 0);
    });
  }

  action(rule: Json, path: string): void {
    const hasScore = rule.score !== undefined;
    const hasOutcome = rule.outcome !== undefined;
    if (hasScore === hasOutcome) {
      this.add(path, 'needs exactly one of "score" (a weight) or "outcome" (a forced outcome)');
      return;
    }
    if (hasScore) {
      const s = rule.score;
      if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0 || s > 1) {
        this.add(`${path}.score`, `must be a number in (0,1], got ${kind(s)}`);
      }
    } else if (typeof rule.outcome !== 'string' || !(OUTCOMES as readonly string[]).includes(rule.outcome)) {
      this.add(`${path}.outcome`, `must be one of ${OUTCOMES.join(', ')}, got ${kind(rule.outcome)}`);
    }
  }

  condition(cond: unknown, path: string, depth: number): void {
    if (depth > MAX_DEPTH) {
      this.add(path, `conditions nest deeper than ${MAX_DEPTH} levels`);
      return;
    }
    if (!isObject(cond)) {
      this.add(path, `must be a condition object, got ${kind(cond)}`);
      return;
    }
    for (const group of ['all', 'any'] as const) {
      if (group in cond) {
        this.unknownKeys(cond, [group], path);
        const items = cond[group];
        if (!Array.isArray(items) || items.length === 0) {
          this.add(`${path}.${group}`, 'must be a non-empty array of conditions');
          return;
        }
        items.forEach((c, i) => this.condition(c, `${path}.${group}[${i}]`, depth + 1));
        return;
      }
    }
    if ('not' in cond) {
      this.unknownKeys(cond, ['not'], path);
      this.condition(cond.not, `${path}.not`, depth + 1);
      return;
    }
    this.leaf(cond, path);
  }

  leaf(cond: Json, path: string): void {
    this.unknownKeys(cond, LEAF_KEYS, path);
    const field = cond.field;
    if (typeof field !== 'string') {
      this.add(
        `${path}.field`,
        field === undefined ? 'is required (or use all / any / not)' : 'must be a string',
      );
      return;
    }
    const numeric = NUMERIC_FIELDS.has(field);
    if (!numeric && !STRING_FIELDS.has(field)) {
      this.add(`${path}.field`, `unknown feature "${field}"${didYouMean(field, ALL_FIELDS)}`);
      return;
    }
    const op = cond.op;
    const ops: readonly string[] = numeric ? NUMERIC_OPS : STRING_OPS;
    if (typeof op !== 'string' || !ops.includes(op)) {
      this.add(
        `${path}.op`,
        `must be one of ${ops.join(' ')} for ${numeric ? 'numeric' : 'text'} field "${field}", got ${kind(op)}`,
      );
      return;
    }
    if (numeric) this.numericOperand(cond, path, field);
    else this.stringOperand(cond, path, field, op);
  }

  numericOperand(cond: Json, path: string, field: string): void {
    if (cond.value_field !== undefined) {
      const other = cond.value_field;
      if (cond.value !== undefined) this.add(path, 'give either "value" or "value_field", not both');
      if (typeof other !== 'string' || !NUMERIC_FIELDS.has(other)) {
        this.add(
          `${path}.value_field`,
          `unknown feature ${kind(other)}${typeof other === 'string' ? didYouMean(other, FEATURE_NAMES) : ''}`,
        );
      }
      return;
    }
    const v = cond.value;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.add(`${path}.value`, `must be a number for field "${field}", got ${kind(v)}`);
    }
  }

  stringOperand(cond: Json, path: string, field: string, op: string): void {
    const v = cond.value;
    switch (op) {
      case '==':
      case '!=':
        if (typeof v !== 'string')
          this.add(`${path}.value`, `must be a string for field "${field}", got ${kind(v)}`);
        return;
      case 'in':
      case 'not_in':
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
          this.add(`${path}.value`, `must be an array of strings for "${op}", got ${kind(v)}`);
        }
        return;
      case 'in_list':
      case 'not_in_list': {
        const list = cond.list;
        if (typeof list !== 'string')
          this.add(`${path}.list`, `is required for "${op}": the name of a list in "lists"`);
        else if (!this.listNames.has(list)) {
          this.add(`${path}.list`, `unknown list "${list}"${didYouMean(list, this.listNames)}`);
        }
        return;
      }
      default:
        if (v !== undefined) this.add(`${path}.value`, `"${op}" takes no value`);
    }
  }
}

export function validateRules(doc: unknown): FieldError[] {
  const checker = new Checker();
  try {
    checker.document(doc);
  } catch (e) {
    // Only a pathological input (a getter that throws, a cyclic proxy) gets here; report, never throw.
    checker.add('', `cannot be read: ${(e as Error).message}`);
  }
  return checker.errors;
}
