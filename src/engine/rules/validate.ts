/**
 * Checks a rules document and reports every problem with its exact place, e.g.
 * `rules[3].when.field: unknown feature "amout" (did you mean "amount"?)`. Never throws, whatever the input, and
 * its work is bounded: documents past RULES_LIMITS are refused by name, long strings are quoted clipped, and the
 * report stops at RULES_LIMITS.errors problems.
 */
import { OUTCOMES } from '../decision.ts';
import { RULE_FEATURE_NAMES } from '../features/catalog.ts';
import {
  ATTRIBUTE_KEY_RULE,
  isStorableText,
  TRANSACTION_STRING_FIELDS,
  type FieldError,
} from '../transaction.ts';
import {
  ATTRIBUTE_NUMERIC_OPS,
  ATTRIBUTE_OPS,
  ATTRIBUTE_PREFIX,
  attributeName,
  isAttributeName,
} from './attribute-conditions.ts';
import { RULES_LIMITS } from './limits.ts';
import { Suggester } from './suggest.ts';
import { NUMERIC_OPS, STRING_OPS } from './types.ts';

const NUMERIC_FIELDS = new Set<string>(RULE_FEATURE_NAMES);
const STRING_FIELDS = new Set<string>(TRANSACTION_STRING_FIELDS);
const ALL_FIELDS = [...RULE_FEATURE_NAMES, ...TRANSACTION_STRING_FIELDS];
const DOCUMENT_KEYS = ['version', 'description', 'lists', 'rules'];
const RULE_KEYS = [
  'id',
  'version',
  'description',
  'enabled',
  'when',
  'score',
  'outcome',
  'at_least',
  'hold',
  'reason',
];
const LEAF_KEYS = ['field', 'op', 'value', 'value_field', 'list'];
const ID_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Quoted strings are clipped, so an error never echoes a huge input back. */
const QUOTED_CHARS = 40;

