/**
 * Imported labels (chargebacks, fraud reports) into this process's engine. Every label the store records, by
 * this process's API, by `fraudwatch labels import` or by another process on the same store, reaches
 * `engine.feedback` exactly once, with the time it became known (the engine applies it when transaction time
 * passes it, as it does verdicts), in the order the store recorded them (seq). The rebuild at start replays them
 * all through `catchUp`; `follow` then reads the new ones every interval, and the API route catches up right
 * after it records, so its own labels are in the engine before it answers.
 */
import type { Engine } from '../engine/engine.ts';
import type { DecisionStore } from '../store/types.ts';

export class LabelFeed {
  /** The last label handed to the engine (0: none yet). */
  private lastSeq = 0;
  /** Labels handed to the engine so far; those without a merchant are read but cannot feed merchant risk. */
  fed = 0;
  /** Catch-ups run one at a time, so no label is read, or fed, twice. */
  private turn: Promise<unknown> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | null = null;
  private failing = false;

  constructor(
    private readonly engine: Engine,
    private readonly store: DecisionStore,
    private readonly pageSize = 1000,
  ) {}

  /** The seq of the last label read. */
  get position(): number {
    return this.lastSeq;
  }

  /** Reads every label recorded since the last catch-up and feeds it; resolves with how many were fed. */
  catchUp(): Promise<number> {
    const run = this.turn.then(() => this.readAll());
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async readAll(): Promise<number> {
    let fed = 0;
    for (;;) {
      const page = await this.store.listLabels(this.lastSeq, this.pageSize);
      for (const label of page) {
        if (label.merchant_id !== null) {
          this.engine.feedback(
            label.transaction_id,
            label.fraud ? 'fraud' : 'legit',
            label.known_at,
            label.merchant_id,
            label.account_id ?? undefined,
          );
          fed++;
        }
        this.lastSeq = label.seq;
      }
      if (page.length < this.pageSize) break;
      // A long backlog is fed a page per turn of the event loop: no request waits for more than one page.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.fed += fed;
    return fed;
  }

  /** Catches up every `intervalMs` (the labels another process records reach this engine within about that). */
  follow(intervalMs: number, log: (line: string) => void = () => undefined): void {
    this.stop();
    this.timer = setInterval(() => {
      this.catchUp().then(
        (n) => {
          if (this.failing) log('imported labels: reading them again');
          this.failing = false;
          if (n > 0) log(`imported labels: ${n} new label(s) fed to the engine`);
        },
        (e: unknown) => {
          // Reported once per outage; the next interval tries again from the same position.
          if (!this.failing) log(`imported labels: cannot read them (${(e as Error).message}); retrying`);
          this.failing = true;
        },
      );
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
