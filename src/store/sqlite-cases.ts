/**
 * Account cases on the embedded store (issue 17). Each change is one IMMEDIATE transaction on the store's
 * connection (the file's write lock: one writer of every process at a time), with its timeline entry and, for a
 * person's change, its chained audit entry. The writer thread only inserts decisions; it waits (busy timeout) for
 * the short transactions here, so a sweep groups a bounded number of decisions at a time.
 */
import type Database from 'better-sqlite3';
import {
  caseFacts,
  caseStatusChange,
  CLOSED_CASE_UNASSIGNABLE,
  labelStatusOf,
} from '../cases/case-lifecycle.ts';
import {
  isClosedStatus,
  type AccountCase,
  type AccountCaseStatus,
  type Assignment,
  type CaseChange,
  type CaseClose,
  type CaseDetail,
  type CaseNote,
  type CaseQuery,
  type CaseStore,
  type GroupingResult,
  type QueueBacklog,
} from '../cases/case-types.ts';
import { firstMatchingQueue, queuesInOrder, type QueueRecord } from '../cases/queue-model.ts';
import { dealCases } from '../cases/round-robin.ts';
import { GroupingPlan } from '../cases/grouping-plan.ts';
import {
  ALERT_STATUSES_SQL,
  ALERTS_OF_CASE_SQL,
  ASSIGNED_LOAD_SQL,
  AUTO_ASSIGN_SQL,
  BACKLOG_SQL,
  CASE_BY_ID_SQL,
  CASE_COLUMNS,
  CASE_OF_TRANSACTION_SQL,
  caseAuditEntry,
  caseFactValues,
  caseValues,
  EVENTS_OF_CASE_SQL,
  eventValues,
  foldBacklog,
  fromAlertRow,
  fromCaseRow,
  fromEventRow,
  fromNoteRow,
  fromUngroupedRow,
  INSERT_ALERT_SQL,
  INSERT_CASE_SQL,
  INSERT_EVENT_SQL,
  INSERT_NOTE_SQL,
  JOINABLE_CASE_SQL,
  LABEL_TRANSACTION_SQL,
  MARK_GROUPED_SQL,
  NOTES_OF_CASE_SQL,
  QUEUE_UNASSIGNED_SQL,
  ROUTED_SQL,
  SET_ASSIGNEE_SQL,
  SET_CASE_STATUS_SQL,
  SET_QUEUE_SQL,
  TO_ROUTE_SQL,
  TOUCH_CASE_SQL,
  UNGROUPED_SQL,
  UPDATE_CASE_FACTS_SQL,
  type AlertRow,
  type CaseRow,
  type NewCaseEvent,
  type UngroupedRow,
} from './case-queries.ts';
import { caseLimit, caseOrder, caseWhere, encodeCaseCursor } from './case-list-query.ts';
import { LIST_QUEUES_SQL, fromQueueRow, SET_LAST_ASSIGNED_SQL } from './queue-queries.ts';
import type { NewAuditEntry, Page } from './types.ts';
import type { CaseSweepOp } from './sqlite-writer-thread.ts';

const q = (): string => '?';

