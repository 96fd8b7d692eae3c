/**
 * Rules: the set in force, an editor that shows validation errors at the rule and field they name, a dry run
 * on the last N stored decisions, publish (admin), and version history with rollback (admin).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, errorMessage, type FieldError } from '../api.ts';
import { DryRunResult } from '../components/DryRunResult.tsx';
import { FieldErrors } from '../components/FieldErrors.tsx';
import { RuleCard } from '../components/RuleCard.tsx';
import { RuleSnoozes } from '../components/RuleSnoozes.tsx';
import { ChangeOutcome, ErrorBox, formatTime, Loading } from '../components/Status.tsx';
import { errorsByRule, fromDraft, toDraft, type Draft, type DraftRule } from '../rules-draft.ts';
import { can, useSession } from '../session.tsx';
import type { DryRun, RulesDocument } from '../types.ts';
import { usePolling } from '../usePolling.ts';

interface Versions {
  current: string;
  versions: { version: string; published_at: string; published_by: string }[];
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
  const page = useRef<HTMLElement>(null);
  /** Set when new errors arrive from a check: the reader is taken to the first one once they are drawn. */
  const [jump, setJump] = useState(0);

  /** Errors of a check replace any dry-run result, which described another draft, and take the reader to them. */
  const showErrors = (found: FieldError[]) => {
    setErrors(found);
    if (found.length > 0) {
      setDryRun(null);
      setJump((n) => n + 1);
    }
  };

  useEffect(() => {
    if (jump === 0 || page.current === null) return;
    // The first field marked invalid, else the first error list (a rule-level or document-level error).
    const first =
      page.current.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      page.current.querySelector<HTMLElement>('.field-errors');
    if (first === null) return;
    if (!first.matches('input, select, textarea, button')) first.tabIndex = -1;
    first.scrollIntoView({ block: 'center' });
    first.focus({ preventScroll: true });
  }, [jump]);

  useEffect(() => {
    if (current.data !== null && draft === null) setDraft(toDraft(current.data.document));
  }, [current.data, draft]);

  const byRule = useMemo(() => errorsByRule(errors), [errors]);
  const at = (rule: number | null, field: string) => byRule.get(rule)?.get(field) ?? [];
  const documentErrors = [...(byRule.get(null)?.values() ?? [])].flat();

  const run = async (what: 'validate' | 'dry-run' | 'publish') => {
    if (draft === null) return;
    setMessage(null);
    setFailure(null);
    const { doc, errors: local } = fromDraft(draft);
    if (local.length > 0) {
      showErrors(local);
      setFailure(
        `${local.length} field(s) need fixing before the rules can be ${what === 'publish' ? 'published' : 'checked'}.`,
      );
      return;
    }
    setBusy(true);
    try {
      if (what === 'validate') {
        setDryRun(null); // it described the draft as it was when it ran
        const r = await api<{ valid: boolean; errors: FieldError[] }>('/api/v1/rules/validate', {
          method: 'POST',
          body: doc,
        });
        showErrors(r.errors);
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
        showErrors(e.details);
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
    <section aria-labelledby="rules-title" ref={page}>
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
          max={10000}
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
      <ChangeOutcome message={message} failure={failure} />
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
          {draft.rules.map((rule, i) => (
            <RuleCard
              key={i}
              rule={rule}
              index={i}
              errors={byRule.get(i)}
              onChange={(patch) => update(i, patch)}
              onRemove={() => setDraft({ ...draft, rules: draft.rules.filter((_, j) => j !== i) })}
            />
          ))}
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
      <RuleSnoozes ruleIds={current.data?.document.rules.map((r) => r.id) ?? []} />
    </section>
  );
}
