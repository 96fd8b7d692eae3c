/**
 * `fraudwatch demo`: the main job until the service exists. Simulates traffic, scores it through the engine
 * (default rules + the stand-in heuristic model), feeds the true labels back after the label delay, and prints
 * the flagged decisions and a summary.
 */
import type { Command } from 'commander';
import { Engine } from '../engine/engine.ts';
import { HeuristicModel } from '../engine/heuristic-model.ts';
import { OUTCOMES, type Decision, type Outcome } from '../engine/decision.ts';
import { simulate } from '../simulator/index.ts';
import { positiveInt } from './options.ts';

interface DemoOptions {
  accounts: number;
  days: number;
  seed: number;
  show: number;
  json?: boolean;
}

function describe(
  decision: Decision,
  timestamp: number,
  amount: number,
  account: string,
  label: number,
  scenario: string,
): string {
  const why = decision.reasons
    .map((r) =>
      r.kind === 'rule'
        ? r.rule
        : `${r.feature}${r.contribution >= 0 ? '+' : ''}${r.contribution.toFixed(2)}`,
    )
    .join(', ');
  const truth = label === 1 ? `FRAUD(${scenario})` : 'legit';
  return `${new Date(timestamp).toISOString()} ${decision.transaction_id} ${account} ${amount.toFixed(2).padStart(10)} -> ${decision.outcome.padEnd(16)} score=${decision.score.toFixed(3)} truth=${truth} [${why}]`;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('simulate traffic, score it with the default rules, print flagged decisions and a summary')
    .option('--accounts <n>', 'simulated accounts', positiveInt('--accounts'), 2000)
    .option('--days <n>', 'simulated days', positiveInt('--days'), 14)
    .option('--seed <n>', 'simulator seed', positiveInt('--seed'), 42)
    .option('--show <n>', 'how many flagged decisions to print', positiveInt('--show'), 25)
    .option('--json', 'print only the summary as one JSON line')
    .action((opts: DemoOptions) => {
      const engine = new Engine({ models: [{ model: new HeuristicModel(), weight: 1 }] });
      const byOutcome: Record<Outcome, number> = { approve: 0, review: 0, block_and_review: 0, decline: 0 };
      let rows = 0;
      let frauds = 0;
      let caught = 0;
      let flagged = 0;
      let shown = 0;
      const started = performance.now();
      for (const row of simulate({ accounts: opts.accounts, days: opts.days, seed: opts.seed })) {
        const decision = engine.score(row.tx);
        // The truth arrives later, as chargebacks do: the engine sees it only after its label delay.
        engine.feedbackTransaction(row.tx, row.label === 1);
        rows++;
        byOutcome[decision.outcome]++;
        const isFlagged = decision.outcome !== 'approve';
        if (isFlagged) flagged++;
        if (row.label === 1) {
          frauds++;
          if (isFlagged) caught++;
        }
        if (isFlagged && !opts.json && shown < opts.show) {
          shown++;
          console.log(
            describe(decision, row.tx.timestamp, row.tx.amount, row.tx.account_id, row.label, row.scenario),
          );
        }
      }
      const seconds = (performance.now() - started) / 1000;
      const summary = {
        rows,
        frauds,
        flagged,
        ...Object.fromEntries(OUTCOMES.map((o) => [o, byOutcome[o]])),
        precision: flagged ? Number((caught / flagged).toFixed(4)) : 0,
        recall: frauds ? Number((caught / frauds).toFixed(4)) : 0,
        rules_version: engine.rulesVersion,
        model: 'heuristic-v1 (stand-in until a trained model is loaded)',
        tps: Math.round(rows / seconds),
      };
      if (opts.json) {
        console.log(JSON.stringify(summary));
      } else {
        console.log('');
        console.log(`scored ${rows} transactions in ${seconds.toFixed(2)} s (${summary.tps} tx/s)`);
        console.log(`outcomes: ${OUTCOMES.map((o) => `${o}=${byOutcome[o]}`).join(' ')}`);
        console.log(
          `fraud caught: ${caught}/${frauds} (recall ${summary.recall}), precision of flags ${summary.precision}`,
        );
      }
    });
}
