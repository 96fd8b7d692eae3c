/** The one rule both stores apply to a status change before writing anything (see StatusChange). */
import type { CaseStatus, StatusChange } from './types.ts';

export function statusChangeResult(
  current: CaseStatus,
  requested: CaseStatus,
  onlyFrom: readonly CaseStatus[] | undefined,
): StatusChange['result'] {
  if (current === requested) return 'unchanged';
  if (onlyFrom !== undefined && !onlyFrom.includes(current)) return 'refused';
  return 'changed';
}
