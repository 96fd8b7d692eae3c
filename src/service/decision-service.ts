/**
 * The transport-free core of the service: validate, score once, store, answer. HTTP handlers and stream workers
 * call this; it guarantees that a transaction id is scored at most once (a resubmission, even a concurrent one,
 * gets the stored decision and never touches the engine's state again) and that an answer is given only after
 * its decision is committed. Review verdicts go to the store's audit trail and back to the engine as labels.
 */
import { hash } from 'node:crypto';
import type { Decision } from '../engine/decision.ts';
import type { Engine, ScoreOptions } from '../engine/engine.ts';
import {
  canonicalTransactionJSON,
  validateTransaction,
  type FieldError,
  type Transaction,
} from '../engine/transaction.ts';
import {
  REOPENABLE_STATUSES,
  type DecisionStore,
  type LabelResult,
  type NewDecision,
  type NewLabel,
  type SaveResult,
  type StatusChange,
  type VerdictStatus,
} from '../store/types.ts';
import { LatencyHistory } from '../ops/latency-history.ts';
import type { AccountLease, SharedAccountState } from '../shared-state/redis-account-state.ts';
import type { Metrics } from '../ops/metrics.ts';
import { NO_EVENTS, type DomainEventSink } from './domain-events.ts';
import { decisionEvent, labelEvent } from '../webhooks/decision-events.ts';
import { GroupCommitWriter } from './group-commit.ts';
import { LookupBatcher } from './lookup-batcher.ts';
import { LiveDrift, SCORE_PSI_ALERT } from './live-drift.ts';
import { DEFAULT_LIVE_METRICS_WINDOW_MS, LiveModelMonitor } from './live-model-metrics.ts';
import { checkShare } from './live-model-settings.ts';
import { decidedByChallenger } from './traffic-split.ts';
import type { ModelRegistry } from './model-registry.ts';
import { LabelFeed } from './label-feed.ts';
import type { ModelTrainer } from './model-trainer.ts';
import { StateRebuild, type RebuildOptions } from './state-rebuild.ts';
import { StateRollback } from './state-rollback.ts';
import { StoredDecisionState } from './stored-decision-state.ts';
import { StoredSnoozes } from './stored-snoozes.ts';
import { feedVerdictLabel } from './verdict-label.ts';
import type { CaseSweep } from '../cases/case-sweep.ts';

/**
 * Labels stored per database transaction by `recordLabels` and `labels import`: about 4 ms of the embedded
 * store's time (measured 13-20 ms for 500 on a busy machine), so neither scoring on this thread nor a running
 * serve's writer thread, which waits for the file's write lock, waits long.
 */
export const LABEL_CHUNK = 100;

export type DecideResult =
  | { kind: 'created'; decision: Decision }
  | { kind: 'duplicate'; decision: Decision }
  | { kind: 'conflict'; decision: Decision }
  | { kind: 'invalid'; errors: FieldError[] };

/** SHA-256 of the transaction's canonical JSON (keys sorted), to recognise a resubmission. */
export function payloadHash(tx: Transaction): string {
  return hash('sha256', canonicalTransactionJSON(tx));
}

/** The overall /health state: the worst of the components', or degraded when `forceDegraded` (bypass). */
export function overallHealth(
  statuses: readonly string[],
  forceDegraded = false,
): 'healthy' | 'degraded' | 'unhealthy' {
  if (statuses.includes('unhealthy')) return 'unhealthy';
  return forceDegraded || statuses.includes('degraded') ? 'degraded' : 'healthy';
}

export interface DecisionServiceOptions {
  /** Share of transactions decided by the challenger set while there is one (CHALLENGER_TRAFFIC; default 0). */
  challengerTraffic?: number;
  /** Window of the live model metrics (LIVE_METRICS_WINDOW; default 30 days). */
  liveMetricsWindowMs?: number;
}

const BY_CHALLENGER: ScoreOptions = { decidedBy: 'challenger' };

