/**
 * The distinct accounts among a merchant's recent fraud labels: a common point of compromise (a skimmed
 * terminal, a breached shop) shows as fraud on many different cards, while one stolen card spending at a
 * merchant shows as several fraud labels from a single account. Counting labels cannot tell the two apart.
 *
 * Each fraud label is kept as (time it became known, account hash, when the same account's previous fraud label
 * here became known). An account counts in a window (t - W, t] once: at its first label inside the window, the
 * one whose previous label is at or before t - W. Labels are appended in the order they become known (the label
 * queue drains in that order), so the previous label is known when a label is added and a query is one pass over
 * the kept labels, with no set to build. Only merchants with a fraud label hold one of these.
 */

/** Fraud labels kept per merchant; past it the oldest are forgotten and the counts saturate near this. */
export const MAX_FRAUD_LABELS = 128;

/** distinct()'s answer (both of distinctTwo's windows the same). */
const oneWindow = new Float64Array(2);

export class FraudAccounts {
  private readonly knownAt = new Float64Array(MAX_FRAUD_LABELS);
  private readonly previousKnownAt = new Float64Array(MAX_FRAUD_LABELS);
  private readonly account = new Int32Array(MAX_FRAUD_LABELS);
  /** Ring: the oldest kept label is at `start`, `size` labels in order. */
  private start = 0;
  private size = 0;

  static readonly bytes = MAX_FRAUD_LABELS * 20 + 16;

  /** Records a fraud label of account hash `account` (0: unknown, counted as an account of its own) known at `at`. */
  add(at: number, account: number): void {
    // The same account's latest label at or before `at` is this one's previous; a label of it known later (one
    // that arrived first) now has this one before it. Labels come in order almost always; this keeps the
    // counts exact when they do not.
    let previous = -Infinity;
    let next = -1;
    for (let k = 0; k < this.size && account !== 0; k++) {
      const i = (this.start + k) % MAX_FRAUD_LABELS;
      if (this.account[i] !== account) continue;
      const known = this.knownAt[i]!;
      if (known <= at) {
        if (known > previous) previous = known;
      } else if (next < 0 || known < this.knownAt[next]!) {
        next = i;
      }
    }
    if (next >= 0 && this.previousKnownAt[next]! < at) this.previousKnownAt[next] = at;
    let slot: number;
    if (this.size < MAX_FRAUD_LABELS) {
      slot = (this.start + this.size) % MAX_FRAUD_LABELS;
      this.size++;
    } else {
      slot = this.start;
      this.start = (this.start + 1) % MAX_FRAUD_LABELS;
    }
    this.knownAt[slot] = at;
    this.previousKnownAt[slot] = previous;
    this.account[slot] = account;
  }

  /** Distinct accounts with a fraud label known in (t - windowMs, t]. */
  distinct(t: number, windowMs: number): number {
    this.distinctTwo(t, windowMs, windowMs, oneWindow, 0);
    return oneWindow[0]!;
  }

  /**
   * The distinct accounts of two windows (shortMs <= longMs) in one pass over the labels (the hot path asks for
   * both): writes distinct(t, shortMs) to out[at] and distinct(t, longMs) to out[at + 1]. Returns when the oldest
   * kept label of the long window became known (NaN when none is in it): how long the merchant has been showing
   * fraud. Past MAX_FRAUD_LABELS labels in the window, that is the oldest one kept.
   */
  distinctTwo(t: number, shortMs: number, longMs: number, out: Float64Array, at: number): number {
    const fromShort = t - shortMs;
    const fromLong = t - longMs;
    let short = 0;
    let long = 0;
    let oldest = NaN;
    for (let k = 0; k < this.size; k++) {
      const i = (this.start + k) % MAX_FRAUD_LABELS;
      const known = this.knownAt[i]!;
      if (known > t || known <= fromLong) continue;
      if (!(known >= oldest)) oldest = known;
      const previous = this.previousKnownAt[i]!;
      if (known > fromShort && previous <= fromShort) short++;
      if (previous <= fromLong) long++;
    }
    out[at] = short;
    out[at + 1] = long;
    return oldest;
  }
}
