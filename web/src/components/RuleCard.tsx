/** One rule in the editor: its fields, each with the validation errors that name it. */
import type { FieldError } from '../api.ts';
import type { DraftRule } from '../rules-draft.ts';
import { OUTCOMES, type RuleDefinition } from '../types.ts';
import { FieldErrors } from './FieldErrors.tsx';

/** Fields with a place of their own in the card; errors on any other field are listed at the end. */
const PLACED = ['', 'id', 'version', 'description', 'score', 'outcome', 'at_least', 'reason', 'when'];

export function RuleCard({
  rule,
  index: i,
  errors,
  onChange,
  onRemove,
}: {
  rule: DraftRule;
  index: number;
  errors: Map<string, FieldError[]> | undefined;
  onChange: (patch: Partial<DraftRule>) => void;
  onRemove: () => void;
}) {
  const fid = (f: string) => `rule-${i}-${f}`;
  const errs = (f: string) => errors?.get(f) ?? [];
  const ruleErrors = errs('');
  const invalid = errors !== undefined;
  return (
    <li className={`rule-card${invalid ? ' invalid' : ''}`} aria-label={`Rule ${rule.id || i + 1}`}>
      <div className="row">
        <label htmlFor={fid('id')}>Id</label>
        <input
          id={fid('id')}
          value={rule.id}
          aria-invalid={errs('id').length > 0}
          aria-describedby={`${fid('id')}-errors`}
          onChange={(e) => onChange({ id: e.target.value })}
        />
        <label htmlFor={fid('version')}>Version</label>
        <input
          id={fid('version')}
          type="number"
          min={1}
          value={rule.version}
          aria-invalid={errs('version').length > 0}
          onChange={(e) => onChange({ version: Number(e.target.value) })}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={rule.enabled !== false}
            onChange={(e) => onChange({ enabled: e.target.checked })}
          />{' '}
          enabled
        </label>
        <button type="button" className="link" onClick={onRemove}>
          Remove
        </button>
      </div>
      <FieldErrors errors={ruleErrors} id={`${fid('rule')}-errors`} />
      <FieldErrors errors={errs('id')} id={`${fid('id')}-errors`} />
      <FieldErrors errors={errs('version')} id={`${fid('version')}-errors`} />
      <label htmlFor={fid('description')}>Description</label>
      <input
        id={fid('description')}
        value={rule.description ?? ''}
        onChange={(e) => onChange({ description: e.target.value })}
      />
      <FieldErrors errors={errs('description')} id={`${fid('description')}-errors`} />
      <div className="row">
        <label htmlFor={fid('action')}>Action</label>
        <select
          id={fid('action')}
          value={rule.outcome === undefined ? 'score' : 'outcome'}
          onChange={(e) =>
            e.target.value === 'score'
              ? onChange({ outcome: undefined, score: rule.score ?? 0.5 })
              : onChange({ score: undefined, at_least: undefined, outcome: rule.outcome ?? 'review' })
          }
        >
          <option value="score">add to the score</option>
          <option value="outcome">force an outcome</option>
        </select>
        {rule.outcome === undefined ? (
          <>
            <label htmlFor={fid('score')}>Weight</label>
            <input
              id={fid('score')}
              type="number"
              step="0.01"
              value={rule.score ?? ''}
              aria-invalid={errs('score').length > 0}
              aria-describedby={`${fid('score')}-errors`}
              onChange={(e) =>
                onChange({ score: e.target.value === '' ? undefined : Number(e.target.value) })
              }
            />
            <label htmlFor={fid('at_least')}>At least</label>
            <select
              id={fid('at_least')}
              value={rule.at_least ?? ''}
              onChange={(e) =>
                onChange({
                  at_least:
                    e.target.value === '' ? undefined : (e.target.value as RuleDefinition['at_least']),
                })
              }
            >
              <option value="">(the score decides)</option>
              {OUTCOMES.filter((o) => o !== 'approve').map((o) => (
                <option key={o} value={o}>
                  {o.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
          </>
        ) : (
          <>
            <label htmlFor={fid('outcome')}>Outcome</label>
            <select
              id={fid('outcome')}
              value={rule.outcome}
              onChange={(e) => onChange({ outcome: e.target.value as RuleDefinition['outcome'] })}
            >
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {o.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
          </>
        )}
      </div>
      <FieldErrors errors={errs('score')} id={`${fid('score')}-errors`} />
      <FieldErrors errors={errs('outcome')} id={`${fid('outcome')}-errors`} />
      <FieldErrors errors={errs('at_least')} id={`${fid('at_least')}-errors`} />
      <label htmlFor={fid('reason')}>Reason (shown on decisions)</label>
      <input
        id={fid('reason')}
        value={rule.reason}
        aria-invalid={errs('reason').length > 0}
        aria-describedby={`${fid('reason')}-errors`}
        onChange={(e) => onChange({ reason: e.target.value })}
      />
      <FieldErrors errors={errs('reason')} id={`${fid('reason')}-errors`} />
      <label htmlFor={fid('when')}>When (condition, JSON)</label>
      <textarea
        id={fid('when')}
        rows={Math.min(12, rule.whenText.split('\n').length)}
        spellCheck={false}
        value={rule.whenText}
        aria-invalid={errs('when').length > 0}
        aria-describedby={`${fid('when')}-errors`}
        onChange={(e) => onChange({ whenText: e.target.value })}
      />
      <FieldErrors errors={errs('when')} id={`${fid('when')}-errors`} />
      {[...(errors?.entries() ?? [])]
        .filter(([f]) => !PLACED.includes(f))
        .map(([f, list]) => (
          <FieldErrors key={f} errors={list} id={`${fid(f)}-errors`} />
        ))}
    </li>
  );
}
