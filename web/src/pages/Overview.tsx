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

/** Per second when busy, per minute when quiet (a demo at a few a minute should not read 0.00). */
const rate = (perSecond: number) =>
  perSecond >= 1 || perSecond === 0
    ? `${perSecond.toFixed(perSecond >= 100 ? 0 : 1)} /s`
    : `${(perSecond * 60).toFixed(1)} /min`;

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
    const perSecond = data.bucket_seconds;
    return {
      times,
      series: OUTCOMES.map((o) => ({
        label: o.replace(/_/g, ' '),
        color: COLORS[o]!,
        values: data.series.map((p) => p[o] / perSecond),
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
              title="Throughput"
              value={rate(data.decisions_per_second)}
              note={`${data.total.toLocaleString()} decisions`}
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
              <figcaption>Decisions per second by outcome</figcaption>
              {chart && (
                <TimeChart
                  label="Decisions per second by outcome over time"
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
}: {
  title: string;
  value: string;
  note?: string;
  tone?: 'ok' | 'warn';
}) {
  return (
    <div className={`card${tone ? ` ${tone}` : ''}`}>
      <h2>{title}</h2>
      <p className="big">{value}</p>
      {note && <p className="muted">{note}</p>}
    </div>
  );
}
