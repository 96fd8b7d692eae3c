/** Shapes of the API's answers, as the dashboard reads them (see /api/docs for the full contract). */

// The server's own types where the wire shape is the same, so the two cannot drift apart (type-checking them is
// why web/tsconfig.json lists Node's types; only OUTCOMES, a constant, is bundled).
export { OUTCOMES } from '../../src/engine/decision.ts';
export type { Decision, DecisionSettings, Outcome, Reason } from '../../src/engine/decision.ts';
export type { DryRunResult as DryRun } from '../../src/engine/rules/dry-run.ts';
export type { Transaction } from '../../src/engine/transaction.ts';
export type { AccountProfile, Usual } from '../../src/service/account-profile.ts';
export type { ModelVersionInfo } from '../../src/service/model-registry.ts';
export type { LiveModelMetrics, LiveModelReport } from '../../src/service/live-model-metrics.ts';
export type { ModelKind } from '../../src/training/model-files.ts';
export type { CaseStatus, Page, StoredTransaction } from '../../src/store/types.ts';

import type { Outcome } from '../../src/engine/decision.ts';
import type { ModelVersionInfo } from '../../src/service/model-registry.ts';
import type { LiveModelReport } from '../../src/service/live-model-metrics.ts';
import type { ModelKind } from '../../src/training/model-files.ts';
import type { CaseStatus } from '../../src/store/types.ts';

/** Review statuses, in the server's order (store/types.ts holds them with Node-only code, so not imported). */
export const STATUSES = ['none', 'decided', 'open', 'under_review', 'confirmed_fraud', 'legitimate'] as const;

/** What each status means to an analyst (docs/dashboard.md, "Cases"). */
export const STATUS_LABELS: Record<CaseStatus, string> = {
  none: 'no case',
  decided: 'declined (final)',
  open: 'open',
  under_review: 'under review',
  confirmed_fraud: 'confirmed fraud',
  legitimate: 'legitimate',
};

/** Statuses a reopen starts from (the server's REOPENABLE_STATUSES). */
export const REOPENABLE: readonly CaseStatus[] = ['decided', 'confirmed_fraud', 'legitimate'];

/** An audit entry as the API sends it (`at` as ISO text, where the store keeps epoch ms). */
export interface AuditEntry {
  id: number;
  at: number | string;
  actor: string;
  action: string;
  transaction_id: string | null;
  old_value: string | null;
  new_value: string | null;
  note: string | null;
}

export interface Overview {
  window: string;
  from: string;
  to: string;
  bucket_seconds: number;
  total: number;
  decisions_per_second: number;
  current_per_minute: number;
  current_flagged_per_minute: number;
  outcomes: Record<Outcome, number>;
  statuses: Record<CaseStatus, number>;
  alert_rate: number;
  confirmed_fraud_rate: number;
  series: ({
    start: string;
    covered_seconds: number;
    per_minute: number;
    flagged_per_minute: number;
  } & Record<Outcome, number>)[];
  score_histogram: { from: number; to: number; count: number }[];
  scoring_latency_ms: {
    decisions: number;
    p50: number | null;
    p95: number | null;
    p99: number | null;
    since: string;
  };
  bypass: boolean;
  degraded: boolean;
  models: number;
  rules_version: string;
}

/** A rules document being edited: looser than the server's (a draft's condition may be anything until checked). */
export interface RulesDocument {
  version: string;
  description?: string;
  lists?: Record<string, string[]>;
  rules: RuleDefinition[];
}

export interface RuleDefinition {
  id: string;
  version: number;
  description?: string;
  enabled?: boolean;
  when: unknown;
  score?: number;
  outcome?: Outcome;
  /** With score: the least outcome when the rule fires. */
  at_least?: Exclude<Outcome, 'approve'>;
  reason: string;
}

/** Where a model version is in its life (docs/models.md): one champion per kind, at most one challenger. */
export type ModelStage = 'champion' | 'challenger' | 'archived';
export const MODEL_STAGES: readonly ModelStage[] = ['champion', 'challenger', 'archived'];

/** A model version as GET /api/v1/models lists it, with its stage (docs/models.md). */
export type ModelVersion = ModelVersionInfo;

/** A training run (GET /api/v1/models/training, and the newest 20 in GET /api/v1/models). */
export interface TrainingRun {
  id: string;
  trigger: 'schedule' | 'precision' | 'manual' | 'cli';
  status: 'running' | 'done' | 'failed' | 'skipped';
  started_at: string;
  finished_at: string | null;
  actor: string | null;
  window_ms: number;
  cutoff: string | null;
  decisions: number;
  labels: { fraud: number; legit: number; assumed_legit: number };
  /** The artifact ids it registered as challengers. */
  produced: string[];
  message: string | null;
}

/**
 * GET /api/v1/models (and the answer to a change). Beyond `in_force` and `versions`, the fields come with issue
 * 13's registry, shadow scoring and training runs; each may be absent on a server without that part.
 */
export interface ModelVersions {
  in_force: Partial<Record<ModelKind, string>>;
  versions: ModelVersion[];
  challengers?: Partial<Record<ModelKind, string>>;
  /** Share of live decisions the challenger set decides (0: it only scores in the shadow). */
  challenger_traffic?: number;
  auto_promote?: boolean;
  live?: LiveModelReport | null;
  training?: TrainingRun[];
}

/** GET /api/v1/models/drift: this server's traffic against its models' training data. */
export interface ModelDrift {
  window_ms: number;
  models: {
    model_version: string;
    observed?: number;
    score_psi: number;
    features: { feature: string; psi: number }[];
    history: { start: string; decisions?: number; score_psi: number }[];
  }[];
}
