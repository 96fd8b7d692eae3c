/**
 * Training runs, newest first (GET /api/v1/models/training): what started each, what it saw and produced. An
 * admin starts one ("Train now"); its models become challengers. Hidden, with a note, on a server without runs.
 */
import { useState } from 'react';
import { api, ApiError, errorMessage } from '../api.ts';
import { ChangeOutcome, ConfirmChange, ErrorBox, formatTime, Loading } from './Status.tsx';
import type { TrainingRun } from '../types.ts';
import { usePolling } from '../usePolling.ts';

/** `runs` is null when the server has no training runs (it answered 404: an older server). */
interface Loaded {
  runs: TrainingRun[] | null;
}

const days = (ms: number) => `${Math.round((ms / 86_400_000) * 10) / 10} d`;

export function TrainingRuns({ mayTrain, onStarted }: { mayTrain: boolean; onStarted?: () => void }) {
  const [running, setRunning] = useState(false);
  const loaded = usePolling<Loaded>(
    async () => {
      try {
        const { runs } = await api<{ runs: TrainingRun[] }>('/api/v1/models/training');
        setRunning(runs.some((r) => r.status === 'running'));
        return { runs };
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return { runs: null };
        throw e;
      }
    },
    // While a run goes, its end is worth seeing soon.
    running ? 3000 : 30_000,
    [running],
  );
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const train = async () => {
    setConfirming(false);
    setFailure(null);
    setMessage(null);
    try {
      const { run } = await api<{ run: TrainingRun }>('/api/v1/models/train', { method: 'POST', body: {} });
      setMessage(`Training run ${run.id} started; its models become challengers when it is done.`);
      setRunning(true);
      await loaded.refresh();
      onStarted?.();
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  if (loaded.data === null)
    return (
      <>
        <ErrorBox error={loaded.error} onRetry={() => void loaded.refresh()} />
        {loaded.error === null && <Loading what="the training runs" />}
      </>
    );
  const runs = loaded.data.runs;
  if (runs === null)
    return (
      <p className="muted" data-testid="training-unavailable">
        This server keeps no training runs (it has no scheduled or on-demand training): train with{' '}
        <code>fraudwatch train</code> and put the artifact in its models directory.
      </p>
    );

  return (
    <>
      {mayTrain && (
        <div className="toolbar">
          <button
            type="button"
            disabled={running || confirming}
            onClick={() => setConfirming(true)}
            title={running ? 'A training run is going' : undefined}
          >
            Train now…
          </button>
          {running && <span className="muted">A training run is going.</span>}
        </div>
      )}
      {confirming && (
        <ConfirmChange
          id="train-confirm"
          onConfirm={() => void train()}
          onCancel={() => setConfirming(false)}
        >
          Train an isolation forest and a GBDT now on the stored decisions with known labels? They become
          challengers (nothing changes for live decisions until one is promoted). This is audited.
        </ConfirmChange>
      )}
      <ChangeOutcome message={message} failure={failure} />
      {runs.length === 0 ? (
        <p className="muted">No training runs yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="compact training-runs">
            <caption>Training runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Trigger</th>
                <th scope="col">Status</th>
                <th scope="col">Window</th>
                <th scope="col">Decisions</th>
                <th scope="col">Labels: fraud / legit / assumed legit</th>
                <th scope="col">Produced</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} data-run-id={r.id}>
                  <td>
                    {formatTime(r.started_at)}
                    {r.actor ? ` (${r.actor})` : ''}
                  </td>
                  <td>{r.trigger}</td>
                  <td>
                    <span className={`badge run-${r.status}`}>{r.status}</span>
                  </td>
                  <td>
                    {days(r.window_ms)}
                    {r.cutoff ? ` to ${formatTime(r.cutoff)}` : ''}
                  </td>
                  <td className="num">{r.decisions.toLocaleString()}</td>
                  <td className="num">
                    {r.labels.fraud.toLocaleString()} / {r.labels.legit.toLocaleString()} /{' '}
                    {r.labels.assumed_legit.toLocaleString()}
                  </td>
                  <td>
                    {r.produced.length === 0
                      ? '—'
                      : r.produced.map((id) => (
                          <code key={id} className="produced">
                            {id}
                          </code>
                        ))}
                  </td>
                  <td>{r.message ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
