/**
 * Rule snoozes as the store keeps them (issue 17): created and ended through this process (audited, stored before
 * the engine takes them), and the ones other processes on the store create or end followed by polling, as
 * StoredDecisionState follows rules. A poll reads the active snoozes (at most MAX_ACTIVE_SNOOZES) and swaps a new
 * index into the engine; expired snoozes drop out of it at the next poll, and the engine itself ignores a snooze
 * past its end meanwhile (it compares with the transaction's time).
 */
import { randomUUID } from 'node:crypto';
import type { Engine } from '../engine/engine.ts';
import { SnoozeIndex, type SnoozeEntityType } from '../engine/rule-snoozes.ts';
import { MAX_SNOOZES, type RuleSnoozeRecord, type SnoozeEnd } from '../store/snooze-queries.ts';
import type { DecisionStore, NewAuditEntry } from '../store/types.ts';

/** Active snoozes a store may hold: each process keeps them all in memory and reads them all at every poll. */
export const MAX_ACTIVE_SNOOZES = MAX_SNOOZES;

export interface NewSnooze {
  rule_id: string;
  entity_type: SnoozeEntityType;
  entity_id: string;
  until: number;
  reason: string;
}

export type CreateSnoozeResult = { kind: 'created'; snooze: RuleSnoozeRecord } | { kind: 'too_many' };

export class StoredSnoozes {
  private timer: ReturnType<typeof setInterval> | null = null;
  private polling = false;
  /** Reloads run one at a time, so an older read never replaces a newer one. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly engine: Engine,
    private readonly store: DecisionStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Puts the active snoozes of the store in force. */
  load(): Promise<void> {
    return this.oneAtATime(() => this.reload());
  }

  /** Stores a snooze with its audit entry (`rule_snoozed`), then puts it in force here at once. */
  create(next: NewSnooze, actor: string): Promise<CreateSnoozeResult> {
    return this.oneAtATime(async (): Promise<CreateSnoozeResult> => {
      const at = this.now();
      const active = await this.store.listSnoozes({ active: true, at, limit: MAX_ACTIVE_SNOOZES });
      if (active.length >= MAX_ACTIVE_SNOOZES) return { kind: 'too_many' };
      const snooze: RuleSnoozeRecord = {
        id: `snz-${randomUUID()}`,
        ...next,
        created_at: at,
        created_by: actor,
        ended_at: null,
        ended_by: null,
      };
      await this.store.createSnooze(snooze, this.auditEntry(actor, 'rule_snoozed', null, snooze, at));
      this.engine.setSnoozes(new SnoozeIndex([...active, snooze]));
      return { kind: 'created', snooze };
    });
  }

  /** Ends a snooze now (audited as `rule_snooze_ended`); null for an unknown id. */
  end(id: string, actor: string, note: string | null): Promise<SnoozeEnd | null> {
    return this.oneAtATime(async () => {
      const at = this.now();
      const ended = await this.store.endSnooze(id, at, actor, {
        ...this.auditEntry(actor, 'rule_snooze_ended', null, null, at),
        new_value: JSON.stringify({ id, ended_at: at, ended_by: actor }),
        note,
      });
      if (ended?.result === 'ended') await this.reload();
      return ended;
    });
  }

  /** Follows the snoozes other processes create and end: the store is read every `everyMs`, off the decision path. */
  follow(everyMs: number, log: (line: string) => void = () => undefined): () => void {
    this.stopFollowing();
    const timer = setInterval(() => void this.poll(log), everyMs);
    timer.unref();
    this.timer = timer;
    return () => this.stopFollowing();
  }

  stopFollowing(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One look at the store; one that cannot answer leaves the snoozes in force and is asked again next time. */
  async poll(log: (line: string) => void = () => undefined): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.oneAtATime(() => this.reload());
    } catch (e) {
      log(`rule snoozes not followed this time: ${(e as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  private async reload(): Promise<void> {
    const active = await this.store.listSnoozes({ active: true, at: this.now(), limit: MAX_ACTIVE_SNOOZES });
    this.engine.setSnoozes(new SnoozeIndex(active));
  }

  private oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work, work);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private auditEntry(
    actor: string,
    action: string,
    oldValue: RuleSnoozeRecord | null,
    newValue: RuleSnoozeRecord | null,
    at: number,
  ): NewAuditEntry {
    return {
      at,
      actor,
      action,
      transaction_id: null,
      old_value: oldValue === null ? null : JSON.stringify(oldValue),
      new_value: newValue === null ? null : JSON.stringify(newValue),
      note: null,
    };
  }
}
