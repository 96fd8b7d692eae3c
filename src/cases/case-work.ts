/**
 * What the API does with account cases beyond storing the change: a close labels its transactions (the store
 * sets their status in the close's own transaction), and each label then reaches this process's engine and the
 * webhooks exactly as a single verdict's does (verdict-label.ts); opened and closed cases are announced.
 */
import type { DecisionService } from '../service/decision-service.ts';
import { feedVerdictLabel } from '../service/verdict-label.ts';
import { caseClosedEvent, caseOpenedEvent } from './case-events.ts';
import {
  isClosedStatus,
  type AccountCase,
  type AccountCaseStatus,
  type CaseChange,
  type CaseClose,
  type CaseNote,
  type CaseStore,
} from './case-types.ts';

export class CaseWork {
  readonly store: CaseStore;

  constructor(private readonly service: DecisionService) {
    this.store = service.store.cases;
  }

  assign(id: string, assignee: string | null, actor: string): Promise<CaseChange | null> {
    return this.store.assignCase(id, assignee, actor, this.service.now());
  }

  addNote(id: string, author: string, text: string): Promise<CaseNote | null> {
    return this.store.addCaseNote(id, author, text, this.service.now());
  }

  /** A status change; a close's labels go to the engine and the webhooks once it is committed. */
  async setStatus(
    id: string,
    status: AccountCaseStatus,
    actor: string,
    note: string | null,
  ): Promise<CaseClose | null> {
    const at = this.service.now();
    const change = await this.store.setCaseStatus(id, status, actor, note, at);
    if (change === null || change.result !== 'changed' || !isClosedStatus(change.case.status)) return change;
    const { engine, events, metrics } = this.service;
    for (const label of change.labelled) {
      metrics?.reviews.inc({ status: label.fraud ? 'confirmed_fraud' : 'legitimate' });
      feedVerdictLabel(engine, events, { ...label, account_id: change.case.account_id }, actor, at);
    }
    events.publish(caseClosedEvent(change, actor, at));
    return change;
  }

  /** case.opened for the cases a grouping sweep opened. */
  announceOpened(opened: readonly AccountCase[]): void {
    for (const c of opened) this.service.events.publish(caseOpenedEvent(c));
  }
}