export class DecisionService {
  private readonly writer: GroupCommitWriter;
  private readonly lookups: LookupBatcher;
  /** Takes back what scoring recorded when a decision could not be stored. */
  private readonly rollback: StateRollback;
  /** Decisions being written, by id: a concurrent resubmission waits for the first instead of scoring again. */
  private readonly inFlight = new Map<string, Promise<DecideResult>>();
  /** Scoring durations of this process, for the overview's percentiles. */
  readonly latency = new LatencyHistory();
  /** The model versions this process can put in force (null when it runs without models). */
  models: ModelRegistry | null = null;
  /** Trains new model versions from the store, as challengers (null without models). */
  trainer: ModelTrainer | null = null;
  /** The rebuild of account and merchant state from the store at start (null when none was asked for). */
  rebuild: StateRebuild | null = null;
  /** Decision settings and rules as stored: every change is a version, other processes' changes are followed. */
  readonly stored: StoredDecisionState;
  /** Rule snoozes as stored: created and ended here (audited), other processes' followed (issue 17). */
  readonly snoozes: StoredSnoozes;
  /** This process's traffic against its models' training data (PSI), for /health and /metrics. */
  readonly drift: LiveDrift;
  /** Imported labels into the engine: replayed by the rebuild, then followed (other processes record them too). */
  readonly labelFeed: LabelFeed;
  /** Each model version's ranking of the labelled live traffic, deciding or in the shadow (refreshed off the path). */
  readonly liveModels: LiveModelMonitor;
  /** Share of transactions the challenger set decides (the A/B split, by a stable hash of the transaction id). */
  readonly challengerTraffic: number;
  /** Where committed changes are announced (webhooks); the default drops them. */
  events: DomainEventSink = NO_EVENTS;
  /** Groups flagged decisions into account cases, routes and assigns them (serve only; null elsewhere). */
  caseSweep: CaseSweep | null = null;

  constructor(
    readonly engine: Engine,
    readonly store: DecisionStore,
    readonly now: () => number = Date.now,
    maxBatch = 1000,
    readonly metrics: Metrics | null = null,
    /** Account state shared with other processes (Redis); null keeps it in this process only. */
    readonly sharedState: SharedAccountState | null = null,
    options: DecisionServiceOptions = {},
  ) {
    this.challengerTraffic = checkShare('challengerTraffic', options.challengerTraffic ?? 0);
    this.writer = new GroupCommitWriter(store, maxBatch);
    this.lookups = new LookupBatcher(store);
    this.rollback = new StateRollback(engine);
    this.stored = new StoredDecisionState(engine, store, now);
    this.snoozes = new StoredSnoozes(engine, store, now);
    this.drift = new LiveDrift(engine);
    this.labelFeed = new LabelFeed(engine, store);
    metrics?.watchDrift(() => this.drift.reports(this.now()));
    metrics?.watchHealth(() => this.componentHealth());
    this.liveModels = new LiveModelMonitor(
      engine,
      store,
      options.liveMetricsWindowMs ?? DEFAULT_LIVE_METRICS_WINDOW_MS,
    );
    metrics?.watchLiveModels(() => this.liveModels.latest());
  }

  /**
   * Starts rebuilding the engine's state from the store (a process that just started has none); decisions are
   * marked degraded until it is done.
   */
  startRebuild(options: RebuildOptions = {}): StateRebuild {
    this.rebuild = new StateRebuild(this.engine, this.store, {
      now: this.now,
      accountsShared: this.sharedState !== null,
      labels: this.labelFeed,
      ...options,
    });
    return this.rebuild;
  }

  /** True while the state is not yet rebuilt (or its rebuild failed): features miss history. */
  get rebuilding(): boolean {
    return this.rebuild !== null && !this.rebuild.done;
  }

