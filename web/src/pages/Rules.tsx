/**
 * Rules: the set in force, an editor that shows validation errors at the rule and field they name, a dry run
 * on the last N stored decisions, publish (admin), and version history with rollback (admin).
 */
import { useEffect, useMemo, useState } from 'react';
import { api, ApiError, errorMessage, type FieldError } from '../api.ts';
import { ErrorBox, formatTime, Loading } from '../components/Status.tsx';
import { can, useSession } from '../session.tsx';
import { OUTCOMES, type DryRun, type RuleDefinition, type RulesDocument } from '../types.ts';
import { usePolling } from '../usePolling.ts';

/** A rule as edited: `when` stays text until it parses. */
interface DraftRule extends Omit<RuleDefinition, 'when'> {
  whenText: string;
}

interface Draft {
  version: string;
  description: string;
  listsText: string;
  rules: DraftRule[];
}

interface Versions {
  current: string;
  versions: { version: string; published_at: string; published_by: string }[];
}

function toDraft(doc: RulesDocument): Draft {
  return {
    version: doc.version,
    description: doc.description ?? '',
    listsText: JSON.stringify(doc.lists ?? {}, null, 2),
    rules: doc.rules.map(({ when, ...rest }) => ({ ...rest, whenText: JSON.stringify(when, null, 2) })),
  };
}

/** The document to send, plus errors for fields whose JSON does not parse (reported at those fields). */
function fromDraft(draft: Draft): { doc: RulesDocument; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const parse = (text: string, path: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (e) {
      errors.push({ path, message: `is not valid JSON: ${(e as Error).message}` });
      return undefined;
    }
  };
  const lists = parse(draft.listsText, 'lists') as Record<string, string[]> | undefined;
  const rules = draft.rules.map((r, i) => {
    const { whenText, ...rest } = r;
    const out: RuleDefinition = { ...rest, when: parse(whenText, `rules[${i}].when`) };
    if (out.description === '') delete out.description;
    return out;
  });
  const doc: RulesDocument = { version: draft.version, rules };
  if (draft.description) doc.description = draft.description;
  if (lists !== undefined && Object.keys(lists).length > 0) doc.lists = lists;
  return { doc, errors };
}

