/**
 * Model versions (Models page): per kind, every artifact side by side by its one id (what decisions carry as
 * model_version) with its stage, training window, rows and frauds, and validation metrics from training. An admin
 * promotes a challenger or an archived version, archives a challenger, or rolls a kind back to the champion
 * before, each after a confirmation; the answer is the new list.
 */
import { useState } from 'react';
import { api, errorMessage } from '../api.ts';
import { ChangeOutcome, ConfirmChange, formatTime } from './Status.tsx';
import type { ModelKind, ModelStage, ModelVersion, ModelVersions as Versions } from '../types.ts';

export const KIND_NAMES = {
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

const STAGE_NAMES: Record<ModelStage, string> = {
  champion: 'champion (in force)',
  challenger: 'challenger',
  archived: 'archived',
};

/** The stage the server gives, or, from a server without stages, the one `in_force` and `challengers` imply. */
export function stageOf(v: ModelVersion, models: Versions): ModelStage {
  if (v.stage !== undefined) return v.stage;
  if (v.in_force) return 'champion';
  return models.challengers?.[v.kind] === v.id ? 'challenger' : 'archived';
}

/** The training window (when the artifact says it: simulated history has none), rows and frauds. */
function trainedOn(t: NonNullable<ModelVersion['training']>): string {
  const window =
    t.from !== undefined && t.to !== undefined ? `${t.from.slice(0, 10)} to ${t.to.slice(0, 10)}: ` : '';
  const frauds = t.positives === undefined ? '' : `, ${t.positives.toLocaleString()} frauds`;
  return `${window}${t.rows.toLocaleString()} rows${frauds}`;
}

function formatMetric(key: string, value: number): string {
  const shown = Number.isInteger(value) ? value.toLocaleString() : value.toFixed(3);
  return `${METRIC_NAMES[key] ?? key} ${shown}`;
}

type Action =
  | { kind: ModelKind; what: 'promote'; id: string }
  | { kind: ModelKind; what: 'archive'; id: string }
  | { kind: ModelKind; what: 'rollback' };

export function ModelVersions({
  models,
  mayChange,
  onChanged,
}: {
  models: Versions;
  mayChange: boolean;
  /** The state after a change (the server's answer to it). */
  onChanged: (after: Versions) => void;
}) {
  const [pending, setPending] = useState<Action | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  // A server that sends stages has the promote and archive routes; an older one puts a version in force instead.
  const staged = models.versions.some((v) => v.stage !== undefined);

  const apply = async () => {
    if (pending === null) return;
    const action = pending;
    setPending(null);
    setFailure(null);
    setMessage(null);
    try {
      const after =
        action.what === 'rollback'
          ? await api<Versions>('/api/v1/models/rollback', { method: 'POST', body: { kind: action.kind } })
          : action.what === 'archive'
            ? await api<Versions>(`/api/v1/models/${encodeURIComponent(action.id)}/archive`, {
                method: 'POST',
                body: {},
              })
            : staged
              ? await api<Versions>(`/api/v1/models/${encodeURIComponent(action.id)}/promote`, {
                  method: 'POST',
                  body: {},
                })
              : await api<Versions>('/api/v1/models/active', {
                  method: 'PUT',
                  body: { kind: action.kind, version: action.id },
                });
      setMessage(
        action.what === 'archive'
          ? `${KIND_NAMES[action.kind]}: ${action.id} is archived.`
          : `${KIND_NAMES[action.kind]}: ${after.in_force[action.kind]} is in force for the next decision.`,
      );
      onChanged(after);
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  const question = (a: Action): string => {
    if (a.what === 'rollback')
      return `Roll ${KIND_NAMES[a.kind]} back to the champion before ${models.in_force[a.kind] ?? 'the one in force'}? Live decisions use it from the next one.`;
    if (a.what === 'archive')
      return `Archive the challenger ${a.id}? It stops scoring in the shadow; it can be promoted later.`;
    return `Promote ${a.id} to champion? Live decisions use it from the next one; ${models.in_force[a.kind] ?? 'the champion'} is archived.`;
  };

  if (models.versions.length === 0) return <p className="muted">This server runs without models.</p>;

  return (
    <div>
      {KINDS.map((kind) => {
        const versions = models.versions.filter((v) => v.kind === kind);
        // Newest first: the one a reader compares with the champion is beside it.
        const shown = [...versions].reverse();
        const champion = versions.find((v) => v.in_force);
        const mayRollBack = champion !== undefined && versions.some((v) => stageOf(v, models) === 'archived');
        return (
          <section key={kind} aria-labelledby={`models-${kind}`}>
            <div className="page-head">
              <h3 id={`models-${kind}`}>{KIND_NAMES[kind]}</h3>
              {mayChange && mayRollBack && (
                <button type="button" onClick={() => setPending({ kind, what: 'rollback' })}>
                  Roll back {KIND_NAMES[kind]}…
                </button>
              )}
            </div>
            <ul className="versions" aria-label={`${KIND_NAMES[kind]} versions, newest first`}>
              {shown.map((v) => (
                <VersionCard
                  key={v.id}
                  version={v}
                  stage={stageOf(v, models)}
                  mayChange={mayChange}
                  staged={staged}
                  onAction={(what) => setPending({ kind, what, id: v.id })}
                />
              ))}
            </ul>
          </section>
        );
      })}
      {pending !== null && (
        <ConfirmChange id="model-confirm" onConfirm={() => void apply()} onCancel={() => setPending(null)}>
          {question(pending)} This is audited.
        </ConfirmChange>
      )}
      <ChangeOutcome message={message} failure={failure} />
    </div>
  );
}

function VersionCard({
  version: v,
  stage,
  mayChange,
  staged,
  onAction,
}: {
  version: ModelVersion;
  stage: ModelStage;
  mayChange: boolean;
  staged: boolean;
  onAction: (what: 'promote' | 'archive') => void;
}) {
  const metrics = Object.entries(v.metrics);
  return (
    <li
      className={`version stage-${stage}`}
      aria-current={v.in_force ? 'true' : undefined}
      data-model-id={v.id}
    >
      <div className="version-head">
        <code>{v.id}</code>
        <span className={`badge stage-${stage}`}>{STAGE_NAMES[stage]}</span>
      </div>
      <dl className="facts">
        <div className="fact">
          <dt>Written</dt>
          <dd>{formatTime(v.created_at)}</dd>
        </div>
        <div className="fact">
          <dt>Trained on</dt>
          <dd>{v.training === null ? '—' : trainedOn(v.training)}</dd>
        </div>
        <div className="fact">
          <dt>Validation</dt>
          <dd className="model-metrics">
            {metrics.length === 0 ? '—' : metrics.map(([k, value]) => formatMetric(k, value)).join(' · ')}
          </dd>
        </div>
        {v.stage_changed_at && (
          <div className="fact">
            <dt>Stage since</dt>
            <dd>
              {formatTime(v.stage_changed_at)}
              {v.stage_changed_by ? ` by ${v.stage_changed_by}` : ''}
            </dd>
          </div>
        )}
      </dl>
      {mayChange && stage !== 'champion' && (
        <div className="toolbar">
          <button type="button" aria-label={`Promote ${v.id}…`} onClick={() => onAction('promote')}>
            {staged ? 'Promote…' : 'Put in force…'}
          </button>
          {staged && stage === 'challenger' && (
            <button type="button" aria-label={`Archive ${v.id}…`} onClick={() => onAction('archive')}>
              Archive…
            </button>
          )}
        </div>
      )}
    </li>
  );
}
