/**
 * A proposed rule set tried on decisions already made: which rules would fire, how many of those transactions
 * analysts confirmed as fraud or legitimate, and how many outcomes would change. It reuses the features each
 * decision saw and its stored model score, so it answers in milliseconds and never touches live state.
 */
import {
  combinedScore,
  outcomeForScore,
  outcomeSeverity,
  OUTCOMES,
  type Decision,
  type Outcome,
  type Thresholds,
} from '../decision.ts';
import type { Transaction } from '../transaction.ts';
import type { CompiledRuleSet } from './compile.ts';

/** A decision as stored: what was decided, its model score, its review status and the features it saw. */
export interface DryRunRow {
  transaction: Transaction;
  decision: Pick<Decision, 'outcome' | 'model_score'>;
  status: string;
  features: Float64Array | null;
}

export interface RuleDryRun {
  rule: string;
  fired: number;
  confirmed_fraud: number;
  legitimate: number;
}

export interface DryRunResult {
  version: string;
  /** Decisions the rules were tried on. */
  evaluated: number;
  /** Decisions stored without features (made before they were kept), left out. */
  skipped: number;
  /** Decisions where at least one rule fired, and how analysts judged those. */
  fired: number;
  fired_confirmed_fraud: number;
  fired_legitimate: number;
  /** Verdicts among all evaluated decisions, to put the above in proportion. */
  confirmed_fraud: number;
  legitimate: number;
  /** Outcomes under the proposed rules (current thresholds), and how many differ from what was decided. */
  outcomes: Record<Outcome, number>;
  changed: number;
  rules: RuleDryRun[];
}

/**
 * A dry run fed in slices, so a caller can hand control back between them (the HTTP route yields to the event
 * loop every few hundred rows, so a large dry run never holds up decisions). `result` is complete after any
 * slice.
 */
export class DryRunTally {
  readonly result: DryRunResult;
  private readonly perRule: RuleDryRun[];

  constructor(
    private readonly rules: CompiledRuleSet,
    private readonly thresholds: Thresholds,
  ) {
    this.perRule = rules.rules.map((r) => ({ rule: r.ref, fired: 0, confirmed_fraud: 0, legitimate: 0 }));
    this.result = {
      version: rules.version,
      evaluated: 0,
      skipped: 0,
      fired: 0,
      fired_confirmed_fraud: 0,
      fired_legitimate: 0,
      confirmed_fraud: 0,
      legitimate: 0,
      outcomes: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>,
      changed: 0,
      rules: this.perRule,
    };
  }

  /** Rows `from` (inclusive) to `to` (exclusive) of `rows`. */
  add(rows: readonly DryRunRow[], from = 0, to = rows.length): void {
    const result = this.result;
    for (let r = from; r < to; r++) {
      const row = rows[r]!;
      if (row.features === null) {
        result.skipped++;
        continue;
      }
      result.evaluated++;
      const fraud = row.status === 'confirmed_fraud';
      const legit = row.status === 'legitimate';
      if (fraud) result.confirmed_fraud++;
      if (legit) result.legitimate++;
      let keep = 1;
      let forced: Outcome | null = null;
      let anyFired = false;
      this.rules.rules.forEach((rule, i) => {
        if (!rule.test(row.transaction, row.features!)) return;
        anyFired = true;
        const counts = this.perRule[i]!;
        counts.fired++;
        if (fraud) counts.confirmed_fraud++;
        if (legit) counts.legitimate++;
        if (rule.outcome !== null) {
          if (forced === null || outcomeSeverity(rule.outcome) > outcomeSeverity(forced))
            forced = rule.outcome;
        } else keep *= 1 - rule.score;
      });
      if (anyFired) {
        result.fired++;
        if (fraud) result.fired_confirmed_fraud++;
        if (legit) result.fired_legitimate++;
      }
      // A bypassed decision had no model score; it is judged on the rules alone, as bypass off would have.
      const outcome =
        forced ?? outcomeForScore(combinedScore(1 - keep, row.decision.model_score), this.thresholds);
      result.outcomes[outcome]++;
      if (outcome !== row.decision.outcome) result.changed++;
    }
  }
}

export function dryRunRules(
  rules: CompiledRuleSet,
  rows: readonly DryRunRow[],
  thresholds: Thresholds,
): DryRunResult {
  const tally = new DryRunTally(rules, thresholds);
  tally.add(rows);
  return tally.result;
}