function clip(text: string): string {
  return text.length <= QUOTED_CHARS ? text : `${text.slice(0, QUOTED_CHARS)}…`;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `string ${JSON.stringify(clip(value))}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** `is N characters; at most M` when `text` is longer than `max`, else null. */
function tooLong(text: string, max: number): string | null {
  return text.length > max ? `is ${text.length} characters; at most ${max}` : null;
}

/** Thrown by the checker once the report is full; ends the walk. */
class ReportFull extends Error {}

class Checker {
  readonly errors: FieldError[] = [];
  listNames = new Set<string>();
  /** Whether a bound of RULES_LIMITS was exceeded (the report being full included). */
  limited = false;
  private readonly suggester = new Suggester();
  /** Condition objects seen in the rule being checked. */
  private conditions = 0;

  add(path: string, message: string): void {
    if (this.errors.length === RULES_LIMITS.errors) {
      this.limited = true;
      this.errors.push({
        path: '',
        message: `more than ${RULES_LIMITS.errors} problems; the first are above`,
      });
      throw new ReportFull();
    }
    this.errors.push({ path, message });
  }

  /** A problem of size: the document is beyond RULES_LIMITS, not merely wrong. */
  overLimit(path: string, message: string): void {
    this.limited = true;
    this.add(path, message);
  }

  /** A string that may be absent; its type and length checked. */
  optionalText(value: unknown, path: string, max: number): void {
    if (value === undefined) return;
    if (typeof value !== 'string') this.add(path, 'must be a string');
    else {
      const long = tooLong(value, max);
      if (long !== null) this.overLimit(path, long);
    }
  }

  unknownKeys(obj: Json, allowed: string[], path: string): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        const name = clip(key);
        this.add(path ? `${path}.${name}` : name, `unknown key${this.suggester.didYouMean(key, allowed)}`);
      }
    }
  }

  document(doc: unknown): void {
    if (!isObject(doc)) {
      this.add('', `the rules document must be a JSON object, got ${kind(doc)}`);
      return;
    }
    const size = JSON.stringify(doc).length;
    if (size > RULES_LIMITS.documentChars) {
      this.overLimit(
        '',
        `the rules document is ${size} characters as JSON; at most ${RULES_LIMITS.documentChars}`,
      );
      return;
    }
    this.unknownKeys(doc, DOCUMENT_KEYS, '');
    if (doc.version === undefined) this.add('version', 'is required');
    else if (typeof doc.version !== 'string' || doc.version.trim() === '') {
      this.add('version', `must be a non-empty string, got ${kind(doc.version)}`);
    } else {
      this.optionalText(doc.version, 'version', RULES_LIMITS.nameChars);
      // Stored and audited as text: PostgreSQL cannot keep NUL or unpaired surrogates.
      if (!isStorableText(doc.version)) this.add('version', 'must not contain NUL or unpaired surrogates');
    }
    this.optionalText(doc.description, 'description', RULES_LIMITS.textChars);
    this.lists(doc.lists);
    if (doc.rules === undefined) this.add('rules', 'is required');
    else if (!Array.isArray(doc.rules)) this.add('rules', `must be an array, got ${kind(doc.rules)}`);
    else if (doc.rules.length > RULES_LIMITS.rules) {
      this.overLimit('rules', `has ${doc.rules.length} rules; at most ${RULES_LIMITS.rules}`);
    } else this.rules(doc.rules);
  }

  lists(lists: unknown): void {
    if (lists === undefined) return;
    if (!isObject(lists)) {
      this.add('lists', `must be an object of name: [values], got ${kind(lists)}`);
      return;
    }
    const entries = Object.entries(lists);
    if (entries.length > RULES_LIMITS.lists) {
      this.overLimit('lists', `has ${entries.length} lists; at most ${RULES_LIMITS.lists}`);
      return;
    }
    for (const [name, values] of entries) {
      const path = `lists.${clip(name)}`;
      const long = tooLong(name, RULES_LIMITS.nameChars);
      if (long !== null) {
        this.overLimit(path, `the name ${long}`);
        continue;
      }
      this.listNames.add(name);
      if (!Array.isArray(values)) {
        this.add(path, `must be an array of strings, got ${kind(values)}`);
        continue;
      }
      if (values.length > RULES_LIMITS.listValues) {
        this.overLimit(path, `has ${values.length} values; at most ${RULES_LIMITS.listValues}`);
        continue;
      }
      this.strings(values, path);
    }
  }

  /** Each item a string of at most valueChars. */
  strings(values: unknown[], path: string): void {
    values.forEach((v, i) => {
      if (typeof v !== 'string') this.add(`${path}[${i}]`, `must be a string, got ${kind(v)}`);
      else {
        const long = tooLong(v, RULES_LIMITS.valueChars);
        if (long !== null) this.overLimit(`${path}[${i}]`, long);
      }
    });
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
      this.optionalText(rule.description, `${path}.description`, RULES_LIMITS.textChars);
      if (rule.enabled !== undefined && typeof rule.enabled !== 'boolean') {
        this.add(`${path}.enabled`, 'must be true or false');
      }
      if (typeof rule.reason !== 'string' || rule.reason.trim() === '') {
        this.add(`${path}.reason`, rule.reason === undefined ? 'is required' : 'must be a non-empty string');
      } else this.optionalText(rule.reason, `${path}.reason`, RULES_LIMITS.textChars);
      this.action(rule, path);
      this.conditions = 0;
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
    if (rule.at_least !== undefined) {
      const floors = OUTCOMES.filter((o) => o !== 'approve') as string[];
      if (!hasScore) this.add(`${path}.at_least`, 'goes with "score" (a forced "outcome" already decides)');
      else if (typeof rule.at_least !== 'string' || !floors.includes(rule.at_least)) {
        this.add(`${path}.at_least`, `must be one of ${floors.join(', ')}, got ${kind(rule.at_least)}`);
      }
    }
    if (rule.hold !== undefined) {
      // A hold makes the review this rule causes blocking: a rule that causes none cannot hold anything.
      if (typeof rule.hold !== 'boolean') this.add(`${path}.hold`, 'must be true or false');
      else if (rule.hold && hasOutcome && rule.outcome !== 'review' && rule.outcome !== 'block_and_review')
        this.add(
          `${path}.hold`,
          'goes with outcome review or block_and_review (approve and decline are final)',
        );
      else if (rule.hold && hasScore && rule.at_least === undefined)
        this.add(`${path}.hold`, 'goes with "at_least" beside "score" (a weight alone may cause no review)');
    }
  }

  condition(cond: unknown, path: string, depth: number): void {
    if (depth > RULES_LIMITS.depth) {
      this.overLimit(path, `conditions nest deeper than ${RULES_LIMITS.depth} levels`);
      return;
    }
    if (++this.conditions > RULES_LIMITS.conditionsPerRule) {
      // Reported once, at the first condition past the limit; the rest of the rule is not looked at.
      if (this.conditions === RULES_LIMITS.conditionsPerRule + 1)
        this.overLimit(path, `the rule has more than ${RULES_LIMITS.conditionsPerRule} conditions`);
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
    const long = tooLong(field, RULES_LIMITS.nameChars);
    if (long !== null) {
      this.overLimit(`${path}.field`, long);
      return;
    }
    const attribute = attributeName(field);
    if (attribute !== null) {
      this.attributeLeaf(cond, path, attribute);
      return;
    }
    const numeric = NUMERIC_FIELDS.has(field);
    if (!numeric && !STRING_FIELDS.has(field)) {
      this.add(
        `${path}.field`,
        `unknown feature "${clip(field)}"${this.suggester.didYouMean(field, ALL_FIELDS)}`,
      );
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

  /** A leaf on `attributes.<name>`: any operator, the operand's type chosen by the operator. */
  attributeLeaf(cond: Json, path: string, name: string): void {
    const field = `${ATTRIBUTE_PREFIX}${name}`;
    if (!isAttributeName(name)) {
      this.add(`${path}.field`, `"${clip(field)}" is not a valid attribute name (${ATTRIBUTE_KEY_RULE})`);
      return;
    }
    const op = cond.op;
    if (typeof op !== 'string' || !(ATTRIBUTE_OPS as readonly string[]).includes(op)) {
      this.add(`${path}.op`, `must be one of ${ATTRIBUTE_OPS.join(' ')} for "${field}", got ${kind(op)}`);
      return;
    }
    if (cond.value_field !== undefined) {
      this.add(`${path}.value_field`, `is not available for "${field}": compare an attribute with a value`);
      return;
    }
    const v = cond.value;
    if (ATTRIBUTE_NUMERIC_OPS.includes(op)) {
      if (typeof v !== 'number' || !Number.isFinite(v))
        this.add(`${path}.value`, `must be a number for "${op}" on "${field}", got ${kind(v)}`);
      return;
    }
    if (op === '==' || op === '!=') {
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) this.add(`${path}.value`, `must be a finite number, got ${kind(v)}`);
      } else if (typeof v === 'string') this.optionalText(v, `${path}.value`, RULES_LIMITS.valueChars);
      else this.add(`${path}.value`, `must be a string or a number for "${field}", got ${kind(v)}`);
      return;
    }
    if (op === 'in' || op === 'not_in') {
      const bad = (x: unknown) => typeof x !== 'string' && (typeof x !== 'number' || !Number.isFinite(x));
      if (!Array.isArray(v) || v.some(bad)) {
        this.add(`${path}.value`, `must be an array of strings or numbers for "${op}", got ${kind(v)}`);
      } else if (v.length > RULES_LIMITS.inlineValues) {
        this.overLimit(`${path}.value`, `has ${v.length} values; at most ${RULES_LIMITS.inlineValues}`);
      } else {
        v.forEach((x, i) => {
          if (typeof x === 'string') this.optionalText(x, `${path}.value[${i}]`, RULES_LIMITS.valueChars);
        });
      }
      return;
    }
    this.stringOperand(cond, path, field, op);
  }

  numericOperand(cond: Json, path: string, field: string): void {
    if (cond.value_field !== undefined) {
      const other = cond.value_field;
      if (cond.value !== undefined) this.add(path, 'give either "value" or "value_field", not both');
      if (typeof other !== 'string' || !NUMERIC_FIELDS.has(other)) {
        this.add(
          `${path}.value_field`,
          `unknown feature ${kind(other)}${typeof other === 'string' ? this.suggester.didYouMean(other, RULE_FEATURE_NAMES) : ''}`,
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
        else this.optionalText(v, `${path}.value`, RULES_LIMITS.valueChars);
        return;
      case 'in':
      case 'not_in':
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
          this.add(`${path}.value`, `must be an array of strings for "${op}", got ${kind(v)}`);
        } else if (v.length > RULES_LIMITS.inlineValues) {
          this.overLimit(`${path}.value`, `has ${v.length} values; at most ${RULES_LIMITS.inlineValues}`);
        } else this.strings(v, `${path}.value`);
        return;
      case 'in_list':
      case 'not_in_list': {
        const list = cond.list;
        if (typeof list !== 'string')
          this.add(`${path}.list`, `is required for "${op}": the name of a list in "lists"`);
        else if (!this.listNames.has(list)) {
          this.add(
            `${path}.list`,
            `unknown list "${clip(list)}"${this.suggester.didYouMean(list, this.listNames)}`,
          );
        }
        return;
      }
      default:
        if (v !== undefined) this.add(`${path}.value`, `"${op}" takes no value`);
    }
  }
}

export interface RulesReport {
  errors: FieldError[];
  /** True when the document exceeds RULES_LIMITS (too large to be worth correcting field by field). */
  limited: boolean;
}

export function checkRules(doc: unknown): RulesReport {
  const checker = new Checker();
  try {
    checker.document(doc);
  } catch (e) {
    // Only a pathological input (a getter that throws, a cyclic proxy) gets here; report, never throw.
    if (!(e instanceof ReportFull))
      checker.errors.push({ path: '', message: `cannot be read: ${(e as Error).message}` });
  }
  return { errors: checker.errors, limited: checker.limited };
}

export function validateRules(doc: unknown): FieldError[] {
  return checkRules(doc).errors;
}
