/**
 * Rebuilds the engine's account and merchant state from the store after a restart: the verdicts analysts gave
 * and the labels imported (merchant label risk), and the transactions decided within the longest feature window, recorded again in
 * decision order through the engine's own feature code (`Engine.record`), so every feature, present or future,
 * comes back as a never-restarted engine would have it.
 *
 * It runs beside live traffic, a page at a time with a turn of the event loop between pages, so no request waits
 * for more than one page. Only decisions made before it started are read: those made after are already in the
 * engine. Until it is done the service marks its decisions degraded and /health says how far it got.
 */
import type { Engine } from '../engine/engine.ts';
import { ALLOWED_LATENESS_MS, AccountArena } from '../engine/features/account-arena.ts';
import { ACCOUNT_WINDOWS_MS } from '../engine/features/catalog.ts';
import type { DecidedCursor, DecisionStore } from '../store/types.ts';
import { LabelFeed } from './label-feed.ts';

/** How far back decisions are recorded again: the longest account window plus the lateness it allows. */
export const REBUILD_HORIZON_MS = ACCOUNT_WINDOWS_MS[ACCOUNT_WINDOWS_MS.length - 1]! + ALLOWED_LATENESS_MS;

export interface RebuildProgress {
  state: 'rebuilding' | 'done' | 'failed';
  /** Decisions in [since, until) are recorded again (epoch ms, as ISO text in /health). */
  since: string;
  until: string;
  /** Decision time reached so far. */
  reached: string | null;
  /** Share of the time range covered, 0..1. */
  fraction: number;
  transactions: number;
  verdicts: number;
  /** Imported labels (chargebacks, fraud reports) fed to the engine. */
  labels: number;
  seconds: number;
  error?: string;
}

export interface RebuildOptions {
  /** Rows read per page; a page is recorded in one turn of the event loop. */
  pageSize?: number;
  now?: () => number;
  /**
   * Account state lives in a shared store (Redis) that kept it through the restart: only merchants are rebuilt.
   * Recording the history into the accounts too would count it twice once a lease writes them back.
   */
  accountsShared?: boolean;
  /**
   * Where imported labels come from: the service's own feed, so labels recorded after the rebuild are followed
   * from where it stopped, none twice. Default: a feed of its own.
   */
  labels?: LabelFeed;
}

export class StateRebuild {
  private state: RebuildProgress['state'] = 'rebuilding';
  private readonly since: number;
  private readonly until: number;
  private reached: number | null = null;
  private transactions = 0;
  private verdicts = 0;
  private readonly labels: LabelFeed;
  private labelsFed = 0;
  private readonly started = performance.now();
  private finished: number | null = null;
  private error: string | undefined;
  private readonly pageSize: number;
  private readonly accountsShared: boolean;
  /** Settles when the rebuild is over (it never rejects: a failure is reported in `progress`). */
  readonly finishedPromise: Promise<void>;

  constructor(
    private readonly engine: Engine,
    private readonly store: DecisionStore,
    options: RebuildOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 500;
    this.accountsShared = options.accountsShared ?? false;
    this.labels = options.labels ?? new LabelFeed(engine, store, this.pageSize * 10);
    this.until = (options.now ?? Date.now)();
    this.since = this.until - REBUILD_HORIZON_MS;
    this.finishedPromise = this.run();
  }

  get done(): boolean {
    return this.state === 'done';
  }

  get progress(): RebuildProgress {
    const reached = this.state === 'done' ? this.until : this.reached;
    return {
      state: this.state,
      since: new Date(this.since).toISOString(),
      until: new Date(this.until).toISOString(),
      reached: reached === null ? null : new Date(reached).toISOString(),
      fraction: reached === null ? 0 : (reached - this.since) / (this.until - this.since),
      transactions: this.transactions,
      verdicts: this.verdicts,
      labels: this.labelsFed,
      seconds: ((this.finished ?? performance.now()) - this.started) / 1000,
      ...(this.error === undefined ? {} : { error: this.error }),
    };
  }

  private async run(): Promise<void> {
    try {
      // Verdicts first: the engine applies each when transaction time passes the moment it was given, as it did
      // live, so the merchant features the history is recorded with see the labels known by then.
      let afterId: number | null = null;
      for (;;) {
        const page = await this.store.listVerdicts(afterId, this.pageSize * 10);
        for (const v of page) {
          this.engine.feedback(
            v.transaction_id,
            v.fraud ? 'fraud' : 'legit',
            v.at,
            v.merchant_id,
            v.account_id,
          );
        }
        this.verdicts += page.length;
        if (page.length < this.pageSize * 10) break;
        afterId = page[page.length - 1]!.audit_id;
        await nextTurn();
      }
      // Imported labels likewise, each at the time it became known (a chargeback weeks after its transaction).
      this.labelsFed = await this.labels.catchUp();
      let after: DecidedCursor | null = null;
      for (;;) {
        await nextTurn();
        const page = await this.store.decidedBetween(this.since, this.until, after, this.pageSize);
        // With shared accounts their side goes to a scratch arena, dropped with the page.
        const accounts = this.accountsShared ? new AccountArena() : undefined;
        for (const row of page) this.engine.record(row.transaction, accounts);
        this.transactions += page.length;
        const last = page[page.length - 1];
        if (last !== undefined) {
          this.reached = last.decided_at;
          after = { decided_at: last.decided_at, transaction_id: last.transaction.transaction_id };
        }
        if (page.length < this.pageSize) break;
      }
      this.state = 'done';
    } catch (e) {
      // The engine goes on with what it has; decisions stay marked degraded and /health says why.
      this.state = 'failed';
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      this.finished = performance.now();
    }
  }
}

/** Lets timers and sockets run between pages (an embedded store answers without ever yielding). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
