/**
 * Models: the versions of each kind side by side with their stages, how the champion and the challenger set do
 * on labelled live traffic, drift against the training data, training runs, and the trail of model changes.
 * Admins promote, archive, roll back and train, after a confirmation; every other role reads.
 */
import { useState } from 'react';
import { api } from '../api.ts';
import { DriftPanel } from '../components/DriftPanel.tsx';
import { LiveMetrics } from '../components/LiveMetrics.tsx';
import { ModelAudit } from '../components/ModelAudit.tsx';
import { KIND_NAMES, ModelVersions } from '../components/ModelVersions.tsx';
import { ErrorBox, Loading, percent } from '../components/Status.tsx';
import { TrainingRuns } from '../components/TrainingRuns.tsx';
import { can, useSession } from '../session.tsx';
import type { ModelKind, ModelVersions as Versions } from '../types.ts';
import { usePolling } from '../usePolling.ts';

const AUDIT_ENTRIES = 20;

export function ModelsPage() {
  const session = useSession();
  const mayChange = can.manageModels(session.role);
  const models = usePolling(() => api<Versions>('/api/v1/models'), 15_000, []);
  const [auditVersion, setAuditVersion] = useState(0);

  const changed = (after: Versions) => {
    models.setData(after);
    setAuditVersion((v) => v + 1);
  };

  return (
    <section aria-labelledby="models-title">
      <h1 id="models-title">Models</h1>
      {!mayChange && (
        <p className="muted">
          Only an admin can promote, archive, roll back or train; your role ({session.role}) reads.
        </p>
      )}
      {models.data === null ? (
        <>
          <ErrorBox error={models.error} onRetry={() => void models.refresh()} />
          {models.error === null && <Loading what="the model versions" />}
        </>
      ) : (
        <>
          <ErrorBox error={models.error} onRetry={() => void models.refresh()} />
          <Summary models={models.data} />
          <h2>Versions</h2>
          <ModelVersions models={models.data} mayChange={mayChange} onChanged={changed} />
          <h2>Live comparison</h2>
          <LiveMetrics live={models.data.live} />
        </>
      )}
      <h2>Drift</h2>
      <DriftPanel />
      <h2>Training runs</h2>
      <TrainingRuns mayTrain={mayChange} onStarted={() => setAuditVersion((v) => v + 1)} />
      <h2>Model changes</h2>
      <p className="muted">From the audit trail, newest first, the latest {AUDIT_ENTRIES}.</p>
      <ModelAudit limit={AUDIT_ENTRIES} version={auditVersion} />
    </section>
  );
}

function Summary({ models }: { models: Versions }) {
  const kinds = Object.keys(KIND_NAMES) as ModelKind[];
  return (
    <dl className="facts panel" aria-label="Models in force">
      {kinds.map((kind) => (
        <div className="fact" key={kind}>
          <dt>{KIND_NAMES[kind]}</dt>
          <dd>
            champion <code>{models.in_force[kind] ?? 'none'}</code>
            {models.challengers?.[kind] !== undefined && (
              <>
                , challenger <code>{models.challengers[kind]}</code>
              </>
            )}
          </dd>
        </div>
      ))}
      {models.challenger_traffic !== undefined && (
        <div className="fact">
          <dt>Challenger traffic</dt>
          <dd>
            {models.challenger_traffic > 0
              ? `${percent(models.challenger_traffic)} of decisions are decided by the challenger set`
              : 'none: the challenger set scores in the shadow only'}
          </dd>
        </div>
      )}
      {models.auto_promote !== undefined && (
        <div className="fact">
          <dt>Automatic promotion</dt>
          <dd>{models.auto_promote ? 'on' : 'off'}</dd>
        </div>
      )}
    </dl>
  );
}