/** Splits `rules[3].when.all[0].value` into rule 3, field `when`, rest `.all[0].value`. */
function locate(path: string): { rule: number | null; field: string; rest: string } {
  const m = /^(?:document\.)?rules\[(\d+)\](?:\.(\w+))?(.*)$/.exec(path);
  if (m === null)
    return { rule: null, field: path.replace(/^document\.?/, '').split(/[.[]/)[0] ?? '', rest: '' };
  return { rule: Number(m[1]), field: m[2] ?? '', rest: m[3] ?? '' };
}

function FieldErrors({ errors, id }: { errors: FieldError[]; id: string }) {
  if (errors.length === 0) return null;
  return (
    <ul className="field-errors" id={id} role="alert">
      {errors.map((e, i) => (
        <li key={i}>
          <code>{e.path}</code> {e.message}
        </li>
      ))}
    </ul>
  );
}

export function RulesPage() {
  const session = useSession();
  const mayEdit = can.editRules(session.role);
  const mayPublish = can.publishRules(session.role);
  const current = usePolling(() => api<{ version: string; document: RulesDocument }>('/api/v1/rules'), 0, []);
  const versions = usePolling(() => api<Versions>('/api/v1/rules/versions'), 0, []);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [dryRun, setDryRun] = useState<DryRun | null>(null);
  const [last, setLast] = useState(1000);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (current.data !== null && draft === null) setDraft(toDraft(current.data.document));
  }, [current.data, draft]);

  const byRule = useMemo(() => {
    const map = new Map<number | null, Map<string, FieldError[]>>();
    for (const e of errors) {
      const { rule, field } = locate(e.path);
      const fields = map.get(rule) ?? new Map<string, FieldError[]>();
      fields.set(field, [...(fields.get(field) ?? []), e]);
      map.set(rule, fields);
    }
    return map;
  }, [errors]);
  const at = (rule: number | null, field: string) => byRule.get(rule)?.get(field) ?? [];
  const documentErrors = [...(byRule.get(null)?.values() ?? [])].flat();

  const run = async (what: 'validate' | 'dry-run' | 'publish') => {
    if (draft === null) return;
    setMessage(null);
    setFailure(null);
    const { doc, errors: local } = fromDraft(draft);
    if (local.length > 0) {
      setErrors(local);
      setFailure(
        `${local.length} field(s) need fixing before the rules can be ${what === 'publish' ? 'published' : 'checked'}.`,
      );
      return;
    }
    setBusy(true);
    try {
      if (what === 'validate') {
        const r = await api<{ valid: boolean; errors: FieldError[] }>('/api/v1/rules/validate', {
          method: 'POST',
          body: doc,
        });
        setErrors(r.errors);
        if (r.valid) setMessage('The rules are valid.');
        else setFailure(`${r.errors.length} problem(s) found; each is shown at its rule and field.`);
      } else if (what === 'dry-run') {
        setDryRun(
          await api<DryRun>('/api/v1/rules/dry-run', { method: 'POST', body: { document: doc, last } }),
        );
        setErrors([]);
      } else {
        const r = await api<{ version: string; rules: number }>('/api/v1/rules', {
          method: 'PUT',
          body: doc,
        });
        setErrors([]);
        setMessage(`Published version ${r.version} (${r.rules} rules); the next decision uses it.`);
        await Promise.all([current.refresh(), versions.refresh()]);
      }
    } catch (e) {
      if (e instanceof ApiError && e.details.length > 0) {
        setErrors(e.details);
        setFailure(`${e.details.length} problem(s) found; each is shown at its rule and field.`);
      } else setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const rollback = async (version: string) => {
    if (!window.confirm(`Roll back to rules version ${version}? It applies to the next decision.`)) return;
    setMessage(null);
    setFailure(null);
    try {
      const r = await api<{ version: string }>('/api/v1/rules/rollback', {
        method: 'POST',
        body: { version },
      });
      setMessage(`Rolled back: version ${r.version} is in force.`);
      const fresh = await api<{ version: string; document: RulesDocument }>('/api/v1/rules');
      setDraft(toDraft(fresh.document));
      await Promise.all([current.refresh(), versions.refresh()]);
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  const update = (i: number, patch: Partial<DraftRule>) =>
    setDraft((d) =>
      d === null ? d : { ...d, rules: d.rules.map((r, j) => (j === i ? { ...r, ...patch } : r)) },
    );

  if (draft === null)
    return (
      <section>
        <h1>Rules</h1>
        <ErrorBox error={current.error} onRetry={() => void current.refresh()} />
        {current.error === null && <Loading what="the rules" />}
      </section>
    );

  return (
    <section aria-labelledby="rules-title">
      <div className="page-head">
        <h1 id="rules-title">Rules</h1>
        <span className="muted">In force: {current.data?.version}</span>
      </div>
      {!mayEdit && (
        <p className="muted">
          Your role ({session.role}) can read the rules and dry-run them, not change them.
        </p>
      )}
      {mayEdit && !mayPublish && (
        <p className="muted">You can edit, validate and dry-run a draft; publishing needs the admin role.</p>
      )}
      <div className="toolbar" role="toolbar" aria-label="Rule actions">
        {mayEdit && (
          <button type="button" disabled={busy} onClick={() => void run('validate')}>
            Validate
          </button>
        )}
        <label htmlFor="dry-run-last">Dry run on the last</label>
        <input
          id="dry-run-last"
          type="number"
          min={1}
          max={100000}
          value={last}
          onChange={(e) => setLast(Math.max(1, Number(e.target.value) || 1))}
        />
        <button type="button" disabled={busy} onClick={() => void run('dry-run')}>
          Dry run
        </button>
        <button
          type="button"
          className="primary"
          disabled={busy || !mayPublish}
          title={mayPublish ? undefined : 'Publishing needs the admin role'}
          onClick={() => void run('publish')}
        >
          Publish
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            setDraft(toDraft(current.data!.document));
            setErrors([]);
            setMessage(null);
            setFailure(null);
          }}
        >
          Discard changes
        </button>
      </div>
      {message && (
        <p role="status" className="notice">
          {message}
        </p>
      )}
      <ErrorBox error={failure} />
      <FieldErrors errors={documentErrors} id="document-errors" />
      {dryRun && <DryRunResult result={dryRun} />}
      <fieldset disabled={!mayEdit} className="rules-editor">
        <legend>Rule set</legend>
        <div className="row">
          <label htmlFor="doc-version">Version</label>
          <input
            id="doc-version"
            value={draft.version}
            aria-invalid={at(null, 'version').length > 0}
            onChange={(e) => setDraft({ ...draft, version: e.target.value })}
          />
          <label htmlFor="doc-description">Description</label>
          <input
            id="doc-description"
            value={draft.description}
            onChange={(e) => setDraft({ ...draft, description: e.target.value })}
          />
        </div>
        <label htmlFor="doc-lists">Lists (JSON: name → values)</label>
        <textarea
          id="doc-lists"
          rows={3}
          value={draft.listsText}
          onChange={(e) => setDraft({ ...draft, listsText: e.target.value })}
        />
        <ol className="rule-cards">
          {draft.rules.map((rule, i) => {
            const ruleErrors = at(i, '');
            const fid = (f: string) => `rule-${i}-${f}`;
            const errs = (f: string) => at(i, f);
            const invalid = byRule.has(i);
            return (
              <li
                key={i}
                className={`rule-card${invalid ? ' invalid' : ''}`}
                aria-label={`Rule ${rule.id || i + 1}`}
              >
                <div className="row">
                  <label htmlFor={fid('id')}>Id</label>
                  <input
                    id={fid('id')}
                    value={rule.id}
                    aria-invalid={errs('id').length > 0}
                    aria-describedby={`${fid('id')}-errors`}
                    onChange={(e) => update(i, { id: e.target.value })}
                  />
                  <label htmlFor={fid('version')}>Version</label>
                  <input
                    id={fid('version')}
                    type="number"
                    min={1}
                    value={rule.version}
                    aria-invalid={errs('version').length > 0}
                    onChange={(e) => update(i, { version: Number(e.target.value) })}
                  />
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={rule.enabled !== false}
                      onChange={(e) => update(i, { enabled: e.target.checked })}
                    />{' '}
                    enabled
                  </label>
                  <button
                    type="button"
                    className="link"
                    onClick={() => setDraft({ ...draft, rules: draft.rules.filter((_, j) => j !== i) })}
                  >
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
                  onChange={(e) => update(i, { description: e.target.value })}
                />
                <FieldErrors errors={errs('description')} id={`${fid('description')}-errors`} />
                <div className="row">
                  <label htmlFor={fid('action')}>Action</label>
                  <select
                    id={fid('action')}
                    value={rule.outcome === undefined ? 'score' : 'outcome'}
                    onChange={(e) =>
                      e.target.value === 'score'
                        ? update(i, { outcome: undefined, score: rule.score ?? 0.5 })
                        : update(i, { score: undefined, outcome: rule.outcome ?? 'review' })
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
                          update(i, { score: e.target.value === '' ? undefined : Number(e.target.value) })
                        }
                      />
                    </>
                  ) : (
                    <>
                      <label htmlFor={fid('outcome')}>Outcome</label>
                      <select
                        id={fid('outcome')}
                        value={rule.outcome}
                        onChange={(e) => update(i, { outcome: e.target.value as RuleDefinition['outcome'] })}
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
                <label htmlFor={fid('reason')}>Reason (shown on decisions)</label>
                <input
                  id={fid('reason')}
                  value={rule.reason}
                  aria-invalid={errs('reason').length > 0}
                  aria-describedby={`${fid('reason')}-errors`}
                  onChange={(e) => update(i, { reason: e.target.value })}
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
                  onChange={(e) => update(i, { whenText: e.target.value })}
                />
                <FieldErrors errors={errs('when')} id={`${fid('when')}-errors`} />
                {[...(byRule.get(i)?.entries() ?? [])]
                  .filter(
                    ([f]) =>
                      !['', 'id', 'version', 'description', 'score', 'outcome', 'reason', 'when'].includes(f),
                  )
                  .map(([f, list]) => (
                    <FieldErrors key={f} errors={list} id={`${fid(f)}-errors`} />
                  ))}
              </li>
            );
          })}
        </ol>
        <button
          type="button"
          onClick={() =>
            setDraft({
              ...draft,
              rules: [
                ...draft.rules,
                {
                  id: '',
                  version: 1,
                  reason: '',
                  score: 0.5,
                  whenText: '{ "field": "amount", "op": ">", "value": 1000 }',
                },
              ],
            })
          }
        >
          Add rule
        </button>
      </fieldset>
      <h2>Versions</h2>
      <ErrorBox error={versions.error} onRetry={() => void versions.refresh()} />
      <table className="compact" aria-label="Published rule versions">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Published</th>
            <th scope="col">By</th>
            <th scope="col">
              <span className="sr-only">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {versions.data?.versions.map((v, i) => (
            <tr key={`${v.version}-${i}`}>
              <td>{v.version}</td>
              <td>{formatTime(v.published_at)}</td>
              <td>{v.published_by}</td>
              <td>
                {v.version !== versions.data?.current ? (
                  <button
                    type="button"
                    className="small"
                    disabled={!mayPublish}
                    onClick={() => void rollback(v.version)}
                  >
                    Roll back to this
                  </button>
                ) : i === 0 ? (
                  <span className="badge">in force</span>
                ) : (
                  <span className="muted">same as in force</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function DryRunResult({ result }: { result: DryRun }) {
  return (
    <section className="panel" aria-labelledby="dry-run-title" data-testid="dry-run">
      <h2 id="dry-run-title">Dry run of {result.version}</h2>
      <p>
        On the last {result.evaluated.toLocaleString()} decisions
        {result.skipped > 0 && ` (${result.skipped} older ones without stored features left out)`}: rules fire
        on <strong>{result.fired.toLocaleString()}</strong>, of which {result.fired_confirmed_fraud} confirmed
        fraud (of {result.confirmed_fraud}) and {result.fired_legitimate} legitimate (of {result.legitimate}).{' '}
        <strong>{result.changed.toLocaleString()}</strong> outcome(s) would change.
      </p>
      <table className="compact">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Would fire</th>
            <th scope="col">Confirmed fraud</th>
            <th scope="col">Legitimate</th>
          </tr>
        </thead>
        <tbody>
          {result.rules.map((r) => (
            <tr key={r.rule}>
              <td>{r.rule}</td>
              <td>{r.fired}</td>
              <td>{r.confirmed_fraud}</td>
              <td>{r.legitimate}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
