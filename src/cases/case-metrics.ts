/**
 * The case figures on /metrics, set by the case sweep after each pass (so a scrape never queries the store):
 * per queue the active cases, the age of the oldest and the SLA (the alert compares the two), and the cases
 * opened. The unrouted cases carry the queue label `none`.
 */
import client from 'prom-client';
import type { Metrics } from '../ops/metrics.ts';
import type { QueueBacklogRow } from './queue-backlog.ts';

export const UNROUTED_QUEUE_LABEL = 'none';

export class CaseMetrics {
  private readonly backlog: client.Gauge<'queue'>;
  private readonly unassigned: client.Gauge<'queue'>;
  private readonly oldestAge: client.Gauge<'queue'>;
  private readonly sla: client.Gauge<'queue'>;
  readonly opened: client.Counter;
  readonly assigned: client.Counter;

  private constructor(registry: client.Registry) {
    const registers = [registry];
    this.backlog = new client.Gauge({
      name: 'fraudwatch_case_backlog',
      help: 'Active account cases (open, in review, escalated) per queue; queue="none": matched by no queue',
      labelNames: ['queue'] as const,
      registers,
    });
    this.unassigned = new client.Gauge({
      name: 'fraudwatch_case_unassigned',
      help: 'Active account cases without an assignee per queue',
      labelNames: ['queue'] as const,
      registers,
    });
    this.oldestAge = new client.Gauge({
      name: 'fraudwatch_case_oldest_age_seconds',
      help: 'Age of the oldest active account case per queue (0 when it has none)',
      labelNames: ['queue'] as const,
      registers,
    });
    this.sla = new client.Gauge({
      name: 'fraudwatch_case_sla_seconds',
      help: "The queue's target age of an active case (its SLA)",
      labelNames: ['queue'] as const,
      registers,
    });
    this.opened = new client.Counter({
      name: 'fraudwatch_cases_opened_total',
      help: 'Account cases opened by grouping flagged decisions (this process)',
      registers,
    });
    this.assigned = new client.Counter({
      name: 'fraudwatch_cases_auto_assigned_total',
      help: 'Account cases given to a queue member by auto-assignment (this process)',
      registers,
    });
  }

  private static readonly byRegistry = new WeakMap<client.Registry, CaseMetrics>();

  /** One set per registry: a second sweep on the same Metrics (tests) shares it rather than registering twice. */
  static of(metrics: Metrics): CaseMetrics {
    let found = CaseMetrics.byRegistry.get(metrics.registry);
    if (found === undefined) {
      found = new CaseMetrics(metrics.registry);
      CaseMetrics.byRegistry.set(metrics.registry, found);
    }
    return found;
  }

  /** Replaces the per-queue gauges with this backlog (a deleted queue's series goes away). */
  show(rows: readonly QueueBacklogRow[]): void {
    this.backlog.reset();
    this.unassigned.reset();
    this.oldestAge.reset();
    this.sla.reset();
    for (const r of rows) {
      const queue = r.queue ?? UNROUTED_QUEUE_LABEL;
      this.backlog.set({ queue }, r.active);
      this.unassigned.set({ queue }, r.unassigned);
      this.oldestAge.set({ queue }, r.oldest_age_seconds ?? 0);
      if (r.sla_seconds !== null) this.sla.set({ queue }, r.sla_seconds);
    }
  }
}
