/**
 * Account cases on PostgreSQL (issue 17), shared by several serve processes. Grouping takes the ungrouped
 * decisions with FOR UPDATE SKIP LOCKED (a concurrent sweep takes others) and an advisory lock per account, taken
 * in account order, so two processes never open two cases for one account; routing skips the cases another
 * transaction holds; auto-assignment locks every queue row first (in name order), so the load it counts
 * against capacities is the committed one of every process.
 */
import type pg from 'pg';
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
  INSERT_CASE_SQL,
  INSERT_EVENT_SQL,
  INSERT_NOTE_SQL,
  JOINABLE_CASE_SQL,
  LABEL_TRANSACTION_SQL,
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
import { fromQueueRow, LIST_QUEUES_SQL, QUEUE_COLUMNS, SET_LAST_ASSIGNED_SQL } from './queue-queries.ts';
import type { Page } from './types.ts';
import type { PostgresAccess } from './webhook-postgres.ts';

const p = (n: number): string => `$${n}`;

/** A sweep's alerts, grouping marks and timeline entries, each written in one statement. */
const INSERT_ALERTS = `INSERT INTO case_alerts (transaction_id, case_id, added_at)
  SELECT tid, cid, $3 FROM unnest($1::text[], $2::text[]) AS v(tid, cid)`;
const MARK_GROUPED = `UPDATE transactions t SET case_id = v.cid
  FROM unnest($1::text[], $2::text[]) AS v(tid, cid) WHERE t.transaction_id = v.tid`;
const INSERT_EVENTS = `INSERT INTO case_events (case_id, at, actor, action, old_value, new_value)
  SELECT cid, $2, 'system', act, old, new
  FROM unnest($1::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS v(cid, act, old, new, n)
  ORDER BY n`;
/** Held to the end of the grouping transaction: one grouper per account at a time, in every process. */
const LOCK_ACCOUNTS = `SELECT pg_advisory_xact_lock(hashtext('case:' || a)) FROM unnest($1::text[]) AS a`;
const LOCK_QUEUES = `SELECT ${QUEUE_COLUMNS} FROM case_queues ORDER BY name FOR UPDATE`;

export class PostgresCases implements CaseStore {
  constructor(private readonly db: PostgresAccess) {}

  /** A person's change: the timeline entry and the audit entry, in the caller's transaction. */
  private async recorded(c: pg.PoolClient, e: NewCaseEvent, note: string | null = null): Promise<void> {
    await c.query(INSERT_EVENT_SQL(p), eventValues(e));
    await this.db.appendAudit(c, caseAuditEntry(e, note));
  }

  private async locked(c: pg.PoolClient, id: string): Promise<AccountCase | null> {
    const row = (await c.query<CaseRow>(CASE_BY_ID_SQL(p, ' FOR UPDATE'), [id])).rows[0];
    return row === undefined ? null : fromCaseRow(row);
  }

  private async systemEvents(c: pg.PoolClient, events: readonly NewCaseEvent[], at: number): Promise<void> {
    if (events.length === 0) return;
    await c.query(INSERT_EVENTS, [
      events.map((e) => e.case_id),
      at,
      events.map((e) => e.action),
      events.map((e) => e.old_value),
      events.map((e) => e.new_value),
    ]);
  }

  async groupAlerts(windowMs: number, at: number, limit: number): Promise<GroupingResult> {
    return this.db.inTransaction(async (c): Promise<GroupingResult> => {
      const rows = await c.query<UngroupedRow>(UNGROUPED_SQL(p, ' FOR UPDATE SKIP LOCKED'), [limit]);
      const alerts = rows.rows.map(fromUngroupedRow);
      if (alerts.length === 0) return { opened: [], joined: [], grouped: 0 };
      // Sorted: two sweeps take the locks of their common accounts in the same order (no deadlock).
      const accounts = [...new Set(alerts.map((a) => a.account_id))].sort();
      await c.query(LOCK_ACCOUNTS, [accounts]);
      const plan = new GroupingPlan(windowMs, at);
      const events: NewCaseEvent[] = [];
      const caseOf = new Map<string, string>();
      const system = (case_id: string, action: NewCaseEvent['action'], value: string): void => {
        events.push({ case_id, at, actor: 'system', action, old_value: null, new_value: value });
      };
      for (const alert of alerts) {
        let target = plan.known(alert);
        if (target === undefined) {
          const found = await c.query<CaseRow>(JOINABLE_CASE_SQL(p, ' FOR UPDATE'), [
            alert.account_id,
            alert.decided_at - windowMs,
            alert.decided_at + windowMs,
          ]);
          const row = found.rows[0];
          // This sweep's own changes are written at its end: a case it already changed is taken as it left it.
          target = row === undefined ? undefined : plan.asLeft(fromCaseRow(row));
        }
        const placed = plan.place(alert, target);
        if (placed.opened) system(placed.case.id, 'opened', alert.account_id);
        caseOf.set(alert.transaction_id, placed.case.id);
        system(placed.case.id, 'alert_added', alert.transaction_id);
      }
      // Cases are written as the sweep left them: opened ones inserted, joined ones updated, once each.
      for (const opening of plan.openedCases()) await c.query(INSERT_CASE_SQL(p), caseValues(opening, true));
      for (const joined of plan.joinedCases())
        await c.query(UPDATE_CASE_FACTS_SQL(p), caseFactValues(joined));
      const ids = alerts.map((a) => a.transaction_id);
      const caseIds = ids.map((id) => caseOf.get(id)!);
      await c.query(INSERT_ALERTS, [ids, caseIds, at]);
      await c.query(MARK_GROUPED, [ids, caseIds]);
      await this.systemEvents(c, events, at);
      return plan.result(alerts.length);
    });
  }

