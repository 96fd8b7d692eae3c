/** Live rules: validate a document with precise error paths, compile it once, swap it into the engine. */
import { readFileSync } from 'node:fs';
import type { FieldError, Validated } from '../transaction.ts';
import { compileValidated, type CompiledRuleSet } from './compile.ts';
import type { RulesDocument } from './types.ts';
import { validateRules } from './validate.ts';

export type { CompiledRule, CompiledRuleSet, Predicate } from './compile.ts';
export type { Condition, RuleDefinition, RulesDocument } from './types.ts';
export { RULES_LIMITS } from './limits.ts';
export { checkRules, validateRules, type RulesReport } from './validate.ts';

export const DEFAULT_RULES_PATH = new URL('../../../rules/default-rules.json', import.meta.url);

export function compileRules(doc: unknown): Validated<CompiledRuleSet> {
  const errors: FieldError[] = validateRules(doc);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: compileValidated(doc as RulesDocument) };
}

let defaults: CompiledRuleSet | null = null;

/** The shipped rule set (rules/default-rules.json), read and compiled once. */
export function loadDefaultRules(): CompiledRuleSet {
  if (defaults === null) {
    const result = compileRules(JSON.parse(readFileSync(DEFAULT_RULES_PATH, 'utf8')));
    if (!result.ok) {
      throw new Error(
        `rules/default-rules.json is invalid:\n${result.errors.map((e) => `${e.path}: ${e.message}`).join('\n')}`,
      );
    }
    defaults = result.value;
  }
  return defaults;
}
