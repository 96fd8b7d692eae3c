/**
 * The newest model changes from the audit trail: each model action is asked for separately (the API filters by
 * one action) and the answers merged, newest first.
 */
import { useEffect, useState } from 'react';
import { api, errorMessage } from '../api.ts';
import { ErrorBox, formatTime } from './Status.tsx';
import type { AuditEntry } from '../types.ts';

/** What the registry, the API and the retrain policy audit (docs/models.md). */
export const MODEL_ACTIONS = [
  'model_promote',
  'model_archive',
  'model_rollback',
  'model_activate',
  'model_registered',
  'model_auto_promote',
] as const;

const ACTION_NAMES: Record<string, string> = {
  model_promote: 'promoted',
  model_archive: 'archived',
  model_rollback: 'rolled back',
  model_activate: 'put in force',
  model_registered: 'registered',
  model_auto_promote: 'promoted automatically',
};

export function ModelAudit({ limit, version }: { limit: number; version: number }) {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    Promise.all(
      MODEL_ACTIONS.map((action) =>
        api<{ items: AuditEntry[] }>(`/api/v1/audit?action=${action}&limit=${limit}`).then((p) => p.items),
      ),
    )
      .then((pages) => {
        if (!current) return;
        setEntries(
          pages
            .flat()
            .sort((a, b) => b.id - a.id)
            .slice(0, limit),
        );
        setError(null);
      })
      .catch((e: unknown) => current && setError(errorMessage(e)));
    return () => {
      current = false;
    };
  }, [limit, version]);

  return (
    <>
      <ErrorBox error={error} />
      {entries?.length === 0 && <p className="muted">No model changes yet.</p>}
      <ol className="timeline" aria-label="Model changes, newest first">
        {entries?.map((a) => (
          <li key={a.id}>
            <time dateTime={String(a.at)}>{formatTime(a.at)}</time> <strong>{a.actor}</strong>{' '}
            {ACTION_NAMES[a.action] ?? a.action}: <code>{a.old_value ?? '—'}</code> →{' '}
            <code>{a.new_value ?? '—'}</code>
          </li>
        ))}
      </ol>
    </>
  );
}
