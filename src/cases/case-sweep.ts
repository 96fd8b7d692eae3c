/**
 * The case sweep `serve` runs every CASE_SWEEP_MS: groups the flagged decisions stored since the last pass into
 * account cases, routes the cases that changed to their queue, auto-assigns the unassigned round robin, then
 * shows the backlog on /metrics. It is store work on a timer, never on the decision path: scoring does not wait
 * for it, and a pass that fails is logged and counted, and the next one tries again. Several processes on one
 * store may sweep at once; the store's transactions keep each decision grouped, and each turn dealt, once.
 */
import type { DecisionService } from '../service/decision-service.ts';
import { CaseMetrics } from './case-metrics.ts';
import type { Assignment } from './case-types.ts';
import { CaseWork } from './case-work.ts';
import { DEFAULT_CASE_SWEEP_MS } from './case-settings.ts';
import { DEFAULT_CASE_WINDOW_MS } from './case-types.ts';
import { backlogRows, type QueueBacklogRow } from './queue-backlog.ts';

/**
 * Flagged decisions grouped per store transaction. Small, because on the embedded store decisions wait behind it
 * to be committed on the same writer thread: 100 alerts hold them about 4 ms, 1,000 held them 25-40 ms.
 */
export const GROUPING_BATCH = 100;
/** Batches per pass: a backlog larger than this (after an outage) is worked off over the next passes. */
const MAX_BATCHES_PER_PASS = 100;

/**
 * Lets the event loop run between the pass's store transactions: the embedded store answers synchronously, so
 * without it a backlog's batches would follow each other in one turn and hold decisions waiting.
 */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface SweepOptions {
  windowMs?: number;
  everyMs?: number;
  /** The sweep's clock (tests move it); default the service's. */
  now?: () => number;
  log?: (line: string) => void;
}

/** What one pass did. */
export interface SweepPass {
  grouped: number;
  opened: number;
  routed: number;
  assigned: Assignment[];
  backlog: QueueBacklogRow[];
}

export class CaseSweep {
  private readonly work: CaseWork;
  private readonly metrics: CaseMetrics | null;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  readonly windowMs: number;
  readonly everyMs: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Passes run one at a time: a tick asked for while one runs waits for it. */
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private failing = false;

  constructor(
    private readonly service: DecisionService,
    options: SweepOptions = {},
  ) {
    this.work = new CaseWork(service);
    this.metrics = service.metrics === null ? null : CaseMetrics.of(service.metrics);
    this.now = options.now ?? service.now;
    this.log = options.log ?? console.error;
    this.windowMs = options.windowMs ?? DEFAULT_CASE_WINDOW_MS;
    this.everyMs = options.everyMs ?? DEFAULT_CASE_SWEEP_MS;
  }

  /** One pass now (after any running one); rejects when the store does. */
  tick(): Promise<SweepPass> {
    const pass = this.running.then(() => this.pass());
    this.running = pass.catch(() => undefined);
    return pass;
  }

  private async pass(): Promise<SweepPass> {
    let grouped = 0;
    let opened = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_PASS; batch++) {
      const result = await this.work.store.groupAlerts(this.windowMs, this.now(), GROUPING_BATCH);
      grouped += result.grouped;
      opened += result.opened.length;
      this.work.announceOpened(result.opened);
      this.metrics?.opened.inc(result.opened.length);
      if (result.grouped < GROUPING_BATCH) break;
      await turn();
    }
    const queues = await this.service.store.listQueues();
    const routed = await this.work.store.routeCases(queues, this.now());
    await turn();
    const assigned = await this.work.store.assignCases(this.now());
    this.metrics?.assigned.inc(assigned.length);
    const backlog = backlogRows(queues, await this.work.store.caseBacklog(), this.now());
    this.metrics?.show(backlog);
    return { grouped, opened, routed, assigned, backlog };
  }

  /** Sweeps every `everyMs` until `stop` (an unref'd timer: it never keeps the process alive). */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick()
        .then(
          () => {
            if (this.failing) this.log('case sweep works again');
            this.failing = false;
          },
          (e: unknown) => {
            this.service.metrics?.errors.inc({ kind: 'case_sweep' });
            // Said once per outage, not every pass.
            if (!this.failing)
              this.log(`case sweep failed (tried again every ${this.everyMs} ms): ${(e as Error).message}`);
            this.failing = true;
          },
        )
        .finally(() => this.schedule());
    }, this.everyMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass under way, so the store can close after it. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
