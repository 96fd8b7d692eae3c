/**
 * The weekly report and the fraud-pattern report (docs/reports.md): a week against the one before, and what
 * changed in flagged and confirmed fraud in the last hour or day; each offers its self-contained HTML download.
 */
import { useMemo, useState } from 'react';
import { api, downloadFile, errorMessage } from '../api.ts';
import { Bars } from '../components/Bars.tsx';
import { ErrorBox, Loading, percent } from '../components/Status.tsx';
import { TimeChart } from '../components/TimeChart.tsx';
import { OUTCOMES, type Outcome } from '../types.ts';
import { usePolling } from '../usePolling.ts';

// The server's own report types (type-only imports, erased from the bundle), so the page cannot drift from them.
import type { RuleFigures, WeekFigures, WeeklyReport } from '../../../src/reports/weekly-report.ts';
import type { PatternReport } from '../../../src/reports/pattern-report.ts';

const COLORS: Record<Outcome, string> = {
  approve: '#2e7d32',
  review: '#b26a00',
  block_and_review: '#c2185b',
  decline: '#b71c1c',
};
const WEEK_PATTERN = /^(last|\d{4}-W\d{2})$/;
const rate = (x: number | null) => (x === null ? '–' : percent(x));
const count = (x: number) => x.toLocaleString();
const ms = (x: number | null) => (x === null ? '–' : `${x} ms`);
const ratio = (x: number | null, events: number) =>
  events === 0 ? '–' : x === null ? 'new' : `${x.toFixed(2)}×`;
const amounts = (w: WeekFigures) =>
  w.blocked.amounts
    .map((a) => `${a.amount.toLocaleString(undefined, { maximumFractionDigits: 2 })} ${a.currency}`)
    .join(', ') || '0';

function Download({ path, filename }: { path: string; filename: string }) {
  const [failure, setFailure] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        onClick={() =>
          downloadFile(path, filename).then(
            () => setFailure(null),
            (e) => setFailure(errorMessage(e)),
          )
        }
      >
        Download HTML
      </button>
      <ErrorBox error={failure} />
    </>
  );
}

