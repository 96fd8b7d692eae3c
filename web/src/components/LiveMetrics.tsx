/**
 * How the champion and the challenger set rank the live traffic whose labels are now known: the window's figures
 * side by side, and one of them per day over time (`live.daily`).
 */
import { useMemo, useState } from 'react';
import { percent } from './Status.tsx';
import { TimeChart } from './TimeChart.tsx';
import type { LiveModelMetrics, LiveModelReport } from '../types.ts';

type Figure = 'auc' | 'average_precision' | 'precision' | 'recall' | 'alert_rate';

const FIGURES: { key: Figure; label: string; ratio: boolean }[] = [
  { key: 'auc', label: 'AUC', ratio: false },
  { key: 'average_precision', label: 'AP', ratio: false },
  { key: 'precision', label: 'Precision', ratio: true },
  { key: 'recall', label: 'Recall', ratio: true },
  { key: 'alert_rate', label: 'Alert rate', ratio: true },
];

const ROLE_NAMES: Record<LiveModelMetrics['role'], string> = {
  champion: 'Champion',
  challenger: 'Challenger set',
  other: 'Other',
};
const ROLE_COLORS: Record<LiveModelMetrics['role'], string> = {
  champion: '#0b57d0',
  challenger: '#b26a00',
  other: '#5c7394',
};

const shown = (value: number | null, ratio: boolean) =>
  value === null ? '—' : ratio ? percent(value) : value.toFixed(3);

/** The champion first, the challenger set next, then older sets that decided in the window. */
const ORDER = { champion: 0, challenger: 1, other: 2 } as const;

export function LiveMetrics({ live }: { live: LiveModelReport | null | undefined }) {
  const [figure, setFigure] = useState<Figure>('average_precision');
  const chart = useMemo(() => {
    if (live == null) return null;
    const roles = (['champion', 'challenger'] as const).filter((r) => live.models.some((m) => m.role === r));
    return {
      times: live.daily.map((d) => Date.parse(d.day) / 1000),
      series: roles.map((role) => ({
        label: ROLE_NAMES[role],
        color: ROLE_COLORS[role],
        values: live.daily.map((d) => d.models.find((m) => m.role === role)?.[figure] ?? null),
      })),
    };
  }, [live, figure]);

  if (live === undefined)
    return <p className="muted">This server does not compare model versions on live traffic yet.</p>;
  if (live === null || live.models.length === 0)
    return (
      <p className="muted">No labelled traffic yet: live figures appear once decisions have known labels.</p>
    );

  const models = [...live.models].sort((a, b) => ORDER[a.role] - ORDER[b.role]);
  const label = FIGURES.find((f) => f.key === figure)!.label;
  return (
    <>
      <div className="table-wrap">
        <table className="compact live-metrics">
          <caption>
            Decisions from {new Date(live.from).toLocaleDateString()} to{' '}
            {new Date(live.to).toLocaleDateString()} with known labels; precision and recall at the review
            threshold {live.review_threshold}
          </caption>
          <thead>
            <tr>
              <th scope="col">Figure</th>
              {models.map((m) => (
                <th scope="col" key={m.model_version}>
                  {ROLE_NAMES[m.role]}
                  <br />
                  <code className="small">{m.model_version}</code>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {FIGURES.map((f) => (
              <tr key={f.key}>
                <th scope="row">{f.label}</th>
                {models.map((m) => (
                  <td key={m.model_version} className="num">
                    {shown(m[f.key], f.ratio)}
                  </td>
                ))}
              </tr>
            ))}
            <tr>
              <th scope="row">Labels (fraud)</th>
              {models.map((m) => (
                <td key={m.model_version} className="num">
                  {m.labels.toLocaleString()} ({m.positives.toLocaleString()})
                </td>
              ))}
            </tr>
            <tr>
              <th scope="row">Decisions scored</th>
              {models.map((m) => (
                <td key={m.model_version} className="num">
                  {m.decisions.toLocaleString()}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
      {chart !== null && chart.times.length > 0 && (
        <figure>
          <figcaption>
            <span>{label} per day</span>{' '}
            <span role="group" aria-label="Figure over time" className="segmented">
              {FIGURES.map((f) => (
                <button
                  key={f.key}
                  type="button"
                  className="small"
                  aria-pressed={figure === f.key}
                  onClick={() => setFigure(f.key)}
                >
                  {f.label}
                </button>
              ))}
            </span>
          </figcaption>
          <TimeChart
            label={`${label} per day of the champion and the challenger set`}
            times={chart.times}
            series={chart.series}
            showPoints
          />
        </figure>
      )}
    </>
  );
}
