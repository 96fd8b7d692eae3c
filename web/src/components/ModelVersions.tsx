/**
 * Model versions (settings page): each artifact by its one id (what decisions carry as model_version) with its
 * training validation metrics and its stage (champion in force, challenger in the shadow, archived); an admin
 * promotes another to champion or rolls back to the champion before.
 */
import { useState } from 'react';
import { api, errorMessage } from '../api.ts';
import { ChangeOutcome, ConfirmChange, ErrorBox, formatTime, Loading } from './Status.tsx';
import type { ModelKind, ModelVersions as Versions } from '../types.ts';
import { usePolling } from '../usePolling.ts';

const KIND_NAMES = {
  gbdt: 'Gradient-boosted trees',
  iforest: 'Isolation forest',
} as const satisfies Record<ModelKind, string>;
const KINDS = Object.keys(KIND_NAMES) as ModelKind[];

/** The validation metrics training writes, by their short names; others are shown under their own name. */
const METRIC_NAMES: Record<string, string> = {
  validation_auc: 'AUC',
  validation_average_precision: 'AP',
  validation_logloss: 'log loss',
  validation_rows: 'rows',
  labelled_auc: 'AUC',
  labelled_average_precision: 'AP',
  labelled_rows: 'rows',
};

function formatMetrics(metrics: Record<string, number>): string {
  const parts = Object.entries(metrics).map(([key, value]) => {
    const shown = Number.isInteger(value) ? value.toLocaleString() : value.toFixed(3);
    return `${METRIC_NAMES[key] ?? key} ${shown}`;
  });
  return parts.length > 0 ? parts.join(' · ') : '—';
}

export function ModelVersions({ mayChange }: { mayChange: boolean }) {
  const models = usePolling(() => api<Versions>('/api/v1/models'), 0, []);
  const [pending, setPending] = useState<{ kind: ModelKind; id: string | null } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const apply = async () => {
    if (pending === null) return;
    const { kind, id } = pending;
    setPending(null);
    setFailure(null);
    try {
      const after =
        id === null
          ? await api<Versions>('/api/v1/models/rollback', { method: 'POST', body: { kind } })
          : await api<Versions>('/api/v1/models/active', { method: 'PUT', body: { kind, version: id } });
      setMessage(`${KIND_NAMES[kind]}: ${after.in_force[kind]} is in force for the next decision.`);
      models.setData(after); // the answer is the new state
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  if (models.data === null)
    return (
      <>
        <ErrorBox error={models.error} onRetry={() => void models.refresh()} />
        {models.error === null && <Loading what="the model versions" />}
      </>
    );
  if (models.data.versions.length === 0) return <p className="muted">This server runs without models.</p>;

  return (
    <div className="panel">
      {KINDS.map((kind) => {
        const versions = models.data!.versions.filter((v) => v.kind === kind);
        const hasPrevious = versions.some((v) => v.stage === 'archived');
        return (
          <section key={kind} aria-labelledby={`models-${kind}`}>
            <h3 id={`models-${kind}`}>{KIND_NAMES[kind]}</h3>
            <table>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Written</th>
                  <th scope="col">Trained on</th>
                  <th scope="col">Metrics from training</th>
                  <th scope="col">Stage</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.id} aria-current={v.in_force ? 'true' : undefined}>
                    <td>
                      <code>{v.id}</code>
                    </td>
                    <td>{formatTime(v.created_at)}</td>
                    <td>{v.training === null ? '—' : `${v.training.rows.toLocaleString()} rows`}</td>
                    <td className="model-metrics">{formatMetrics(v.metrics)}</td>
                    <td>
                      {v.in_force ? (
                        <strong>champion, in force</strong>
                      ) : (
                        <>
                          {v.stage === 'challenger' ? 'challenger (in the shadow) ' : `${v.stage} `}
                          {mayChange && (
                            <button type="button" onClick={() => setPending({ kind, id: v.id })}>
                              Promote…
                            </button>
                          )}
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {mayChange && hasPrevious && (
              <button type="button" onClick={() => setPending({ kind, id: null })}>
                Roll back to the champion before…
              </button>
            )}
          </section>
        );
      })}
      {pending !== null && (
        <ConfirmChange id="model-confirm" onConfirm={() => void apply()} onCancel={() => setPending(null)}>
          {pending.id === null
            ? `Roll ${KIND_NAMES[pending.kind]} back to the champion before the one in force?`
            : `Make ${pending.id} the champion (the current one is archived)?`}{' '}
          Live decisions use it from the next one; this is audited.
        </ConfirmChange>
      )}
      <ChangeOutcome message={message} failure={failure} />
    </div>
  );
}
