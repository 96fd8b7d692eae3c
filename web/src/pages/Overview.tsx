/** The morning check: throughput, outcomes, alert and fraud rates, scores, latency, bypass/degraded. */
import { useMemo, useState } from 'react';
import { api } from '../api.ts';
import { Bars } from '../components/Bars.tsx';
import { ErrorBox, Loading, percent } from '../components/Status.tsx';
import { TimeChart } from '../components/TimeChart.tsx';
import { OUTCOMES, type Overview as OverviewData } from '../types.ts';
import { usePolling } from '../usePolling.ts';

const WINDOWS = [
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last day' },
  { value: '7d', label: 'Last week' },
] as const;

const COLORS: Record<string, string> = {
  approve: '#2e7d32',
  review: '#b26a00',
  block_and_review: '#c2185b',
  decline: '#b71c1c',
};

/** Decisions a minute, as the demo's traffic is set (`--simulate 20` is 1,200 a minute). */
const perMinute = (n: number) => `${Math.round(n).toLocaleString()} /min`;

const ms = (v: number | null) => (v === null ? '–' : `${v < 1 ? v.toFixed(3) : v.toFixed(1)} ms`);

export function Overview() {
  const [window, setWindow] = useState<(typeof WINDOWS)[number]['value']>('1h');
  const { data, error, refresh } = usePolling(
    () => api<OverviewData>(`/api/v1/stats/overview?window=${window}`),
    5000,
    [window],
  );

  const chart = useMemo(() => {
    if (data === null) return null;
    const times = data.series.map((p) => Date.parse(p.start) / 1000);
    // Each bucket's own rate, over the part of it inside the window (the newest has only begun); approvals on
    // the left axis, the far fewer flagged outcomes on their own axis on the right.
    const rateOf = (p: OverviewData['series'][number], n: number) =>
      p.covered_seconds > 0 ? (n * 60) / p.covered_seconds : 0;
    return {
      times,
      series: OUTCOMES.map((o) => ({
        label: o === 'approve' ? 'approve (left)' : `${o.replace(/_/g, ' ')} (right)`,
        color: COLORS[o]!,
        values: data.series.map((p) => rateOf(p, p[o])),
        axis: o === 'approve' ? ('left' as const) : ('right' as const),
      })),
    };
  }, [data]);

  return (
    <section aria-labelledby="overview-title">
      <div className="page-head">
        <h1 id="overview-title">Overview</h1>
        <div role="group" aria-label="Time window" className="segmented">
          {WINDOWS.map((w) => (
            <button
              key={w.value}
              type="button"
              aria-pressed={window === w.value}
              onClick={() => setWindow(w.value)}
            >
              {w.label}
            </button>
          ))}
        </div>
      </div>
      <ErrorBox error={error} onRetry={() => void refresh()} />
      {data === null ? (
        error === null && <Loading what="the overview" />
      ) : (
        <>
          <div className="cards">
            <Card
              title="Throughput now"
              value={perMinute(data.current_per_minute)}
              note={`last minute, ${data.current_flagged_per_minute.toLocaleString()} flagged · window average ${perMinute(data.decisions_per_second * 60)} over ${data.total.toLocaleString()} decisions`}
              testId="throughput-now"
            />
            <Card title="Alert rate" value={percent(data.alert_rate)} note="not approved" />
            <Card
              title="Confirmed fraud"
              value={percent(data.confirmed_fraud_rate)}
              note={`${data.statuses.confirmed_fraud} cases`}
            />
            <Card
              title="Scoring latency"
              value={`p99 ${ms(data.scoring_latency_ms.p99)}`}
              note={`p50 ${ms(data.scoring_latency_ms.p50)} · p95 ${ms(data.scoring_latency_ms.p95)}`}
            />
            <Card
              title="Mode"
              value={data.bypass ? 'BYPASS' : data.degraded ? 'Degraded' : 'Normal'}
              tone={data.bypass || data.degraded ? 'warn' : 'ok'}
              note={`${data.models} model(s) · rules ${data.rules_version}`}
            />
          </div>
          <div className="grid2">
            <figure>
              <figcaption>
                Decisions a minute by outcome, per{' '}
                {data.bucket_seconds >= 3600
                  ? `${data.bucket_seconds / 3600} h`
                  : `${data.bucket_seconds / 60} min`}{' '}
                bucket (flagged on the right axis)
              </figcaption>
              {chart && (
                <TimeChart
                  axisLabels={{ left: 'approved /min', right: 'flagged /min' }}
                  label="Decisions a minute by outcome over time; approvals on the left axis, flagged outcomes on the right axis"
                  times={chart.times}
                  series={chart.series}
                />
              )}
            </figure>
            <figure>
              <figcaption>Score distribution</figcaption>
              <Bars
                label="Number of decisions per score range"
                bars={data.score_histogram.map((b) => ({
                  label: `${b.from.toFixed(2)}–${b.to.toFixed(2)}`,
                  value: b.count,
                  tone: b.from >= 0.5 ? 'risk' : 'neutral',
                }))}
              />
            </figure>
          </div>
          <table className="compact">
            <caption>Decisions by outcome</caption>
            <thead>
              <tr>
                <th scope="col">Outcome</th>
                <th scope="col">Decisions</th>
                <th scope="col">Share</th>
              </tr>
            </thead>
            <tbody>
              {OUTCOMES.map((o) => (
                <tr key={o}>
                  <th scope="row">{o.replace(/_/g, ' ')}</th>
                  <td>{data.outcomes[o].toLocaleString()}</td>
                  <td>{data.total ? percent(data.outcomes[o] / data.total) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">
            Latency covers decisions made by this server process since{' '}
            {new Date(data.scoring_latency_ms.since).toLocaleString()} (
            {data.scoring_latency_ms.decisions.toLocaleString()} in this window). Refreshes every 5 seconds.
          </p>
        </>
      )}
    </section>
  );
}

function Card({
  title,
  value,
  note,
  tone,
  testId,
}: {
  title: string;
  value: string;
  note?: string;
  tone?: 'ok' | 'warn';
  testId?: string;
}) {
  return (
    <div className={`card${tone ? ` ${tone}` : ''}`} data-testid={testId}>
      <h2>{title}</h2>
      <p className="big">{value}</p>
      {note && <p className="muted">{note}</p>}
    </div>
  );
}
