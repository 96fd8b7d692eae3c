/** The JSON rules document, as analysts write it. Documented with examples in docs/rules.md. */
import type { Outcome } from '../decision.ts';

export const NUMERIC_OPS = ['==', '!=', '>', '>=', '<', '<='] as const;
export const STRING_OPS = [
  '==',
  '!=',
  'in',
  'not_in',
  'in_list',
  'not_in_list',
  'exists',
  'missing',
] as const;
export type NumericOp = (typeof NUMERIC_OPS)[number];
export type StringOp = (typeof STRING_OPS)[number];

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { field: string; op: NumericOp; value: number }
  | { field: string; op: NumericOp; value_field: string }
  | { field: string; op: '==' | '!='; value: string }
  | { field: string; op: 'in' | 'not_in'; value: string[] }
  /** Only on `attributes.<name>`, whose values may be text or numbers. */
  | { field: string; op: 'in' | 'not_in'; value: (string | number)[] }
  | { field: string; op: 'in_list' | 'not_in_list'; list: string }
  | { field: string; op: 'exists' | 'missing' };

export interface RuleDefinition {
  id: string;
  version: number;
  description?: string;
  enabled?: boolean;
  when: Condition;
  score?: number;
  outcome?: Outcome;
  /** With `score`: the decision's outcome is at least this when the rule fires (the score is unchanged). */
  at_least?: Exclude<Outcome, 'approve'>;
  /** With `outcome` review / block_and_review or with `at_least`: a review this rule causes is a hold. */
  hold?: boolean;
  reason: string;
}

export interface RulesDocument {
  version: string;
  description?: string;
  lists?: Record<string, string[]>;
  rules: RuleDefinition[];
}
