/** Shapes of the API's answers, as the dashboard reads them (see /api/docs for the full contract). */

export const OUTCOMES = ['approve', 'review', 'block_and_review', 'decline'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const STATUSES = ['open', 'under_review', 'confirmed_fraud', 'legitimate'] as const;
export type CaseStatus = (typeof STATUSES)[number];

export type Reason =
  | { kind: 'rule'; rule: string; reason: string; score: number; outcome?: Outcome }
  | { kind: 'model'; model: string; feature: string; value: number; contribution: number };

export interface Decision {
  transaction_id: string;
  score: number;
  outcome: Outcome;
  reasons: Reason[];
  rule_score: number;
  model_score: number | null;
  model_version: string | null;
  rules_version: string;
  bypassed: boolean;
  degraded: boolean;
}

export interface Transaction {
  transaction_id: string;
  timestamp: number;
  account_id: string;
  amount: number;
  currency?: string;
  merchant_id?: string;
  merchant_category?: string;
  country?: string;
  city?: string;
  channel?: string;
  device_id?: string;
  ip?: string;
}

export interface StoredTransaction {
  transaction: Transaction;
  decision: Decision;
  status: CaseStatus;
  decided_at: number;
  updated_at: number;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

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

export interface Usual {
  value: string;
  count: number;
}

export interface AccountProfile {
  account_id: string;
  transactions: number;
  first_seen: string | null;
  last_seen: string | null;
  amount: { mean: number; max: number };
  usual: { devices: Usual[]; cities: Usual[]; countries: Usual[]; merchants: Usual[] };
  risk: { mean_score: number; flagged: number; confirmed_fraud: number; legitimate: number };
}

export interface Overview {
  window: string;
  from: string;
  to: string;
  bucket_seconds: number;
  total: number;
  decisions_per_second: number;
  outcomes: Record<Outcome, number>;
  statuses: Record<CaseStatus, number>;
  alert_rate: number;
  confirmed_fraud_rate: number;
  series: ({ start: string } & Record<Outcome, number>)[];
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

export interface DecisionSettings {
  thresholds: { review: number; block_and_review: number; decline: number };
  bypass: boolean;
  bypass_score: number;
}

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
  reason: string;
}

export interface DryRun {
  version: string;
  evaluated: number;
  skipped: number;
  fired: number;
  fired_confirmed_fraud: number;
  fired_legitimate: number;
  confirmed_fraud: number;
  legitimate: number;
  outcomes: Record<Outcome, number>;
  changed: number;
  rules: { rule: string; fired: number; confirmed_fraud: number; legitimate: number }[];
}