export class SqliteCases implements CaseStore {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    /** The store's IMMEDIATE transaction and its chained audit append (sqlite-store.ts). */
    private readonly atomically: <T>(work: () => T) => T,
    private readonly appendAudit: (entry: NewAuditEntry) => void,
    /**
     * Where the sweep's writes run instead of this connection: the store's writer thread, when it has one
     * (sqlite-writer-thread.ts says why). Null runs them here (the thread itself, an in-memory store).
     */
    private readonly sweepElsewhere: ((op: CaseSweepOp, args: unknown[]) => Promise<unknown>) | null = null,
  ) {}

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private event(e: NewCaseEvent): void {
    this.stmt(INSERT_EVENT_SQL(q)).run(...eventValues(e));
  }

  /** A person's change: the timeline entry and the audit entry. */
  private recorded(e: NewCaseEvent, note: string | null = null): void {
    this.event(e);
    this.appendAudit(caseAuditEntry(e, note));
  }

  private read(id: string): AccountCase | null {
    const row = this.stmt(CASE_BY_ID_SQL(q)).get(id) as CaseRow | undefined;
    return row === undefined ? null : fromCaseRow(row);
  }

  async groupAlerts(windowMs: number, at: number, limit: number): Promise<GroupingResult> {
    if (this.sweepElsewhere !== null)
      return (await this.sweepElsewhere('groupAlerts', [windowMs, at, limit])) as GroupingResult;
    // Looked for before the IMMEDIATE transaction: a pass with nothing to group then takes no write lock, whose
    // wait for the writer thread's commit would sleep the decision path's thread.
    if (this.stmt(UNGROUPED_SQL(q)).get(1) === undefined) return new GroupingPlan(windowMs, at).result(0);
    return this.atomically((): GroupingResult => {
      const alerts = (this.stmt(UNGROUPED_SQL(q)).all(limit) as UngroupedRow[]).map(fromUngroupedRow);
      const plan = new GroupingPlan(windowMs, at);
      const system = (case_id: string, action: NewCaseEvent['action'], value: string): void =>
        this.event({ case_id, at, actor: 'system', action, old_value: null, new_value: value });
      for (const alert of alerts) {
        let target = plan.known(alert);
        if (target === undefined) {
          const row = this.stmt(JOINABLE_CASE_SQL(q)).get(
            alert.account_id,
            alert.decided_at - windowMs,
            alert.decided_at + windowMs,
          ) as CaseRow | undefined;
          target = row === undefined ? undefined : plan.asLeft(fromCaseRow(row));
        }
        const placed = plan.place(alert, target);
        if (placed.opened) {
          this.stmt(INSERT_CASE_SQL(q)).run(...caseValues(placed.case, true));
          system(placed.case.id, 'opened', alert.account_id);
        } else this.stmt(UPDATE_CASE_FACTS_SQL(q)).run(...caseFactValues(placed.case));
        this.stmt(INSERT_ALERT_SQL(q)).run(alert.transaction_id, placed.case.id, at);
        this.stmt(MARK_GROUPED_SQL(q)).run(placed.case.id, alert.transaction_id);
        system(placed.case.id, 'alert_added', alert.transaction_id);
      }
      return plan.result(alerts.length);
    });
  }

  async routeCases(queues: readonly QueueRecord[], at: number): Promise<number> {
    if (this.sweepElsewhere !== null)
      return (await this.sweepElsewhere('routeCases', [queues, at])) as number;
    const ordered = queuesInOrder(queues);
    const names = ordered.map((x) => x.name);
    if (this.stmt(TO_ROUTE_SQL(q, names.length)).get(...names) === undefined) return 0; // as in groupAlerts
    return this.atomically(() => {
      const rows = this.stmt(TO_ROUTE_SQL(q, names.length)).all(...names) as CaseRow[];
      let changed = 0;
      for (const c of rows.map(fromCaseRow)) {
        const queue = firstMatchingQueue(ordered, caseFacts(c))?.name ?? null;
        if (queue === c.queue) {
          this.stmt(ROUTED_SQL(q)).run(c.id);
          continue;
        }
        this.stmt(SET_QUEUE_SQL(q)).run(queue, at, c.id);
        this.event({
          case_id: c.id,
          at,
          actor: 'system',
          action: 'routed',
          old_value: c.queue,
          new_value: queue,
        });
        changed++;
      }
      return changed;
    });
  }

  async assignCases(at: number): Promise<Assignment[]> {
    if (this.sweepElsewhere !== null) return (await this.sweepElsewhere('assignCases', [at])) as Assignment[];
    return this.atomically(() => {
      const queues = queuesInOrder((this.stmt(LIST_QUEUES_SQL).all() as never[]).map(fromQueueRow));
      const load = new Map(
        (this.stmt(ASSIGNED_LOAD_SQL).all() as { assignee: string; n: number }[]).map((r) => [
          r.assignee,
          r.n,
        ]),
      );
      const out: Assignment[] = [];
      for (const queue of queues) {
        const room = queue.members.reduce((n, m) => n + Math.max(0, m.capacity - (load.get(m.name) ?? 0)), 0);
        if (room === 0) continue;
        const ids = (this.stmt(QUEUE_UNASSIGNED_SQL(q)).all(queue.name, room) as { id: string }[]).map(
          (r) => r.id,
        );
        const dealt = dealCases(ids, queue.members, load, queue.last_assigned);
        for (const a of dealt.assignments) {
          this.stmt(AUTO_ASSIGN_SQL(q)).run(a.member, at, a.case_id);
          this.event({
            case_id: a.case_id,
            at,
            actor: 'system',
            action: 'assigned',
            old_value: null,
            new_value: a.member,
          });
          load.set(a.member, (load.get(a.member) ?? 0) + 1);
          out.push({ case_id: a.case_id, queue: queue.name, assignee: a.member });
        }
        if (dealt.assignments.length > 0)
          this.stmt(SET_LAST_ASSIGNED_SQL(q)).run(dealt.last_assigned, queue.name);
      }
      return out;
    });
  }

  async listCases(query: CaseQuery): Promise<Page<AccountCase>> {
    const limit = caseLimit(query);
    const { where, params } = caseWhere(query, q, true);
    const rows = this.stmt(
      `SELECT ${CASE_COLUMNS} FROM account_cases WHERE ${where} ORDER BY ${caseOrder(query)} LIMIT ?`,
    ).all(...params, limit) as CaseRow[];
    const items = rows.map(fromCaseRow);
    const last = items[items.length - 1];
    return {
      items,
      next_cursor: items.length === limit && last ? encodeCaseCursor(query.sort, last) : null,
    };
  }

  async countCases(query: CaseQuery): Promise<number> {
    const { where, params } = caseWhere(query, q, false);
    return (
      this.stmt(`SELECT COUNT(*) AS n FROM account_cases WHERE ${where}`).get(...params) as { n: number }
    ).n;
  }

  async getCase(id: string): Promise<CaseDetail | null> {
    const c = this.read(id);
    if (c === null) return null;
    return {
      ...c,
      alerts: (this.stmt(ALERTS_OF_CASE_SQL(q)).all(id) as AlertRow[]).map(fromAlertRow),
      notes: (this.stmt(NOTES_OF_CASE_SQL(q)).all(id) as Record<string, unknown>[]).map(fromNoteRow),
      timeline: (this.stmt(EVENTS_OF_CASE_SQL(q)).all(id) as Record<string, unknown>[]).map(fromEventRow),
    };
  }

  async assignCase(
    id: string,
    assignee: string | null,
    actor: string,
    at: number,
  ): Promise<CaseChange | null> {
    return this.atomically((): CaseChange | null => {
      const c = this.read(id);
      if (c === null) return null;
      if (isClosedStatus(c.status)) return { result: 'refused', case: c, reason: CLOSED_CASE_UNASSIGNABLE };
      if (c.assignee === assignee) return { result: 'unchanged', case: c };
      this.stmt(SET_ASSIGNEE_SQL(q)).run(assignee, at, assignee === null ? 1 : 0, id);
      this.recorded({
        case_id: id,
        at,
        actor,
        action: assignee === null ? 'unassigned' : 'assigned',
        old_value: c.assignee,
        new_value: assignee,
      });
      return { result: 'changed', case: { ...c, assignee, updated_at: at } };
    });
  }

  private insertNote(id: string, author: string, text: string, at: number): CaseNote {
    const { id: noteId } = this.stmt(INSERT_NOTE_SQL(q)).get(id, author, at, text) as { id: number };
    this.stmt(TOUCH_CASE_SQL(q)).run(at, id);
    this.recorded(
      { case_id: id, at, actor: author, action: 'note_added', old_value: null, new_value: String(noteId) },
      text,
    );
    return { id: noteId, case_id: id, author, at, text };
  }

  async addCaseNote(id: string, author: string, text: string, at: number): Promise<CaseNote | null> {
    return this.atomically(() => (this.read(id) === null ? null : this.insertNote(id, author, text, at)));
  }

  async setCaseStatus(
    id: string,
    status: AccountCaseStatus,
    actor: string,
    note: string | null,
    at: number,
  ): Promise<CaseClose | null> {
    return this.atomically((): CaseClose | null => {
      const c = this.read(id);
      if (c === null) return null;
      const { result, reason } = caseStatusChange(c.status, status);
      if (result !== 'changed') return { result, case: c, labelled: [], ...(reason ? { reason } : {}) };
      const closing = isClosedStatus(status);
      const after: AccountCase = {
        ...c,
        status,
        closed_at: closing ? at : null,
        closed_by: closing ? actor : null,
        updated_at: at,
      };
      // A reopened case is routed again: it may have been dealt out of a queue that since changed.
      this.stmt(SET_CASE_STATUS_SQL(q)).run(
        status,
        after.closed_at,
        after.closed_by,
        at,
        closing ? 0 : 1,
        id,
      );
      this.recorded(
        { case_id: id, at, actor, action: 'status_changed', old_value: c.status, new_value: status },
        note,
      );
      const labelled: CaseClose['labelled'] = [];
      const label = labelStatusOf(status);
      if (label !== null) {
        const rows = this.stmt(ALERT_STATUSES_SQL(q)).all(id) as {
          transaction_id: string;
          merchant_id: string | null;
          status: string;
        }[];
        for (const row of rows) {
          if (row.status === label) continue;
          this.stmt(LABEL_TRANSACTION_SQL(q)).run(label, at, row.transaction_id);
          // The same entry a verdict writes, so the label feed and the verdict history see it as one.
          this.appendAudit({
            at,
            actor,
            action: 'status_change',
            transaction_id: row.transaction_id,
            old_value: row.status,
            new_value: label,
            note: `case ${id}`,
          });
          labelled.push({
            transaction_id: row.transaction_id,
            merchant_id: row.merchant_id,
            fraud: label === 'confirmed_fraud',
          });
        }
      }
      if (note !== null) this.insertNote(id, actor, note, at);
      return { result: 'changed', case: after, labelled };
    });
  }

  async caseBacklog(): Promise<QueueBacklog[]> {
    const queues = (this.stmt(LIST_QUEUES_SQL).all() as never[]).map(fromQueueRow);
    return foldBacklog(this.stmt(BACKLOG_SQL).all() as never[], queues);
  }

  async caseOfTransaction(transactionId: string): Promise<string | null> {
    const row = this.stmt(CASE_OF_TRANSACTION_SQL(q)).get(transactionId) as { case_id: string } | undefined;
    return row?.case_id ?? null;
  }
}