  /** The components every process reports in /health: its store, its models and its feature state. */
  async componentHealth() {
    const database = this.store.databaseHealth
      ? await this.store.databaseHealth()
      : { status: (await this.store.ping()) ? ('healthy' as const) : ('unhealthy' as const) };
    const models = this.engine.modelCount;
    const shared = this.sharedState === null ? null : await this.sharedState.ping();
    const rebuilding = this.rebuilding;
    const rebuild = this.rebuild === null ? {} : { rebuild: this.rebuild.progress };
    const scorePsi = this.drift.worstScorePsi(this.now());
    const drifted = scorePsi > SCORE_PSI_ALERT;
    return {
      database: { ...database, kind: this.store.kind },
      // Models score features; until the history is rebuilt those are short of it.
      // Drift above the runbooks' alert also degrades it: the model sees traffic it was not trained on.
      model: {
        status: models > 0 && !rebuilding && !drifted ? 'healthy' : 'degraded',
        models,
        score_psi: Math.round(scorePsi * 1000) / 1000,
        ...(drifted
          ? { reason: `score PSI ${scorePsi.toFixed(3)} > ${SCORE_PSI_ALERT}: consider retraining` }
          : {}),
        ...rebuild,
      },
      // Shared account state (Redis): while it is down, decisions go on, on fresh features, marked degraded.
      feature_store: {
        status: (shared === null || shared) && !rebuilding ? 'healthy' : 'degraded',
        kind: shared === null ? 'in_process' : 'redis',
        ...rebuild,
      },
    } as const;
  }

  /** Leases the accounts' shared state for one scoring pass; null without shared state. */
  private async leaseAccounts(accountIds: string[]): Promise<AccountLease | null> {
    if (this.sharedState === null || accountIds.length === 0) return null;
    const lease = await this.sharedState.lease(accountIds);
    if (!lease.available) this.metrics?.errors.inc({ kind: 'shared_state_unavailable' });
    return lease;
  }

  private async releaseAccounts(lease: AccountLease | null): Promise<void> {
    if (lease === null || !lease.available) return;
    // The decisions stand (their features were right); only the shared copy misses this pass.
    const lost = await lease.release().catch(() => {
      this.metrics?.errors.inc({ kind: 'shared_state_write' });
      return 0;
    });
    if (lost > 0) this.metrics?.errors.inc({ kind: 'shared_state_lock_lost' }, lost);
  }

  get batchesWritten(): number {
    return this.writer.batches;
  }

  async decide(input: unknown): Promise<DecideResult> {
    const checked = validateTransaction(input, this.engine.currency);
    if (!checked.ok) return { kind: 'invalid', errors: checked.errors };
    const tx = checked.value;
    const hash = payloadHash(tx);
    const pending = this.inFlight.get(tx.transaction_id);
    if (pending !== undefined) return this.compare(await pending, hash, tx.transaction_id);
    const work = this.decideNew(tx, hash);
    this.inFlight.set(tx.transaction_id, work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(tx.transaction_id);
    }
  }