  async routeCases(queues: readonly QueueRecord[], at: number): Promise<number> {
    const ordered = queuesInOrder(queues);
    const names = ordered.map((x) => x.name);
    return this.db.inTransaction(async (c) => {
      const rows = await c.query<CaseRow>(TO_ROUTE_SQL(p, names.length, ' FOR UPDATE SKIP LOCKED'), names);
      const events: NewCaseEvent[] = [];
      for (const routed of rows.rows.map(fromCaseRow)) {
        const queue = firstMatchingQueue(ordered, caseFacts(routed))?.name ?? null;
        if (queue === routed.queue) {
          await c.query(ROUTED_SQL(p), [routed.id]);
          continue;
        }
        await c.query(SET_QUEUE_SQL(p), [queue, at, routed.id]);
        events.push({
          case_id: routed.id,
          at,
          actor: 'system',
          action: 'routed',
          old_value: routed.queue,
          new_value: queue,
        });
      }
      await this.systemEvents(c, events, at);
      return events.length;
    });
  }

  async assignCases(at: number): Promise<Assignment[]> {
    return this.db.inTransaction(async (c) => {
      const queues = queuesInOrder((await c.query<never>(LOCK_QUEUES)).rows.map(fromQueueRow));
      const loadRows = await c.query<{ assignee: string; n: number | string }>(ASSIGNED_LOAD_SQL);
      const load = new Map(loadRows.rows.map((r) => [r.assignee, Number(r.n)]));
      const out: Assignment[] = [];
      const events: NewCaseEvent[] = [];
      for (const queue of queues) {
        const room = queue.members.reduce((n, m) => n + Math.max(0, m.capacity - (load.get(m.name) ?? 0)), 0);
        if (room === 0) continue;
        const rows = await c.query<{ id: string }>(QUEUE_UNASSIGNED_SQL(p, ' FOR UPDATE SKIP LOCKED'), [
          queue.name,
          room,
        ]);
        const dealt = dealCases(
          rows.rows.map((r) => r.id),
          queue.members,
          load,
          queue.last_assigned,
        );
        for (const a of dealt.assignments) {
          await c.query(AUTO_ASSIGN_SQL(p), [a.member, at, a.case_id]);
          events.push({
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
          await c.query(SET_LAST_ASSIGNED_SQL(p), [dealt.last_assigned, queue.name]);
      }
      await this.systemEvents(c, events, at);
      return out;
    });
  }

  async listCases(query: CaseQuery): Promise<Page<AccountCase>> {
    const limit = caseLimit(query);
    const { where, params } = caseWhere(query, p, true);
    const { rows } = await this.db.query<CaseRow>(
      `SELECT ${CASE_COLUMNS} FROM account_cases WHERE ${where} ORDER BY ${caseOrder(query)} LIMIT $${params.length + 1}`,
      [...params, limit],
    );
    const items = rows.map(fromCaseRow);
    const last = items[items.length - 1];
    return {
      items,
      next_cursor: items.length === limit && last ? encodeCaseCursor(query.sort, last) : null,
    };
  }

  async countCases(query: CaseQuery): Promise<number> {
    const { where, params } = caseWhere(query, p, false);
    const { rows } = await this.db.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM account_cases WHERE ${where}`,
      params,
    );
    return Number(rows[0]!.n);
  }

  async getCase(id: string): Promise<CaseDetail | null> {
    const row = (await this.db.query<CaseRow>(CASE_BY_ID_SQL(p), [id])).rows[0];
    if (row === undefined) return null;
    const [alerts, notes, events] = await Promise.all([
      this.db.query<AlertRow>(ALERTS_OF_CASE_SQL(p), [id]),
      this.db.query<Record<string, unknown>>(NOTES_OF_CASE_SQL(p), [id]),
      this.db.query<Record<string, unknown>>(EVENTS_OF_CASE_SQL(p), [id]),
    ]);
    return {
      ...fromCaseRow(row),
      alerts: alerts.rows.map(fromAlertRow),
      notes: notes.rows.map(fromNoteRow),
      timeline: events.rows.map(fromEventRow),
    };
  }

  async assignCase(
    id: string,
    assignee: string | null,
    actor: string,
    at: number,
  ): Promise<CaseChange | null> {
    return this.db.inTransaction(async (c): Promise<CaseChange | null> => {
      const current = await this.locked(c, id);
      if (current === null) return null;
      if (isClosedStatus(current.status))
        return { result: 'refused', case: current, reason: CLOSED_CASE_UNASSIGNABLE };
      if (current.assignee === assignee) return { result: 'unchanged', case: current };
      await c.query(SET_ASSIGNEE_SQL(p), [assignee, at, assignee === null ? 1 : 0, id]);
      await this.recorded(c, {
        case_id: id,
        at,
        actor,
        action: assignee === null ? 'unassigned' : 'assigned',
        old_value: current.assignee,
        new_value: assignee,
      });
      return { result: 'changed', case: { ...current, assignee, updated_at: at } };
    });
  }

  private async insertNote(
    c: pg.PoolClient,
    id: string,
    author: string,
    text: string,
    at: number,
  ): Promise<CaseNote> {
    const inserted = await c.query<{ id: number }>(INSERT_NOTE_SQL(p), [id, author, at, text]);
    const noteId = Number(inserted.rows[0]!.id);
    await c.query(TOUCH_CASE_SQL(p), [at, id]);
    await this.recorded(
      c,
      { case_id: id, at, actor: author, action: 'note_added', old_value: null, new_value: String(noteId) },
      text,
    );
    return { id: noteId, case_id: id, author, at, text };
  }

  async addCaseNote(id: string, author: string, text: string, at: number): Promise<CaseNote | null> {
    return this.db.inTransaction(async (c) =>
      (await this.locked(c, id)) === null ? null : this.insertNote(c, id, author, text, at),
    );
  }

  async setCaseStatus(
    id: string,
    status: AccountCaseStatus,
    actor: string,
    note: string | null,
    at: number,
  ): Promise<CaseClose | null> {
    return this.db.inTransaction(async (c): Promise<CaseClose | null> => {
      const current = await this.locked(c, id);
      if (current === null) return null;
      const { result, reason } = caseStatusChange(current.status, status);
      if (result !== 'changed') return { result, case: current, labelled: [], ...(reason ? { reason } : {}) };
      const closing = isClosedStatus(status);
      const after: AccountCase = {
        ...current,
        status,
        closed_at: closing ? at : null,
        closed_by: closing ? actor : null,
        updated_at: at,
      };
      // A reopened case is routed again: it may have been dealt out of a queue that since changed.
      await c.query(SET_CASE_STATUS_SQL(p), [
        status,
        after.closed_at,
        after.closed_by,
        at,
        closing ? 0 : 1,
        id,
      ]);
      await this.recorded(
        c,
        { case_id: id, at, actor, action: 'status_changed', old_value: current.status, new_value: status },
        note,
      );
      const labelled: CaseClose['labelled'] = [];
      const label = labelStatusOf(status);
      if (label !== null) {
        const rows = await c.query<{ transaction_id: string; merchant_id: string | null; status: string }>(
          ALERT_STATUSES_SQL(p, ' FOR UPDATE OF t'),
          [id],
        );
        for (const row of rows.rows) {
          if (row.status === label) continue;
          await c.query(LABEL_TRANSACTION_SQL(p), [label, at, row.transaction_id]);
          // The same entry a verdict writes, so the label feed and the verdict history see it as one.
          await this.db.appendAudit(c, {
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
      if (note !== null) await this.insertNote(c, id, actor, note, at);
      return { result: 'changed', case: after, labelled };
    });
  }

  async caseBacklog(): Promise<QueueBacklog[]> {
    const [queues, rows] = await Promise.all([
      this.db.query<never>(LIST_QUEUES_SQL),
      this.db.query<never>(BACKLOG_SQL),
    ]);
    return foldBacklog(rows.rows, queues.rows.map(fromQueueRow));
  }

  async caseOfTransaction(transactionId: string): Promise<string | null> {
    const row = (await this.db.query<{ case_id: string }>(CASE_OF_TRANSACTION_SQL(p), [transactionId]))
      .rows[0];
    return row?.case_id ?? null;
  }
}
