/** A decision's reasons in words, for the queue and the detail page. */
import { describeFeature } from '../../src/engine/features/feature-labels.ts';
import type { Reason, RuleDefinition } from './types.ts';

/** The rule's own reason, or the model reason's text (built here for decisions stored before it had one). */
export function reasonText(r: Reason): string {
  return r.kind === 'rule' ? r.reason : (r.text ?? describeFeature(r.feature, r.value));
}

/**
 * A case alert carries reason codes only (`new_device@1`, `model`): the rule's reason from the rules in force
 * when that version is in force, else the code itself (the rule changed since).
 */
export function reasonCodeText(code: string, rules: readonly RuleDefinition[]): string {
  if (code === 'model') return 'the model scored it high';
  const rule = rules.find((r) => `${r.id}@${r.version}` === code);
  return rule === undefined ? code : rule.reason;
}
