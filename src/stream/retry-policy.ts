/**
 * How a worker treats a dependency that fails: exponential backoff with full jitter between redeliveries, and a
 * circuit breaker that stops fetching for a while after repeated failures instead of hammering a database
 * that is down. Both are reported in /health and /metrics.
 */

/** Delay before delivery `attempt` (1-based) is retried: random in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelay(attempt: number, baseMs = 200, maxMs = 30_000, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}

export type BreakerState = 'closed' | 'open' | 'half_open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private stateNow: BreakerState = 'closed';

  constructor(
    /** Consecutive failures that open the circuit. */
    readonly threshold = 3,
    /** How long it stays open before one trial batch is let through. */
    readonly coolDownMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (this.stateNow === 'open' && this.now() - this.openedAt >= this.coolDownMs)
      this.stateNow = 'half_open';
    return this.stateNow;
  }

  /** Milliseconds until a trial is allowed (0 when closed or half open). */
  get waitMs(): number {
    return this.state === 'open' ? this.coolDownMs - (this.now() - this.openedAt) : 0;
  }

  success(): void {
    this.failures = 0;
    this.stateNow = 'closed';
  }

  failure(): void {
    this.failures++;
    if (this.stateNow === 'half_open' || this.failures >= this.threshold) {
      this.stateNow = 'open';
      this.openedAt = this.now();
    }
  }
}
