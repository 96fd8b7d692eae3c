/**
 * Prometheus metrics (prom-client), one registry per service instance so tests stay independent. Names follow
 * what the seed runbooks grep for: latency histograms, decisions by outcome, rule hits, anomalies, bypass.
 */
import client from 'prom-client';
import type { DriftReport } from './drift-monitor.ts';
import type { Decision } from '../engine/decision.ts';
import type { LiveModelMetrics, LiveModelReport } from '../service/live-model-metrics.ts';

const HEALTH_VALUE: Record<string, number> = { healthy: 2, degraded: 1, unhealthy: 0 };

export class Metrics {
  readonly registry = new client.Registry();
  private readonly httpDuration = new client.Histogram({
    name: 'fraudwatch_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  private readonly scoring = new client.Histogram({
    name: 'fraudwatch_scoring_duration_seconds',
    help: 'Time to score one transaction (features, rules, models, decision)',
    buckets: [0.000005, 0.00001, 0.00002, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005],
    registers: [this.registry],
  });
  private readonly decisions = new client.Counter({
    name: 'fraudwatch_decisions_total',
    help: 'Decisions by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly modelDecisions = new client.Counter({
    name: 'fraudwatch_model_decisions_total',
    help: 'Decisions by the model set that decided them (champion, or challenger in the A/B split)',
    labelNames: ['decided_by'] as const,
    registers: [this.registry],
  });
  private readonly ruleHits = new client.Counter({
    name: 'fraudwatch_rule_hits_total',
    help: 'Fired rules by id@version',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });
  private readonly score = new client.Histogram({
    name: 'fraudwatch_score',
    help: 'Distribution of decision scores',
    buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1],
    registers: [this.registry],
  });
  private readonly anomalies = new client.Counter({
    name: 'anomalies_detected_total',
    help: 'Transactions flagged (any outcome other than approve)',
    registers: [this.registry],
  });
  private readonly degraded = new client.Counter({
    name: 'fraudwatch_degraded_decisions_total',
    help: 'Decisions made without a model that failed or was missing',
    registers: [this.registry],
  });
  readonly errors = new client.Counter({
    name: 'fraudwatch_errors_total',
    help: 'Errors by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly reviews = new client.Counter({
    name: 'fraudwatch_case_reviews_total',
    help: 'Analyst verdicts and status changes, by the new status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly streamLag = new client.Gauge({
    name: 'fraudwatch_stream_lag_messages',
    help: 'Messages of the owned partitions not yet acknowledged (pending + in flight); the runbooks alert above 1000',
    registers: [this.registry],
  });
  readonly circuitOpen = new client.Gauge({
    name: 'fraudwatch_circuit_open',
    help: '1 while the worker has stopped fetching because its store keeps failing',
    registers: [this.registry],
  });
  readonly deadLetters = new client.Counter({
    name: 'fraudwatch_dead_letters_total',
    help: 'Messages sent to the dead-letter stream',
    registers: [this.registry],
  });
  readonly bypass = new client.Gauge({
    name: 'fraudwatch_bypass_mode',
    help: '1 while bypass mode approves everything',
    registers: [this.registry],
  });

  private driftReports: (() => readonly DriftReport[]) | null = null;

  /** PSI gauges read from `reports` at each scrape (per model version: the score's, and each input's). */
  watchDrift(reports: () => readonly DriftReport[]): void {
    // One registry may serve several services in one process (tests): the last one's reports are read.
    const first = this.driftReports === null;
    this.driftReports = reports;
    if (!first) return;
    const read = (): readonly DriftReport[] => this.driftReports?.() ?? [];
    new client.Gauge({
      name: 'fraudwatch_score_psi',
      help: "Population stability index of the model's score over the live window against its training data (> 0.1: drift)",
      labelNames: ['model_version'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const r of read()) this.set({ model_version: r.model_version }, r.score_psi);
      },
    });
    new client.Gauge({
      name: 'fraudwatch_feature_psi',
      help: 'Population stability index of each model input over the live window against the training data',
      labelNames: ['model_version', 'feature'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const r of read())
          for (const f of r.features) this.set({ model_version: r.model_version, feature: f.feature }, f.psi);
      },
    });
  }

  private healthRead: (() => Promise<Record<string, { status: string }>>) | null = null;

  /**
   * `fraudwatch_health_status{component}` read from `components` at each scrape (the /health components:
   * database, model, feature_store): 2 healthy, 1 degraded, 0 unhealthy, so an alert can say "< 2 for 5m".
   */
  watchHealth(components: () => Promise<Record<string, { status: string }>>): void {
    const first = this.healthRead === null;
    this.healthRead = components;
    if (!first) return;
    const read = () => this.healthRead!();
    new client.Gauge({
      name: 'fraudwatch_health_status',
      help: 'Health of each /health component: 2 healthy, 1 degraded, 0 unhealthy',
      labelNames: ['component'] as const,
      registers: [this.registry],
      async collect() {
        let components: Record<string, { status: string }>;
        try {
          components = await read();
        } catch {
          // a health check that fails is the component's answer, not the scrape's
          components = { database: { status: 'unhealthy' } };
        }
        this.reset();
        for (const [component, { status }] of Object.entries(components))
          this.set({ component }, HEALTH_VALUE[status] ?? 0);
      },
    });
  }

  private liveReport: (() => LiveModelReport | null) | null = null;

  /**
   * Gauges per model version (and its role now) from the latest live comparison report: precision, recall, AUC,
   * average precision and alert rate at the review threshold, labels known. A figure the report has no value for
   * (no labels yet) is left out rather than shown as 0.
   */
  watchLiveModels(report: () => LiveModelReport | null): void {
    const first = this.liveReport === null;
    this.liveReport = report;
    if (!first) return;
    const read = (): readonly LiveModelMetrics[] => this.liveReport?.()?.models ?? [];
    const gauge = (name: string, help: string, value: (m: LiveModelMetrics) => number | null): void => {
      new client.Gauge({
        name,
        help,
        labelNames: ['model_version', 'role'] as const,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const m of read()) {
            const v = value(m);
            if (v !== null) this.set({ model_version: m.model_version, role: m.role }, v);
          }
        },
      });
    };
    const window = 'decisions of the live metrics window (LIVE_METRICS_WINDOW) with labels known now';
    gauge(
      'fraudwatch_model_precision',
      `Precision at the review threshold over the ${window}`,
      (m) => m.precision,
    );
    gauge('fraudwatch_model_recall', `Recall at the review threshold over the ${window}`, (m) => m.recall);
    gauge('fraudwatch_model_auc', `ROC AUC over the ${window}`, (m) => m.auc);
    gauge(
      'fraudwatch_model_average_precision',
      `Average precision over the ${window}`,
      (m) => m.average_precision,
    );
    gauge(
      'fraudwatch_model_alert_rate',
      'Share of the decisions of the window the model version scored at or above the review threshold',
      (m) => m.alert_rate,
    );
    gauge('fraudwatch_model_labels', `Labelled ${window}`, (m) => m.labels);
    gauge(
      'fraudwatch_model_decisions',
      'Decisions of the window the model version scored (deciding or in the shadow)',
      (m) => m.decisions,
    );
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  observeDecision(decision: Decision, seconds: number): void {
    this.scoring.observe(seconds);
    this.decisions.inc({ outcome: decision.outcome });
    this.modelDecisions.inc({ decided_by: decision.decided_by ?? 'champion' });
    this.score.observe(decision.score);
    if (decision.outcome !== 'approve') this.anomalies.inc();
    if (decision.degraded) this.degraded.inc();
    for (const r of decision.reasons) if (r.kind === 'rule') this.ruleHits.inc({ rule: r.rule });
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
