/**
 * Labels waiting to become known. A verdict given at time `at` is invisible to features until `at + delay`
 * (chargebacks and analyst verdicts arrive late, and a backtest must not see them early). A binary min-heap on
 * the time the label becomes known.
 */

export interface PendingLabel {
  knownAt: number;
  merchantId: string;
  /** hashValue of the transaction's account; 0 when the caller did not say. */
  accountHash: number;
  fraud: boolean;
}

export class LabelQueue {
  private readonly heap: PendingLabel[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(label: PendingLabel): void {
    const h = this.heap;
    h.push(label);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.knownAt <= label.knownAt) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = label;
  }

  /** Removes and hands over, in order, every label known at or before `now`. */
  drain(now: number, apply: (label: PendingLabel) => void): void {
    const h = this.heap;
    while (h.length > 0 && h[0]!.knownAt <= now) {
      const top = h[0]!;
      const last = h.pop()!;
      if (h.length > 0) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= h.length) break;
          const r = l + 1;
          const child = r < h.length && h[r]!.knownAt < h[l]!.knownAt ? r : l;
          if (h[child]!.knownAt >= last.knownAt) break;
          h[i] = h[child]!;
          i = child;
        }
        h[i] = last;
      }
      apply(top);
    }
  }
}