  /**
   * A batch: the same guarantees as `decide` for every item, with one store lookup for all ids instead of one
   * per transaction. Results are in input order.
   */
  async decideMany(inputs: unknown[]): Promise<DecideResult[]> {
    const results: (DecideResult | Promise<DecideResult> | null)[] = new Array(inputs.length).fill(null);
    const fresh: { index: number; tx: Transaction; hash: string }[] = [];
    const firstInBatch = new Map<string, number>();
    inputs.forEach((input, index) => {
      const checked = validateTransaction(input, this.engine.currency);
      if (!checked.ok) {
        results[index] = { kind: 'invalid', errors: checked.errors };
        return;
      }
      const tx = checked.value;
      const hash = payloadHash(tx);
      const pending = this.inFlight.get(tx.transaction_id);
      if (pending !== undefined)
        results[index] = pending.then((first) => this.compare(first, hash, tx.transaction_id));
      else if (firstInBatch.has(tx.transaction_id))
        results[index] = null; // settled after the first copy
      else {
        firstInBatch.set(tx.transaction_id, index);
        fresh.push({ index, tx, hash });
      }
    });
    const stored = await this.store.findDecisions(fresh.map((f) => f.tx.transaction_id));
    const lease = await this.leaseAccounts(
      fresh.filter((f) => !stored.has(f.tx.transaction_id)).map((f) => f.tx.account_id),
    );
    const writes = new Map<string, Promise<SaveResult>>();
    try {
      for (const f of fresh) {
        const existing = stored.get(f.tx.transaction_id);
        if (existing !== undefined) {
          results[f.index] = {
            kind: existing.payload_hash === f.hash ? 'duplicate' : 'conflict',
            decision: existing.decision,
          };
          continue;
        }
        const write = this.scoreAndWrite(f.tx, f.hash, lease);
        this.inFlight.set(f.tx.transaction_id, write);
        writes.set(f.tx.transaction_id, write);
        results[f.index] = write;
      }
    } finally {
      await Promise.allSettled(writes.values());
      for (const [id, write] of writes) if (this.inFlight.get(id) === write) this.inFlight.delete(id);
      // Released after the writes: a failed batch's accounts go back to Redis as they were before it.
      await this.releaseAccounts(lease);
    }
    const settled = await Promise.all(results.map((r) => r));
    // Later copies of an id within the batch compare with what the first copy got.
    return settled.map((r, index) => {
      if (r !== null) return r;
      const input = validateTransaction(inputs[index], this.engine.currency);
      if (!input.ok) return { kind: 'invalid', errors: input.errors };
      const first = settled[firstInBatch.get(input.value.transaction_id)!]!;
      if (first.kind === 'invalid') return first;
      const sameAsFirst =
        payloadHash(input.value) ===
        (fresh.find((f) => f.tx.transaction_id === input.value.transaction_id)?.hash ?? '');
      return { kind: sameAsFirst ? 'duplicate' : 'conflict', decision: first.decision };
    });
  }

  private async decideNew(tx: Transaction, hash: string): Promise<DecideResult> {
    const stored = await this.lookups.find(tx.transaction_id);
    if (stored !== undefined) {
      return { kind: stored.payload_hash === hash ? 'duplicate' : 'conflict', decision: stored.decision };
    }
    const lease = await this.leaseAccounts([tx.account_id]);
    try {
      return await this.scoreAndWrite(tx, hash, lease);
    } finally {
      await this.releaseAccounts(lease);
    }
  }

  /**
   * Scores and records `tx` (the state it changes copied first, so that a failed write can be taken back) and
   * hands its decision to group commit. Scoring happens now, in the caller's turn; the promise is the write.
   */
  private scoreAndWrite(tx: Transaction, hash: string, lease: AccountLease | null): Promise<SaveResult> {
    const started = performance.now();
    this.rollback.beforeScoring(tx);
    let decision: Decision;
    // The split is asked only while a challenger exists: otherwise the hash is not worth computing.
    const byChallenger =
      this.challengerTraffic > 0 &&
      this.engine.challengerSlots !== null &&
      decidedByChallenger(tx.transaction_id, this.challengerTraffic);
    try {
      decision = byChallenger ? this.engine.score(tx, BY_CHALLENGER) : this.engine.score(tx);
    } catch (e) {
      this.rollback.settle(tx, false);
      throw e;
    }
    // Without the shared state the account was scored on fresh (default) features; before the rebuild is done,
    // on part of its history.
    if ((lease !== null && !lease.available) || this.rebuilding) decision.degraded = true;
    const decidedAt = this.now();
    this.observe(decision, decidedAt, (performance.now() - started) / 1000);
    // Drift watches the models in force: a vector the challenger decided carries the challenger's anomaly score.
    if (decision.decided_by !== 'challenger') this.drift.observe(this.engine.features, decision, decidedAt);
    return this.writeScored(tx, {
      transaction: tx,
      decision,
      payload_hash: hash,
      decided_at: decidedAt,
      // Copied now: the engine's vector belongs to the next decision.
      features: this.engine.features.slice(),
    });
  }

