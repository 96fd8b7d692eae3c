/** A decision's reasons in words, for the queue and the detail page. */
import { describeFeature } from '../../src/engine/features/feature-labels.ts';
import type { Reason } from './types.ts';

/** The rule's own reason, or the model reason's text (built here for decisions stored before it had one). */
export function reasonText(r: Reason): string {
  return r.kind === 'rule' ? r.reason : (r.text ?? describeFeature(r.feature, r.value));
}
