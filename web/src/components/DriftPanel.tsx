/**
 * Drift of this server's traffic against its models' training data (GET /api/v1/models/drift): each model's
 * score PSI over the window, a bar per input, and the score PSI per hour over time.
 */
import { useMemo } from 'react';
import { api } from '../api.ts';
import { PSI_LOOK, PSI_SCALE_END, PSI_SHIFTED, PsiBars, psiWords } from './PsiBars.tsx';
import { ErrorBox, Loading } from './Status.tsx';
import { TimeChart } from './TimeChart.tsx';
import type { ModelDrift } from '../types.ts';
import { usePolling } from '../usePolling.ts';

const COLORS = ['#0b57d0', '#b26a00', '#c2185b', '#2e7d32'];

/** The history's slot, a 24th of the window: an hour of the default day. */
const slotName = (windowMs: number) => {
  const hours = windowMs / 24 / 3_600_000;
  return hours === 1 ? 'hour' : `${Number(hours.toFixed(2))} h`;
};

export function DriftPanel() {
  const drift = usePolling(() => api<ModelDrift>('/api/v1/models/drift'), 30_000, []);
  const chart = useMemo(() => {
    const data = drift.data;
    if (data === null) return null;
    const starts = [...new Set(data.models.flatMap((m) => m.history.map((p) => p.start)))].sort();
    // The whole window on the time axis: a single hour would otherwise be stretched over years.
    const to = Date.now() / 1000;
    return {
      range: [to - data.window_ms / 1000, to] as [number, number],
      times: starts.map((s) => Date.parse(s) / 1000),
      series: data.models.map((m, i) => {
        const byStart = new Map(m.history.map((p) => [p.start, p.score_psi]));
        return {
          label: m.model_version,
          color: COLORS[i % COLORS.length]!,
          values: starts.map((s) => byStart.get(s) ?? null),
        };
      }),
    };
  }, [drift.data]);

  if (drift.data === null)
    return (
      <>
        <ErrorBox error={drift.error} onRetry={() => void drift.refresh()} />
        {drift.error === null && <Loading what="the drift" />}
      </>
    );
  const { window_ms, models } = drift.data;
  if (models.length === 0)
    return (
      <p className="muted">
        No model in force has a training profile to compare with (models trained before profiles were kept, or
        this server runs without models).
      </p>
    );
  return (
    <>
      <p className="muted">
        This server&apos;s decisions of the last {window_ms / 3_600_000} h against each model&apos;s training
        data: below {PSI_LOOK} is stable, {PSI_LOOK}–{PSI_SHIFTED} drift worth a look, above {PSI_SHIFTED} a
        population the model was not trained on. Refreshes every 30 seconds.
      </p>
      <div className="grid2">
        {models.map((m) => (
          <figure key={m.model_version} data-drift-model={m.model_version}>
            <figcaption>
              <code>{m.model_version}</code>: score PSI{' '}
              <strong data-testid="score-psi">{m.score_psi.toFixed(3)}</strong> ({psiWords(m.score_psi)}
              {m.observed === undefined ? '' : `, ${m.observed.toLocaleString()} decisions`})
            </figcaption>
            {m.observed === 0 ? (
              <p className="muted">No decisions in the window yet.</p>
            ) : (
              <>
                <p className="muted small">
                  PSI per input, most drifted first; lines at {PSI_LOOK} and {PSI_SHIFTED}; bars end at{' '}
                  {PSI_SCALE_END}.
                </p>
                <PsiBars
                  features={m.features}
                  label={`PSI per input of ${m.model_version}, most drifted first`}
                />
              </>
            )}
          </figure>
        ))}
      </div>
      {chart !== null && chart.times.length > 0 && (
        <figure>
          <figcaption>Score PSI per {slotName(window_ms)} of the window, each on its own</figcaption>
          <TimeChart
            label="Score PSI per hour of each model in force"
            times={chart.times}
            series={chart.series}
            axisLabels={{ left: 'score PSI' }}
            showPoints
            timeRange={chart.range}
          />
        </figure>
      )}
    </>
  );
}