  /**
   * Writes a scored decision; when it settles, tells the rollback whether the transaction now counts in the
   * store. Only `created` does: a duplicate or conflict means another process stored that id first.
   */
  private writeScored(tx: Transaction, record: NewDecision): Promise<SaveResult> {
    const settle = (stored: boolean): void => {
      const outcome = this.rollback.settle(tx, stored);
      if (outcome === 'rolled_back' || outcome === 'not_rolled_back')
        this.metrics?.errors.inc({ kind: `account_state_${outcome}` });
    };
    return this.writer.write(record).then(
      (result) => {
        settle(result.kind === 'created');
        // Announced after the commit, as a push to the sink: the answer does not wait for any webhook.
        if (result.kind === 'created' && record.decision.outcome !== 'approve') {
          const event = decisionEvent(record);
          if (event !== null) this.events.publish(event);
        }
        return result;
      },
      (e: unknown) => {
        settle(false);
        throw e;
      },
    );
  }

  private observe(decision: Decision, at: number, seconds: number): void {
    this.metrics?.observeDecision(decision, seconds);
    this.latency.record(at, seconds);
  }

  /** A request that raced the first submission of its id: same payload is a duplicate, another is a conflict. */
  private async compare(first: DecideResult, hash: string, id: string): Promise<DecideResult> {
    if (first.kind === 'invalid') return first;
    const stored = await this.lookups.find(id);
    if (stored === undefined) return { kind: 'conflict', decision: first.decision };
    return { kind: stored.payload_hash === hash ? 'duplicate' : 'conflict', decision: stored.decision };
  }

  /**
   * Records an analyst's verdict: status and audit entry in one database transaction, then the label to the
   * engine (confirmed_fraud → fraud, legitimate → legit). Null for an unknown transaction.
   */
  async review(
    transactionId: string,
    status: VerdictStatus,
    actor: string,
    note: string | null,
  ): Promise<StatusChange | null> {
    const at = this.now();
    const change = await this.store.setStatus(transactionId, status, actor, note, at);
    // The same verdict again changed nothing: no second audit entry, count or label.
    if (change === null || change.result !== 'changed') return change;
    this.metrics?.reviews.inc({ status });
    if (status === 'confirmed_fraud' || status === 'legitimate')
      feedVerdictLabel(
        this.engine,
        this.events,
        {
          transaction_id: transactionId,
          merchant_id: change.transaction.merchant_id,
          account_id: change.transaction.account_id,
          fraud: status === 'confirmed_fraud',
        },
        actor,
        at,
      );
    return change;
  }

  /**
   * Records imported labels (chargebacks, fraud reports) as `actor`: each stored with its audit entry, a chunk of
   * LABEL_CHUNK per database transaction (a turn of the event loop between chunks, so scoring never waits for a
   * whole 10,000-label batch), then fed to the engine at the time each became known. One result per label, in
   * order; a retry after a failure is safe (what was stored answers `unchanged`).
   */
  async recordLabels(labels: readonly NewLabel[], actor: string): Promise<LabelResult[]> {
    const results: LabelResult[] = [];
    try {
      for (let i = 0; i < labels.length; i += LABEL_CHUNK) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        const chunk = labels.slice(i, i + LABEL_CHUNK);
        const stored = await this.store.recordLabels(chunk, actor, this.now());
        stored.forEach((r, j) => {
          const label = chunk[j]!;
          if (r.result === 'recorded')
            this.events.publish(labelEvent(label.transaction_id, label.fraud, label.source, label.known_at));
        });
        results.push(...stored);
      }
    } finally {
      // What was stored reaches the engine even when a later chunk failed.
      if (results.length > 0) await this.labelFeed.catchUp();
    }
    return results;
  }

  /**
   * Reopens a closed case or a disputed decline as an open case (audited as `case_reopened`). A label the engine
   * already learnt from the old verdict stays until the next verdict gives another.
   */
  async reopen(transactionId: string, actor: string, note: string | null): Promise<StatusChange | null> {
    return this.store.setStatus(transactionId, 'open', actor, note, this.now(), {
      action: 'case_reopened',
      onlyFrom: REOPENABLE_STATUSES,
    });
  }
}