function Weekly() {
  const [typed, setTyped] = useState('last');
  const [week, setWeek] = useState('last');
  const { data, error, refresh } = usePolling(
    () => api<WeeklyReport>(`/api/v1/reports/weekly?week=${encodeURIComponent(week)}`),
    60_000,
    [week],
  );
  const chart = useMemo(() => {
    if (data === null) return null;
    return {
      times: data.current.per_day.map((d) => Date.parse(`${d.date}T00:00:00Z`) / 1000),
      series: OUTCOMES.map((o) => ({
        label: o.replace(/_/g, ' '),
        color: COLORS[o],
        values: data.current.per_day.map((d) => d[o]),
        axis: o === 'approve' ? ('left' as const) : ('right' as const),
      })),
    };
  }, [data]);

  const rows = (c: WeekFigures, p: WeekFigures): [string, string, string][] => [
    ['Decisions', count(c.decisions), count(p.decisions)],
    ...OUTCOMES.map((o): [string, string, string] => [
      `  ${o.replace(/_/g, ' ')}`,
      count(c.outcomes[o]),
      count(p.outcomes[o]),
    ]),
    ['Alert rate', rate(c.alert_rate), rate(p.alert_rate)],
    ['Confirmed fraud (reviewed)', count(c.reviewed.fraud), count(p.reviewed.fraud)],
    ['Legitimate (reviewed)', count(c.reviewed.legit), count(p.reviewed.legit)],
    ['Precision of alerts', rate(c.reviewed.precision), rate(p.reviewed.precision)],
    ['Missed fraud (approved)', count(c.missed_fraud.approved), count(p.missed_fraud.approved)],
    [
      'False negative rate',
      rate(c.missed_fraud.false_negative_rate),
      rate(p.missed_fraud.false_negative_rate),
    ],
    ['Amount blocked', amounts(c), amounts(p)],
    ['Review backlog at the end', count(c.backlog.open), count(p.backlog.open)],
    ['Oldest open case', c.backlog.oldest_date ?? '–', p.backlog.oldest_date ?? '–'],
    [
      'Scoring latency p50 / p95 / p99',
      `${ms(c.scoring_latency_ms.p50)} / ${ms(c.scoring_latency_ms.p95)} / ${ms(c.scoring_latency_ms.p99)}`,
      `${ms(p.scoring_latency_ms.p50)} / ${ms(p.scoring_latency_ms.p95)} / ${ms(p.scoring_latency_ms.p99)}`,
    ],
  ];

  return (
    <section aria-labelledby="weekly-title">
      <div className="page-head">
        <h2 id="weekly-title">Weekly report{data ? ` ${data.current.week}` : ''}</h2>
        <form
          className="segmented"
          onSubmit={(e) => {
            e.preventDefault();
            if (WEEK_PATTERN.test(typed.trim())) setWeek(typed.trim());
          }}
        >
          <label>
            Week{' '}
            <input
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              aria-invalid={!WEEK_PATTERN.test(typed.trim())}
              placeholder="last or 2026-W48"
              size={10}
            />
          </label>
          <button type="submit">Show</button>
          {data && (
            <Download
              path={`/api/v1/reports/weekly?week=${encodeURIComponent(week)}&format=html`}
              filename={`fraudwatch-weekly-${data.current.week}.html`}
            />
          )}
        </form>
      </div>
      <ErrorBox error={error} onRetry={() => void refresh()} />
      {data === null ? (
        error === null && <Loading what="the weekly report" />
      ) : (
        <>
          <p className="muted">
            Against {data.previous.week}; labels known at {new Date(data.labels_known_at).toLocaleString()}.
            Scoring latency: {data.current.scoring_latency_ms.note}.
          </p>
          <div className="table-wrap">
            <table className="compact" aria-label="Weekly figures">
              <thead>
                <tr>
                  <th scope="col">Figure</th>
                  <th scope="col">{data.current.week + (data.current.complete ? '' : ' (so far)')}</th>
                  <th scope="col">{data.previous.week}</th>
                </tr>
              </thead>
              <tbody>
                {rows(data.current, data.previous).map(([label, c, p]) => (
                  <tr key={label}>
                    <th scope="row">{label}</th>
                    <td>{c}</td>
                    <td>{p}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="grid2">
            <figure>
              <figcaption>Decisions per day by outcome (flagged on the right axis)</figcaption>
              {chart && (
                <TimeChart
                  axisLabels={{ left: 'approved', right: 'flagged' }}
                  label="Decisions per day by outcome"
                  times={chart.times}
                  series={chart.series}
                />
              )}
            </figure>
            <figure>
              <figcaption>Review backlog by age at the week's end</figcaption>
              <Bars
                label="Open cases by age in days"
                bars={data.current.backlog.by_age.map((a) => ({
                  label: a.age,
                  value: a.cases,
                  tone: 'neutral',
                }))}
              />
            </figure>
          </div>
          <div className="grid2">
            <RuleTable caption="Top rules by hits" rules={data.current.rules_by_hits} />
            <RuleTable
              caption="Top rules by precision (≥ 5 labelled)"
              rules={data.current.rules_by_precision}
            />
          </div>
          <div className="table-wrap">
            <table className="compact" aria-label="Model versions in force">
              <caption>Model versions in force</caption>
              <thead>
                <tr>
                  <th scope="col">Model version</th>
                  <th scope="col">Decisions</th>
                </tr>
              </thead>
              <tbody>
                {data.current.models.map((m) => (
                  <tr key={m.model_version ?? ''}>
                    <td>{m.model_version ?? '(no model)'}</td>
                    <td>{count(m.decisions)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function RuleTable({ caption, rules }: { caption: string; rules: RuleFigures[] }) {
  return (
    <div className="table-wrap">
      <table className="compact" aria-label={caption}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Hits</th>
            <th scope="col">Labelled</th>
            <th scope="col">Precision</th>
          </tr>
        </thead>
        <tbody>
          {rules.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                None
              </td>
            </tr>
          )}
          {rules.map((r) => (
            <tr key={r.rule}>
              <td>{r.rule}</td>
              <td>{count(r.hits)}</td>
              <td>{count(r.labelled)}</td>
              <td>{rate(r.precision)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const WINDOWS = [
  { current: '1h', baseline: '7d', label: 'Last hour against the week before' },
  { current: '24h', baseline: '7d', label: 'Last day against the week before' },
] as const;

function Patterns() {
  const [w, setW] = useState<(typeof WINDOWS)[number]>(WINDOWS[0]);
  const path = `/api/v1/reports/patterns?current=${w.current}&baseline=${w.baseline}`;
  const { data, error, refresh } = usePolling(() => api<PatternReport>(path), 30_000, [path]);
  return (
    <section aria-labelledby="patterns-title">
      <div className="page-head">
        <h2 id="patterns-title">Fraud patterns{data ? `: risk ${data.risk}` : ''}</h2>
        <div role="group" aria-label="Windows" className="segmented">
          {WINDOWS.map((x) => (
            <button key={x.current} type="button" aria-pressed={x === w} onClick={() => setW(x)}>
              {x.label}
            </button>
          ))}
          {data && (
            <Download path={`${path}&format=html`} filename={`fraudwatch-patterns-${w.current}.html`} />
          )}
        </div>
      </div>
      <ErrorBox error={error} onRetry={() => void refresh()} />
      {data === null ? (
        error === null && <Loading what="the fraud patterns" />
      ) : (
        <>
          <p className="muted">Risk rule: {data.risk_rule}.</p>
          {data.dimensions.map((d) => (
            <div key={d.dimension} className="grid2">
              <div className="table-wrap">
                <table className="compact" aria-label={`By ${d.dimension.replace('_', ' ')}`}>
                  <caption>By {d.dimension.replace('_', ' ')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Value</th>
                      <th scope="col">Flagged</th>
                      <th scope="col">Rate / baseline</th>
                      <th scope="col">Fraud</th>
                      <th scope="col">Rate / baseline</th>
                      <th scope="col">Risk</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.rows.length === 0 && (
                      <tr>
                        <td colSpan={6} className="muted">
                          Nothing flagged or confirmed in the current window
                        </td>
                      </tr>
                    )}
                    {d.rows.map((r) => (
                      <tr key={r.value ?? ''}>
                        <td>{r.value ?? '(none)'}</td>
                        <td>{count(r.current.flagged)}</td>
                        <td>
                          {rate(r.current.flagged_rate)} / {rate(r.baseline.flagged_rate)} (
                          {ratio(r.flagged_ratio, r.current.flagged)})
                        </td>
                        <td>{count(r.current.fraud)}</td>
                        <td>
                          {rate(r.current.fraud_rate)} / {rate(r.baseline.fraud_rate)} (
                          {ratio(r.fraud_ratio, r.current.fraud)})
                        </td>
                        <td title={r.rule} className={`risk-${r.risk}`}>
                          {r.risk}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Bars
                label={`Flagged rate against the baseline by ${d.dimension}`}
                bars={d.rows.map((r) => ({
                  label: r.value ?? '(none)',
                  value: r.flagged_ratio ?? 0,
                  text: ratio(r.flagged_ratio, r.current.flagged),
                  tone: r.risk === 'low' ? 'neutral' : 'risk',
                }))}
              />
            </div>
          ))}
        </>
      )}
    </section>
  );
}

export function ReportsPage() {
  return (
    <section aria-labelledby="reports-title">
      <div className="page-head">
        <h1 id="reports-title">Reports</h1>
      </div>
      <Weekly />
      <Patterns />
    </section>
  );
}
