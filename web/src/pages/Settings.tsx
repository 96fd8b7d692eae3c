/** Decision settings (admin): thresholds and bypass mode, applied live after a confirmation, with their audit trail. */
import { useEffect, useState, type FormEvent } from 'react';
import { api, errorMessage, type FieldError } from '../api.ts';
import { AuditPages } from '../components/AuditPages.tsx';
import { ChangeOutcome, ConfirmChange, ErrorBox, formatTime, Loading } from '../components/Status.tsx';
import { hrefFor } from '../router.ts';
import { can, useSession } from '../session.tsx';
import type { DecisionSettings } from '../types.ts';
import { usePolling } from '../usePolling.ts';

const AUDIT_PAGE = 20;

const THRESHOLDS = [
  { key: 'review', label: 'Review at score ≥' },
  { key: 'block_and_review', label: 'Block and review at score ≥' },
  { key: 'decline', label: 'Decline at score ≥' },
] as const;

export function SettingsPage() {
  const session = useSession();
  const mayChange = can.changeSettings(session.role);
  const settings = usePolling(() => api<DecisionSettings>('/api/v1/settings/decision'), 0, []);
  const [auditVersion, setAuditVersion] = useState(0);
  const [draft, setDraft] = useState<DecisionSettings | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    if (settings.data !== null && draft === null) setDraft(settings.data);
  }, [settings.data, draft]);

  if (draft === null)
    return (
      <section>
        <h1>Settings</h1>
        <ErrorBox error={settings.error} onRetry={() => void settings.refresh()} />
        {settings.error === null && <Loading what="the settings" />}
      </section>
    );

  const problem = (path: string) => errors.filter((e) => e.path === path || e.path.startsWith(`${path}.`));

  const review = (event: FormEvent) => {
    event.preventDefault();
    setMessage(null);
    setFailure(null);
    const t = draft.thresholds;
    if (!(t.review <= t.block_and_review && t.block_and_review <= t.decline)) {
      setErrors([{ path: 'thresholds', message: 'must satisfy review ≤ block and review ≤ decline' }]);
      return;
    }
    setErrors([]);
    setConfirming(true);
  };

  const apply = async () => {
    setConfirming(false);
    try {
      const saved = await api<DecisionSettings>('/api/v1/settings/decision', { method: 'PUT', body: draft });
      setDraft(saved);
      setMessage('Saved; the next decision uses these settings.');
      await settings.refresh();
      setAuditVersion((v) => v + 1);
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Decision settings</h1>
      {!mayChange && (
        <p className="muted">Only an admin can change these; your role ({session.role}) can read them.</p>
      )}
      <form onSubmit={review} className="panel settings">
        <fieldset disabled={!mayChange}>
          <legend>Thresholds</legend>
          {THRESHOLDS.map((t) => (
            <div className="row" key={t.key}>
              <label htmlFor={`threshold-${t.key}`}>{t.label}</label>
              <input
                id={`threshold-${t.key}`}
                type="number"
                min={0}
                max={1}
                step={0.01}
                required
                value={draft.thresholds[t.key]}
                aria-invalid={problem('thresholds').length > 0}
                onChange={(e) =>
                  setDraft({ ...draft, thresholds: { ...draft.thresholds, [t.key]: Number(e.target.value) } })
                }
              />
            </div>
          ))}
          {problem('thresholds').map((e, i) => (
            <p key={i} role="alert" className="field-errors">
              Thresholds {e.message}
            </p>
          ))}
        </fieldset>
        <fieldset disabled={!mayChange}>
          <legend>Bypass mode</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.bypass}
              onChange={(e) => setDraft({ ...draft, bypass: e.target.checked })}
            />{' '}
            Approve every transaction without scoring (use when the detector itself is the problem)
          </label>
          <div className="row">
            <label htmlFor="bypass-score">Score given while bypassed</label>
            <input
              id="bypass-score"
              type="number"
              min={0}
              max={1}
              step={0.01}
              value={draft.bypass_score}
              onChange={(e) => setDraft({ ...draft, bypass_score: Number(e.target.value) })}
            />
          </div>
        </fieldset>
        {mayChange && !confirming && <button type="submit">Save…</button>}
        {confirming && (
          <ConfirmChange
            id="confirm-text"
            onConfirm={() => void apply()}
            onCancel={() => setConfirming(false)}
          >
            Apply to live decisions now? Review ≥ {draft.thresholds.review}, block ≥{' '}
            {draft.thresholds.block_and_review}, decline ≥ {draft.thresholds.decline}; bypass{' '}
            {draft.bypass ? 'ON' : 'off'}. This is audited.
          </ConfirmChange>
        )}
      </form>
      <ChangeOutcome message={message} failure={failure} />
      <h2>Models</h2>
      <p>
        Model versions, their stages, live figures, drift and training are on the{' '}
        <a href={hrefFor({ page: 'models' })}>Models page</a>.
      </p>
      <h2>Audit trail</h2>
      <p className="muted">Newest first, {AUDIT_PAGE} a page.</p>
      <AuditPages
        query="action=settings_change"
        pageSize={AUDIT_PAGE}
        version={auditVersion}
        empty="No settings changes yet."
        label="Settings changes, newest first"
        render={(a) => (
          <>
            <time dateTime={String(a.at)}>{formatTime(a.at)}</time> <strong>{a.actor}</strong>:{' '}
            <code>{a.old_value}</code> → <code>{a.new_value}</code>
          </>
        )}
      />
    </section>
  );
}
