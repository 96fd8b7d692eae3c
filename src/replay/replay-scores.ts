/**
 * The score, label, day and account of every replayed transaction, in growable typed arrays, and the
 * backtest's metrics over them.
 */
import { averagePrecision, cardPrecisionAtK, precisionRecallAt, rocAuc } from '../models/metrics.ts';

export class ReplayScores {
  private scores = new Float64Array(1 << 16);
  private labels = new Uint8Array(1 << 16);
  private days = new Int32Array(1 << 16);
  private accounts = new Int32Array(1 << 16);
  private readonly accountIndex = new Map<string, number>();
  private n = 0;
  frauds = 0;

  get size(): number {
    return this.n;
  }

  add(score: number, label: 0 | 1, day: number, account: string): void {
    if (this.n === this.scores.length) this.grow();
    let a = this.accountIndex.get(account);
    if (a === undefined) {
      a = this.accountIndex.size;
      this.accountIndex.set(account, a);
    }
    this.scores[this.n] = score;
    this.labels[this.n] = label;
    this.days[this.n] = day;
    this.accounts[this.n] = a;
    this.frauds += label;
    this.n++;
  }

  metrics(
    threshold: number,
    k: number,
  ): { auc: number; ap: number; cardPrecision: number; precision: number; recall: number; fpr: number } {
    const scores = this.scores.subarray(0, this.n);
    const labels = this.labels.subarray(0, this.n);
    const at = precisionRecallAt(scores, labels, threshold);
    return {
      auc: rocAuc(scores, labels),
      ap: averagePrecision(scores, labels),
      cardPrecision: cardPrecisionAtK(
        { scores, labels, days: this.days.subarray(0, this.n), accounts: this.accounts.subarray(0, this.n) },
        k,
      ),
      precision: at.precision,
      recall: at.recall,
      fpr: at.fpr,
    };
  }

  private grow(): void {
    const size = this.scores.length * 2;
    const scores = new Float64Array(size);
    scores.set(this.scores);
    const labels = new Uint8Array(size);
    labels.set(this.labels);
    const days = new Int32Array(size);
    days.set(this.days);
    const accounts = new Int32Array(size);
    accounts.set(this.accounts);
    this.scores = scores;
    this.labels = labels;
    this.days = days;
    this.accounts = accounts;
  }
}
