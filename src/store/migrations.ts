/**
 * Versioned schema migrations, one list per dialect kept side by side so they cannot drift. Times are epoch
 * milliseconds (BIGINT) and documents are JSON text in both, so one set of queries serves both stores.
 */

export type Dialect = 'sqlite' | 'postgres';

export interface Migration {
  version: number;
  description: string;
  sql: Record<Dialect, string>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'transactions with their decisions and review status; audit trail',
    sql: {
      sqlite: `
        CREATE TABLE transactions (
          transaction_id TEXT PRIMARY KEY,
          account_id TEXT NOT NULL,
          merchant_id TEXT,
          amount REAL NOT NULL,
          occurred_at INTEGER NOT NULL,
          payload TEXT NOT NULL,
          payload_hash TEXT NOT NULL,
          score REAL NOT NULL,
          outcome TEXT NOT NULL,
          decision TEXT NOT NULL,
          status TEXT NOT NULL,
          decided_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE INDEX transactions_flagged_score ON transactions (score DESC, transaction_id) WHERE outcome <> 'approve';
        CREATE INDEX transactions_flagged_time ON transactions (occurred_at DESC, transaction_id) WHERE outcome <> 'approve';
        CREATE INDEX transactions_status ON transactions (status);
        CREATE INDEX transactions_account ON transactions (account_id, occurred_at);
        CREATE TABLE audit (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          at INTEGER NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          transaction_id TEXT,
          old_value TEXT,
          new_value TEXT,
          note TEXT
        );
        CREATE INDEX audit_transaction ON audit (transaction_id, id);`,
      postgres: `
        CREATE TABLE transactions (
          transaction_id TEXT PRIMARY KEY,
          account_id TEXT NOT NULL,
          merchant_id TEXT,
          amount DOUBLE PRECISION NOT NULL,
          occurred_at BIGINT NOT NULL,
          payload TEXT NOT NULL,
          payload_hash TEXT NOT NULL,
          score DOUBLE PRECISION NOT NULL,
          outcome TEXT NOT NULL,
          decision TEXT NOT NULL,
          status TEXT NOT NULL,
          decided_at BIGINT NOT NULL,
          updated_at BIGINT NOT NULL
        );
        CREATE INDEX transactions_flagged_score ON transactions (score DESC, transaction_id) WHERE outcome <> 'approve';
        CREATE INDEX transactions_flagged_time ON transactions (occurred_at DESC, transaction_id) WHERE outcome <> 'approve';
        CREATE INDEX transactions_status ON transactions (status);
        CREATE INDEX transactions_account ON transactions (account_id, occurred_at);
        CREATE TABLE audit (
          id BIGSERIAL PRIMARY KEY,
          at BIGINT NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          transaction_id TEXT,
          old_value TEXT,
          new_value TEXT,
          note TEXT
        );
        CREATE INDEX audit_transaction ON audit (transaction_id, id);`,
    },
  },
  {
    version: 2,
    description: 'API keys (hashed) with roles',
    sql: {
      sqlite: `
        CREATE TABLE api_keys (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          role TEXT NOT NULL,
          key_hash TEXT NOT NULL UNIQUE,
          created_at INTEGER NOT NULL,
          revoked_at INTEGER
        );`,
      postgres: `
        CREATE TABLE api_keys (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          role TEXT NOT NULL,
          key_hash TEXT NOT NULL UNIQUE,
          created_at BIGINT NOT NULL,
          revoked_at BIGINT
        );`,
    },
  },
  {
    version: 3,
    description: 'published rule documents, newest last',
    sql: {
      sqlite: `
        CREATE TABLE rule_versions (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          version TEXT NOT NULL,
          document TEXT NOT NULL,
          published_at INTEGER NOT NULL,
          published_by TEXT NOT NULL
        );`,
      postgres: `
        CREATE TABLE rule_versions (
          seq BIGSERIAL PRIMARY KEY,
          version TEXT NOT NULL,
          document TEXT NOT NULL,
          published_at BIGINT NOT NULL,
          published_by TEXT NOT NULL
        );`,
    },
  },
  {
    version: 4,
    description:
      'the feature vector each decision saw (for rule dry runs); decisions by time (for the overview)',
    sql: {
      sqlite: `
        ALTER TABLE transactions ADD COLUMN features BLOB;
        CREATE INDEX transactions_decided ON transactions (decided_at);`,
      postgres: `
        ALTER TABLE transactions ADD COLUMN features BYTEA;
        CREATE INDEX transactions_decided ON transactions (decided_at);`,
    },
  },
  {
    version: 5,
    description:
      'review status indexed for flagged transactions only (the case queue); every approved row paid for the old index',
    sql: {
      sqlite: `
        DROP INDEX transactions_status;
        CREATE INDEX transactions_flagged_status ON transactions (status, score DESC, transaction_id) WHERE outcome <> 'approve';`,
      postgres: `
        DROP INDEX transactions_status;
        CREATE INDEX transactions_flagged_status ON transactions (status, score DESC, transaction_id) WHERE outcome <> 'approve';`,
    },
  },
  {
    version: 6,
    description:
      'API keys may expire; audit entries are hash-chained (entries written before this carry no hash) and filtered by actor and action',
    sql: {
      sqlite: `
        ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
        ALTER TABLE audit ADD COLUMN prev_hash TEXT;
        ALTER TABLE audit ADD COLUMN hash TEXT;
        CREATE INDEX audit_actor ON audit (actor, id);
        CREATE INDEX audit_action ON audit (action, id);`,
      postgres: `
        ALTER TABLE api_keys ADD COLUMN expires_at BIGINT;
        ALTER TABLE audit ADD COLUMN prev_hash TEXT;
        ALTER TABLE audit ADD COLUMN hash TEXT;
        CREATE INDEX audit_actor ON audit (actor, id);
        CREATE INDEX audit_action ON audit (action, id);`,
    },
  },
  {
    version: 7,
    description:
      'decision settings versions (thresholds, bypass), newest in force; rule versions found by their name',
    sql: {
      sqlite: `
        CREATE TABLE settings_versions (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          settings TEXT NOT NULL,
          changed_at INTEGER NOT NULL,
          changed_by TEXT NOT NULL
        );
        CREATE INDEX rule_versions_version ON rule_versions (version, seq);`,
      postgres: `
        CREATE TABLE settings_versions (
          seq BIGSERIAL PRIMARY KEY,
          settings TEXT NOT NULL,
          changed_at BIGINT NOT NULL,
          changed_by TEXT NOT NULL
        );
        CREATE INDEX rule_versions_version ON rule_versions (version, seq);`,
    },
  },
  {
    version: 8,
    description:
      'the case model: approved transactions have no case (none), declines are decided unless disputed (decided)',
    sql: {
      sqlite: `
        UPDATE transactions SET status = 'none' WHERE status = 'open' AND outcome = 'approve';
        UPDATE transactions SET status = 'decided' WHERE status = 'open' AND outcome = 'decline';`,
      postgres: `
        UPDATE transactions SET status = 'none' WHERE status = 'open' AND outcome = 'approve';
        UPDATE transactions SET status = 'decided' WHERE status = 'open' AND outcome = 'decline';`,
    },
  },
  {
    version: 9,
    description:
      'labels that arrive after the decision (chargebacks, fraud reports): one per transaction, numbered in the order they were recorded (seq) so other processes can follow them',
    sql: {
      sqlite: `
        CREATE TABLE labels (
          transaction_id TEXT PRIMARY KEY,
          fraud INTEGER NOT NULL CHECK (fraud IN (0, 1)),
          source TEXT NOT NULL,
          known_at INTEGER NOT NULL,
          recorded_at INTEGER NOT NULL,
          recorded_by TEXT NOT NULL,
          seq INTEGER NOT NULL UNIQUE
        );`,
      postgres: `
        CREATE TABLE labels (
          transaction_id TEXT PRIMARY KEY,
          fraud INTEGER NOT NULL CHECK (fraud IN (0, 1)),
          source TEXT NOT NULL,
          known_at BIGINT NOT NULL,
          recorded_at BIGINT NOT NULL,
          recorded_by TEXT NOT NULL,
          seq BIGINT NOT NULL UNIQUE
        );`,
    },
  },
  {
    version: 10,
    description:
      'model versions with their stage (challenger, champion, archived); with PostgreSQL the artifact itself, so every process reads it',
    sql: {
      sqlite: `
        CREATE TABLE model_versions (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          stage TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          stage_changed_at INTEGER NOT NULL,
          stage_changed_by TEXT NOT NULL,
          champion_seq INTEGER,
          summary TEXT NOT NULL,
          artifact TEXT
        );
        CREATE UNIQUE INDEX model_versions_one_champion ON model_versions (kind) WHERE stage = 'champion';
        CREATE UNIQUE INDEX model_versions_one_challenger ON model_versions (kind) WHERE stage = 'challenger';`,
      postgres: `
        CREATE TABLE model_versions (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          stage TEXT NOT NULL,
          created_at BIGINT NOT NULL,
          stage_changed_at BIGINT NOT NULL,
          stage_changed_by TEXT NOT NULL,
          champion_seq BIGINT,
          summary TEXT NOT NULL,
          artifact TEXT
        );
        CREATE UNIQUE INDEX model_versions_one_champion ON model_versions (kind) WHERE stage = 'champion';
        CREATE UNIQUE INDEX model_versions_one_challenger ON model_versions (kind) WHERE stage = 'challenger';`,
    },
  },
  {
    version: 11,
    description:
      'which model set decided each decision and what the other set scored in the shadow (issue 13), as columns the live model metrics read without parsing the decision JSON; model_version of older rows copied from it',
    sql: {
      sqlite: `
        ALTER TABLE transactions ADD COLUMN model_version TEXT;
        ALTER TABLE transactions ADD COLUMN decided_by TEXT;
        ALTER TABLE transactions ADD COLUMN shadow_version TEXT;
        ALTER TABLE transactions ADD COLUMN shadow_score REAL;
        UPDATE transactions SET model_version = json_extract(decision, '$.model_version');`,
      postgres: `
        ALTER TABLE transactions ADD COLUMN model_version TEXT;
        ALTER TABLE transactions ADD COLUMN decided_by TEXT;
        ALTER TABLE transactions ADD COLUMN shadow_version TEXT;
        ALTER TABLE transactions ADD COLUMN shadow_score DOUBLE PRECISION;
        UPDATE transactions SET model_version = decision::jsonb ->> 'model_version'
          WHERE decision::jsonb ->> 'model_version' IS NOT NULL;`,
    },
  },
  {
    version: 12,
    description:
      'training runs from the store (issue 13): at most one running across every process (a unique partial index)',
    sql: {
      sqlite: `
        CREATE TABLE training_runs (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          trigger_kind TEXT NOT NULL,
          status TEXT NOT NULL,
          started_at INTEGER NOT NULL,
          finished_at INTEGER,
          actor TEXT NOT NULL,
          window_ms INTEGER NOT NULL,
          cutoff INTEGER NOT NULL,
          result TEXT NOT NULL
        );
        CREATE UNIQUE INDEX training_runs_one_running ON training_runs (status) WHERE status = 'running';
        CREATE INDEX training_runs_status ON training_runs (status, seq);`,
      postgres: `
        CREATE TABLE training_runs (
          seq BIGSERIAL PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          trigger_kind TEXT NOT NULL,
          status TEXT NOT NULL,
          started_at BIGINT NOT NULL,
          finished_at BIGINT,
          actor TEXT NOT NULL,
          window_ms BIGINT NOT NULL,
          cutoff BIGINT NOT NULL,
          result TEXT NOT NULL
        );
        CREATE UNIQUE INDEX training_runs_one_running ON training_runs (status) WHERE status = 'running';
        CREATE INDEX training_runs_status ON training_runs (status, seq);`,
    },
  },
  {
    version: 13,
    description:
      'webhooks (issue 17): subscriptions with their sealed signing secrets, and the outbox of deliveries (leased by senders)',
    sql: {
      sqlite: `
        CREATE TABLE webhook_subscriptions (
          id TEXT PRIMARY KEY,
          url TEXT NOT NULL,
          events TEXT NOT NULL,
          outcomes TEXT,
          min_score REAL,
          enabled INTEGER NOT NULL,
          key_id TEXT NOT NULL,
          secret_sealed TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          created_by TEXT NOT NULL
        );
        CREATE TABLE webhook_deliveries (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id),
          event_id TEXT NOT NULL,
          event_type TEXT NOT NULL,
          event_key TEXT NOT NULL,
          event_at INTEGER NOT NULL,
          body TEXT NOT NULL,
          status TEXT NOT NULL,
          attempts INTEGER NOT NULL,
          next_attempt_at INTEGER NOT NULL,
          lease_until INTEGER,
          lease_owner TEXT,
          last_status_code INTEGER,
          last_error TEXT,
          created_at INTEGER NOT NULL,
          delivered_at INTEGER,
          redelivery_of TEXT
        );
        CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX webhook_deliveries_key ON webhook_deliveries (subscription_id, event_key, seq);`,
      postgres: `
        CREATE TABLE webhook_subscriptions (
          id TEXT PRIMARY KEY,
          url TEXT NOT NULL,
          events TEXT NOT NULL,
          outcomes TEXT,
          min_score DOUBLE PRECISION,
          enabled BOOLEAN NOT NULL,
          key_id TEXT NOT NULL,
          secret_sealed TEXT NOT NULL,
          created_at BIGINT NOT NULL,
          updated_at BIGINT NOT NULL,
          created_by TEXT NOT NULL
        );
        CREATE TABLE webhook_deliveries (
          seq BIGSERIAL PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id),
          event_id TEXT NOT NULL,
          event_type TEXT NOT NULL,
          event_key TEXT NOT NULL,
          event_at BIGINT NOT NULL,
          body TEXT NOT NULL,
          status TEXT NOT NULL,
          attempts INTEGER NOT NULL,
          next_attempt_at BIGINT NOT NULL,
          lease_until BIGINT,
          lease_owner TEXT,
          last_status_code INTEGER,
          last_error TEXT,
          created_at BIGINT NOT NULL,
          delivered_at BIGINT,
          redelivery_of TEXT
        );
        CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX webhook_deliveries_key ON webhook_deliveries (subscription_id, event_key, seq);`,
    },
  },
  {
    version: 14,
    description:
      'rule snoozes (issue 17): one rule muted for one account, merchant or device until a time; ended early by setting ended_at',
    sql: {
      sqlite: `
        CREATE TABLE rule_snoozes (
          id TEXT PRIMARY KEY,
          rule_id TEXT NOT NULL,
          entity_type TEXT NOT NULL,
          entity_id TEXT NOT NULL,
          reason TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          created_by TEXT NOT NULL,
          until INTEGER NOT NULL,
          ended_at INTEGER,
          ended_by TEXT
        );
        CREATE INDEX rule_snoozes_entity ON rule_snoozes (entity_type, entity_id);
        CREATE INDEX rule_snoozes_rule ON rule_snoozes (rule_id);
        CREATE INDEX rule_snoozes_until ON rule_snoozes (until) WHERE ended_at IS NULL;`,
      postgres: `
        CREATE TABLE rule_snoozes (
          id TEXT PRIMARY KEY,
          rule_id TEXT NOT NULL,
          entity_type TEXT NOT NULL,
          entity_id TEXT NOT NULL,
          reason TEXT NOT NULL,
          created_at BIGINT NOT NULL,
          created_by TEXT NOT NULL,
          until BIGINT NOT NULL,
          ended_at BIGINT,
          ended_by TEXT
        );
        CREATE INDEX rule_snoozes_entity ON rule_snoozes (entity_type, entity_id);
        CREATE INDEX rule_snoozes_rule ON rule_snoozes (rule_id);
        CREATE INDEX rule_snoozes_until ON rule_snoozes (until) WHERE ended_at IS NULL;`,
    },
  },
  {
    version: 15,
    description:
      'case queues (issue 17): a validated filter over open cases (JSON), members with capacities (JSON), an SLA age, and the round-robin cursor of auto-assignment',
    sql: {
      sqlite: `
        CREATE TABLE case_queues (
          name TEXT PRIMARY KEY,
          position INTEGER NOT NULL,
          filter TEXT NOT NULL,
          members TEXT NOT NULL,
          sla_seconds INTEGER NOT NULL,
          last_assigned TEXT,
          created_at INTEGER NOT NULL,
          created_by TEXT NOT NULL,
          updated_at INTEGER NOT NULL,
          updated_by TEXT NOT NULL
        );`,
      postgres: `
        CREATE TABLE case_queues (
          name TEXT PRIMARY KEY,
          position BIGINT NOT NULL,
          filter TEXT NOT NULL,
          members TEXT NOT NULL,
          sla_seconds BIGINT NOT NULL,
          last_assigned TEXT,
          created_at BIGINT NOT NULL,
          created_by TEXT NOT NULL,
          updated_at BIGINT NOT NULL,
          updated_by TEXT NOT NULL
        );`,
    },
  },
  {
    version: 16,
    description:
      'account cases (issue 17): a case per account and window with its alerts (a decision is in one case at most), notes and timeline; transactions.case_id marks grouped decisions, indexed over the flagged ones not yet grouped',
    sql: {
      sqlite: `
        CREATE TABLE account_cases (
          id TEXT PRIMARY KEY,
          account_id TEXT NOT NULL,
          status TEXT NOT NULL,
          assignee TEXT,
          queue TEXT,
          priority INTEGER NOT NULL,
          max_score REAL NOT NULL,
          max_amount REAL NOT NULL,
          alert_count INTEGER NOT NULL,
          reason_codes TEXT NOT NULL,
          opened_at INTEGER NOT NULL,
          last_alert_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          closed_at INTEGER,
          closed_by TEXT,
          needs_routing INTEGER NOT NULL
        );
        CREATE INDEX account_cases_status_priority ON account_cases (status, priority DESC, opened_at, id);
        CREATE INDEX account_cases_status_age ON account_cases (status, opened_at, id);
        CREATE INDEX account_cases_assignee ON account_cases (assignee, status);
        CREATE INDEX account_cases_queue ON account_cases (queue, status, opened_at, id);
        CREATE INDEX account_cases_active_account ON account_cases (account_id, last_alert_at)
          WHERE status IN ('open', 'in_review', 'escalated');
        CREATE INDEX account_cases_to_route ON account_cases (opened_at) WHERE needs_routing = 1;
        CREATE TABLE case_alerts (
          transaction_id TEXT PRIMARY KEY,
          case_id TEXT NOT NULL REFERENCES account_cases (id),
          added_at INTEGER NOT NULL
        );
        CREATE INDEX case_alerts_case ON case_alerts (case_id);
        CREATE TABLE case_notes (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          case_id TEXT NOT NULL REFERENCES account_cases (id),
          author TEXT NOT NULL,
          at INTEGER NOT NULL,
          text TEXT NOT NULL
        );
        CREATE INDEX case_notes_case ON case_notes (case_id, id);
        CREATE TABLE case_events (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          case_id TEXT NOT NULL REFERENCES account_cases (id),
          at INTEGER NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          old_value TEXT,
          new_value TEXT
        );
        CREATE INDEX case_events_case ON case_events (case_id, id);
        ALTER TABLE transactions ADD COLUMN case_id TEXT;
        CREATE INDEX transactions_ungrouped ON transactions (decided_at, transaction_id)
          WHERE case_id IS NULL AND outcome IN ('review', 'block_and_review');`,
      postgres: `
        CREATE TABLE account_cases (
          id TEXT PRIMARY KEY,
          account_id TEXT NOT NULL,
          status TEXT NOT NULL,
          assignee TEXT,
          queue TEXT,
          priority BIGINT NOT NULL,
          max_score DOUBLE PRECISION NOT NULL,
          max_amount DOUBLE PRECISION NOT NULL,
          alert_count INTEGER NOT NULL,
          reason_codes TEXT NOT NULL,
          opened_at BIGINT NOT NULL,
          last_alert_at BIGINT NOT NULL,
          updated_at BIGINT NOT NULL,
          closed_at BIGINT,
          closed_by TEXT,
          needs_routing INTEGER NOT NULL
        );
        CREATE INDEX account_cases_status_priority ON account_cases (status, priority DESC, opened_at, id);
        CREATE INDEX account_cases_status_age ON account_cases (status, opened_at, id);
        CREATE INDEX account_cases_assignee ON account_cases (assignee, status);
        CREATE INDEX account_cases_queue ON account_cases (queue, status, opened_at, id);
        CREATE INDEX account_cases_active_account ON account_cases (account_id, last_alert_at)
          WHERE status IN ('open', 'in_review', 'escalated');
        CREATE INDEX account_cases_to_route ON account_cases (opened_at) WHERE needs_routing = 1;
        CREATE TABLE case_alerts (
          transaction_id TEXT PRIMARY KEY,
          case_id TEXT NOT NULL REFERENCES account_cases (id),
          added_at BIGINT NOT NULL
        );
        CREATE INDEX case_alerts_case ON case_alerts (case_id);
        CREATE TABLE case_notes (
          id BIGSERIAL PRIMARY KEY,
          case_id TEXT NOT NULL REFERENCES account_cases (id),
          author TEXT NOT NULL,
          at BIGINT NOT NULL,
          text TEXT NOT NULL
        );
        CREATE INDEX case_notes_case ON case_notes (case_id, id);
        CREATE TABLE case_events (
          id BIGSERIAL PRIMARY KEY,
          case_id TEXT NOT NULL REFERENCES account_cases (id),
          at BIGINT NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          old_value TEXT,
          new_value TEXT
        );
        CREATE INDEX case_events_case ON case_events (case_id, id);
        ALTER TABLE transactions ADD COLUMN case_id TEXT;
        CREATE INDEX transactions_ungrouped ON transactions (decided_at, transaction_id)
          WHERE case_id IS NULL AND outcome IN ('review', 'block_and_review');`,
    },
  },
];

export const LATEST_SCHEMA = MIGRATIONS[MIGRATIONS.length - 1]!.version;
