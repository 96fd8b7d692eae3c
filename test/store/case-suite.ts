/**
 * Account cases on both stores (issue 17), run from the shared store suite. Accounts, analysts, queues and rules
 * all start with `case17-`; the sweeps see the other suites' decisions too, so every check looks at ours only.
 */
import assert from 'node:assert/strict';
import type { Decision, Outcome } from '../../src/engine/decision.ts';
import type { Transaction } from '../../src/engine/transaction.ts';
import { auditHash } from '../../src/store/audit-chain.ts';
import { casePriority, type AccountCase, type GroupingResult } from '../../src/cases/case-types.ts';
import type { QueueFilter, QueueMember, QueueRecord } from '../../src/cases/queue-model.ts';
import type { DecisionStore, NewDecision } from '../../src/store/types.ts';

const T = Date.UTC(2026, 10, 1);
const HOUR = 3_600_000;
const WINDOW = 24 * HOUR;
/** Every ungrouped decision of the shared database in one sweep. */
const ALL = 100_000;

interface Alert {
  id: string;
  account: string;
  at: number;
  score?: number;
  amount?: number;
  outcome?: Outcome;
  rule?: string;
  merchant?: string | null;
}

function decided(a: Alert): NewDecision {
  const outcome = a.outcome ?? 'review';
  const score = a.score ?? 0.7;
  const transaction: Transaction = {
    transaction_id: a.id,
    timestamp: a.at - 10,
    account_id: a.account,
    amount: a.amount ?? 100,
    currency: 'EUR',
    ...(a.merchant === null ? {} : { merchant_id: a.merchant ?? 'case17-shop' }),
  };
  const decision: Decision = {
    transaction_id: a.id,
    score,
    outcome,
    reasons:
      outcome === 'approve'
        ? []
        : [
            { kind: 'rule', rule: a.rule ?? 'case17-rule@1', reason: 'because', score },
            { kind: 'model', model: 'gbdt', feature: 'amount', value: 1, contribution: 0.2 },
          ],
    rule_score: score,
    model_score: null,
    model_version: null,
    rules_version: 'v1',
    bypassed: false,
    degraded: false,
  };
  return { transaction, decision, payload_hash: `h-${a.id}`, decided_at: a.at };
}

function mine(result: GroupingResult, prefix: string): { opened: AccountCase[]; joined: string[][] } {
  return {
    opened: result.opened.filter((c) => c.account_id.startsWith(prefix)),
    joined: result.joined.filter((j) => j.case.account_id.startsWith(prefix)).map((j) => j.transaction_ids),
  };
}

function queue(name: string, position: number, filter: QueueFilter, members: QueueMember[]): QueueRecord {
  return {
    name,
    position,
    filter,
    members,
    sla_seconds: 3600,
    last_assigned: null,
    created_at: T,
    created_by: 'case17-admin',
    updated_at: T,
    updated_by: 'case17-admin',
  };
}

const queueAudit = (name: string) => ({
  at: T,
  actor: 'case17-admin',
  action: 'queue_created',
  transaction_id: null,
  old_value: null,
  new_value: name,
  note: null,
});

export function caseSuite(
  it: (title: string, body: () => Promise<void>) => void,
  store: () => DecisionStore,
): void {
  it('cases: flagged decisions of an account within the window are one case; later ones open another; approvals and declines are never grouped', async () => {
    const s = store();
    await s.saveDecisions([
      decided({ id: 'case17-g1', account: 'case17-acct-g', at: T, score: 0.6, amount: 900 }),
      decided({
        id: 'case17-g2',
        account: 'case17-acct-g',
        at: T + 3 * HOUR,
        score: 0.8,
        amount: 50,
        outcome: 'block_and_review',
        rule: 'case17-other@2',
      }),
      decided({ id: 'case17-g3', account: 'case17-acct-g', at: T + 3 * HOUR + WINDOW + 1 }),
      decided({ id: 'case17-g4', account: 'case17-acct-g', at: T + HOUR, outcome: 'approve' }),
      decided({ id: 'case17-g5', account: 'case17-acct-g', at: T + HOUR, outcome: 'decline' }),
      decided({ id: 'case17-h1', account: 'case17-acct-h', at: T + HOUR }),
    ]);
    const result = mine(await s.cases.groupAlerts(WINDOW, T + 100 * HOUR, ALL), 'case17-acct-');
    assert.equal(result.opened.length, 3, 'two cases of g (the third alert is past the window), one of h');
    const [first, second] = result.opened.filter((c) => c.account_id === 'case17-acct-g');
    assert.ok(first && second);
    assert.equal(first.alert_count, 2);
    assert.equal(first.max_score, 0.8);
    assert.equal(first.max_amount, 900);
    assert.equal(first.priority, casePriority(0.8, 900));
    assert.deepEqual(first.reason_codes, ['case17-other@2', 'case17-rule@1', 'model']);
    assert.equal(first.opened_at, T, 'a case opens at its first alert');
    assert.equal(first.last_alert_at, T + 3 * HOUR);
    assert.equal(first.status, 'open');
    assert.equal(first.assignee, null);
    assert.match(first.id, /^case_[0-9a-f-]{36}$/);
    assert.equal(second.alert_count, 1);
    assert.deepEqual(result.joined, [], 'no case existed before this sweep');

    const detail = await s.cases.getCase(first.id);
    assert.ok(detail);
    assert.deepEqual(detail.alerts, [
      {
        transaction_id: 'case17-g1',
        added_at: T + 100 * HOUR,
        decided_at: T,
        amount: 900,
        currency: 'EUR',
        merchant_id: 'case17-shop',
        outcome: 'review',
        score: 0.6,
        reasons: ['case17-rule@1', 'model'],
        status: 'open',
      },
      {
        transaction_id: 'case17-g2',
        added_at: T + 100 * HOUR,
        decided_at: T + 3 * HOUR,
        amount: 50,
        currency: 'EUR',
        merchant_id: 'case17-shop',
        outcome: 'block_and_review',
        score: 0.8,
        reasons: ['case17-other@2', 'model'],
        status: 'open',
      },
    ]);
    assert.deepEqual(
      detail.timeline.map((e) => [e.actor, e.action, e.new_value]),
      [
        ['system', 'opened', 'case17-acct-g'],
        ['system', 'alert_added', 'case17-g1'],
        ['system', 'alert_added', 'case17-g2'],
      ],
    );
    assert.equal(await s.cases.caseOfTransaction('case17-g2'), first.id);
    assert.equal(await s.cases.caseOfTransaction('case17-g3'), second.id);
    assert.equal(await s.cases.caseOfTransaction('case17-g4'), null, 'an approval is in no case');
    assert.equal(await s.cases.caseOfTransaction('case17-g5'), null, 'a decline is in no case');

    // A later alert within the window of the newer case joins it; nothing is grouped twice.
    await s.saveDecisions([
      decided({ id: 'case17-g6', account: 'case17-acct-g', at: T + 3 * HOUR + WINDOW + 5 }),
    ]);
    const again = mine(await s.cases.groupAlerts(WINDOW, T + 101 * HOUR, ALL), 'case17-acct-');
    assert.deepEqual(again.opened, []);
    assert.deepEqual(again.joined, [['case17-g6']]);
    const nothing = mine(await s.cases.groupAlerts(WINDOW, T + 102 * HOUR, ALL), 'case17-acct-');
    assert.deepEqual(nothing, { opened: [], joined: [] });
    const joinedCase = await s.cases.getCase(second.id);
    assert.equal(joinedCase?.alert_count, 2);
    assert.equal(joinedCase?.updated_at, T + 101 * HOUR);
  });

  it('cases: a decision grouped late joins the case whose alerts are within the window around it, which then opens at it', async () => {
    const s = store();
    await s.saveDecisions([decided({ id: 'case17-o2', account: 'case17-acct-o', at: T + 10 * HOUR })]);
    const [c] = mine(await s.cases.groupAlerts(WINDOW, T + 11 * HOUR, ALL), 'case17-acct-o').opened;
    assert.ok(c);
    await s.saveDecisions([
      decided({ id: 'case17-o1', account: 'case17-acct-o', at: T + 9 * HOUR }),
      decided({ id: 'case17-o0', account: 'case17-acct-o', at: T + 10 * HOUR - 2 * WINDOW }),
    ]);
    const late = mine(await s.cases.groupAlerts(WINDOW, T + 12 * HOUR, ALL), 'case17-acct-o');
    assert.deepEqual(late.joined, [['case17-o1']]);
    assert.equal(late.opened.length, 1, 'more than the window before the first alert: a case of its own');
    const after = await s.cases.getCase(c.id);
    assert.equal(after?.opened_at, T + 9 * HOUR);
    assert.equal(after?.last_alert_at, T + 10 * HOUR);
    assert.deepEqual(
      after?.alerts.map((a) => a.transaction_id),
      ['case17-o1', 'case17-o2'],
    );
  });

  it('cases: closing as fraud labels every transaction with a verdict audit entry; a second close is unchanged, another close refused; a closed case takes no alert; reopen', async () => {
    const s = store();
    await s.saveDecisions([
      decided({ id: 'case17-c1', account: 'case17-acct-c', at: T }),
      decided({ id: 'case17-c2', account: 'case17-acct-c', at: T + HOUR, merchant: null }),
    ]);
    const [opened] = mine(await s.cases.groupAlerts(WINDOW, T + 2 * HOUR, ALL), 'case17-acct-c').opened;
    assert.ok(opened);
    // One transaction had its verdict already: the close labels only the other.
    assert.equal(
      (await s.setStatus('case17-c1', 'confirmed_fraud', 'case17-ann', null, T + 2 * HOUR))?.result,
      'changed',
    );

    const closed = await s.cases.setCaseStatus(
      opened.id,
      'closed_fraud',
      'case17-ann',
      'card testing',
      T + 3 * HOUR,
    );
    assert.ok(closed);
    assert.equal(closed.result, 'changed');
    assert.equal(closed.case.status, 'closed_fraud');
    assert.equal(closed.case.closed_at, T + 3 * HOUR);
    assert.equal(closed.case.closed_by, 'case17-ann');
    assert.deepEqual(closed.labelled, [{ transaction_id: 'case17-c2', merchant_id: null, fraud: true }]);
    assert.equal((await s.getTransaction('case17-c1'))?.status, 'confirmed_fraud');
    assert.equal((await s.getTransaction('case17-c2'))?.status, 'confirmed_fraud');
    const verdicts = await s.listAudit({ transaction_id: 'case17-c2' });
    assert.deepEqual(
      verdicts.map((e) => [e.actor, e.action, e.old_value, e.new_value, e.at]),
      [['case17-ann', 'status_change', 'open', 'confirmed_fraud', T + 3 * HOUR]],
      'the entry a verdict writes',
    );
    const [statusEntry] = await s.listAudit({ action: 'case_status_changed', actor: 'case17-ann' });
    assert.ok(statusEntry);
    assert.equal(statusEntry.transaction_id, null);
    assert.deepEqual(JSON.parse(statusEntry.new_value!), { case_id: opened.id, value: 'closed_fraud' });
    assert.deepEqual(JSON.parse(statusEntry.old_value!), { case_id: opened.id, value: 'open' });
    assert.equal(statusEntry.note, 'card testing');

    const twice = await s.cases.setCaseStatus(opened.id, 'closed_fraud', 'case17-bob', null, T + 4 * HOUR);
    assert.equal(twice?.result, 'unchanged');
    assert.deepEqual(twice?.labelled, []);
    const other = await s.cases.setCaseStatus(
      opened.id,
      'closed_legitimate',
      'case17-bob',
      'no',
      T + 4 * HOUR,
    );
    assert.equal(other?.result, 'refused');
    assert.match(other?.reason ?? '', /reopen/);
    assert.equal(
      (await s.getTransaction('case17-c2'))?.status,
      'confirmed_fraud',
      'a refused close labels nothing',
    );
    assert.deepEqual(
      await s.listAudit({ actor: 'case17-bob' }),
      [],
      'nothing written by the unchanged and refused',
    );
    assert.equal((await s.cases.assignCase(opened.id, 'case17-bob', 'case17-boss', T))?.result, 'refused');
    assert.equal(await s.cases.setCaseStatus('case_none', 'open', 'case17-bob', null, T), null);

    // A new alert of the account opens a new case: a closed one takes none.
    await s.saveDecisions([decided({ id: 'case17-c3', account: 'case17-acct-c', at: T + 2 * HOUR })]);
    const later = mine(await s.cases.groupAlerts(WINDOW, T + 5 * HOUR, ALL), 'case17-acct-c');
    assert.equal(later.opened.length, 1);
    assert.notEqual(later.opened[0]!.id, opened.id);

    const reopened = await s.cases.setCaseStatus(opened.id, 'open', 'case17-cat', null, T + 6 * HOUR);
    assert.equal(reopened?.result, 'changed');
    assert.equal(reopened?.case.status, 'open');
    assert.equal(reopened?.case.closed_at, null);
    assert.equal(reopened?.case.closed_by, null);
    assert.deepEqual(reopened?.labelled, []);
    assert.equal(
      (await s.getTransaction('case17-c2'))?.status,
      'confirmed_fraud',
      'a reopen leaves the labels',
    );
    const detail = await s.cases.getCase(opened.id);
    assert.deepEqual(
      detail?.timeline.map((e) => [e.actor, e.action, e.old_value, e.new_value]),
      [
        ['system', 'opened', null, 'case17-acct-c'],
        ['system', 'alert_added', null, 'case17-c1'],
        ['system', 'alert_added', null, 'case17-c2'],
        ['case17-ann', 'status_changed', 'open', 'closed_fraud'],
        ['case17-ann', 'note_added', null, String(detail?.notes[0]?.id)],
        ['case17-cat', 'status_changed', 'closed_fraud', 'open'],
      ],
    );
    assert.deepEqual(
      detail?.notes.map((n) => [n.author, n.text, n.at]),
      [['case17-ann', 'card testing', T + 3 * HOUR]],
      'the note given with the close',
    );
    const escalated = await s.cases.setCaseStatus(opened.id, 'escalated', 'case17-cat', null, T + 7 * HOUR);
    assert.equal(escalated?.result, 'changed');
    const legit = await s.cases.setCaseStatus(
      opened.id,
      'closed_legitimate',
      'case17-cat',
      null,
      T + 8 * HOUR,
    );
    assert.deepEqual(
      legit?.labelled.map((l) => [l.transaction_id, l.fraud]),
      [
        ['case17-c1', false],
        ['case17-c2', false],
      ],
    );
    assert.equal((await s.getTransaction('case17-c1'))?.status, 'legitimate');
    const labels = await s.listVerdicts(null, 100_000);
    assert.deepEqual(
      labels.filter((v) => v.transaction_id === 'case17-c1').map((v) => v.fraud),
      [true, false],
      'the verdict feed sees the close as verdicts (c2 has no merchant: not a merchant verdict)',
    );
  });

  it('cases: assigned, unassigned and reassigned with audit entries; notes kept oldest first', async () => {
    const s = store();
    await s.saveDecisions([decided({ id: 'case17-a1', account: 'case17-acct-a', at: T })]);
    const [c] = mine(await s.cases.groupAlerts(WINDOW, T + HOUR, ALL), 'case17-acct-a').opened;
    assert.ok(c);
    const assigned = await s.cases.assignCase(c.id, 'case17-dan', 'case17-lead', T + HOUR);
    assert.equal(assigned?.result, 'changed');
    assert.equal(assigned?.case.assignee, 'case17-dan');
    assert.equal(
      (await s.cases.assignCase(c.id, 'case17-dan', 'case17-lead', T + HOUR))?.result,
      'unchanged',
    );
    assert.equal((await s.cases.assignCase(c.id, null, 'case17-lead', T + 2 * HOUR))?.case.assignee, null);
    assert.equal(await s.cases.assignCase('case_unknown', 'x', 'case17-lead', T), null);
    const audit = await s.listAudit({ actor: 'case17-lead' });
    assert.deepEqual(
      audit.map((e) => [e.action, e.old_value, e.new_value]),
      [
        [
          'case_assigned',
          JSON.stringify({ case_id: c.id }),
          JSON.stringify({ case_id: c.id, value: 'case17-dan' }),
        ],
        [
          'case_unassigned',
          JSON.stringify({ case_id: c.id, value: 'case17-dan' }),
          JSON.stringify({ case_id: c.id }),
        ],
      ],
    );

    const n1 = await s.cases.addCaseNote(c.id, 'case17-dan', 'called the customer', T + 3 * HOUR);
    const n2 = await s.cases.addCaseNote(c.id, 'case17-eve', 'line two\nwith ünïcode', T + 4 * HOUR);
    assert.ok(n1 && n2);
    assert.ok(n2.id > n1.id);
    assert.equal(await s.cases.addCaseNote('case_unknown', 'case17-dan', 'x', T), null);
    const detail = await s.cases.getCase(c.id);
    assert.deepEqual(detail?.notes, [n1, n2]);
    assert.equal(detail?.updated_at, T + 4 * HOUR);
    assert.deepEqual(
      detail?.timeline.slice(2).map((e) => [e.actor, e.action, e.old_value, e.new_value]),
      [
        ['case17-lead', 'assigned', null, 'case17-dan'],
        ['case17-lead', 'unassigned', 'case17-dan', null],
        ['case17-dan', 'note_added', null, String(n1.id)],
        ['case17-eve', 'note_added', null, String(n2.id)],
      ],
    );
    const [noteEntry] = await s.listAudit({ actor: 'case17-eve', action: 'case_note_added' });
    assert.equal(noteEntry?.note, 'line two\nwith ünïcode');
    assert.equal(await s.cases.getCase('case_unknown'), null);
  });

  it('cases: routed to the first matching queue, routed again after an alert changes the facts; auto-assignment deals 2,2,2 to three members of capacity 2 and the seventh after a close', async () => {
    const s = store();
    const big = queue('case17-big', 1, { reason_code: 'case17-route@1', min_amount: 1000 }, []);
    const any = queue('case17-any', 2, { reason_code: 'case17-route@1' }, []);
    const team = queue('case17-team', 3, { reason_code: 'case17-fair@1' }, [
      { name: 'case17-ann', capacity: 2 },
      { name: 'case17-bob', capacity: 2 },
      { name: 'case17-cat', capacity: 2 },
    ]);
    for (const q of [big, any, team]) assert.equal(await s.createQueue(q, queueAudit(q.name)), true);
    const queues = (await s.listQueues()).filter((q) => q.name.startsWith('case17-'));

    await s.saveDecisions([
      decided({ id: 'case17-r1', account: 'case17-acct-r', at: T, rule: 'case17-route@1', amount: 10 }),
    ]);
    const [routed] = mine(await s.cases.groupAlerts(WINDOW, T + HOUR, ALL), 'case17-acct-r').opened;
    assert.ok(routed);
    assert.ok((await s.cases.routeCases(queues, T + HOUR)) >= 1);
    assert.equal((await s.cases.getCase(routed.id))?.queue, 'case17-any');
    assert.equal(await s.cases.routeCases(queues, T + HOUR), 0, 'routed once until something changes');

    await s.saveDecisions([
      decided({
        id: 'case17-r2',
        account: 'case17-acct-r',
        at: T + HOUR,
        rule: 'case17-route@1',
        amount: 5000,
      }),
    ]);
    await s.cases.groupAlerts(WINDOW, T + 2 * HOUR, ALL);
    assert.ok((await s.cases.routeCases(queues, T + 2 * HOUR)) >= 1);
    const rerouted = await s.cases.getCase(routed.id);
    assert.equal(rerouted?.queue, 'case17-big');
    assert.deepEqual(
      rerouted?.timeline.filter((e) => e.action === 'routed').map((e) => [e.actor, e.old_value, e.new_value]),
      [
        ['system', null, 'case17-any'],
        ['system', 'case17-any', 'case17-big'],
      ],
    );
    // A queue deleted: its cases are routed again (here to the next match).
    assert.equal(await s.deleteQueue('case17-big', { ...queueAudit('x'), action: 'queue_deleted' }), true);
    const left = (await s.listQueues()).filter((q) => q.name.startsWith('case17-'));
    assert.ok((await s.cases.routeCases(left, T + 3 * HOUR)) >= 1);
    assert.equal((await s.cases.getCase(routed.id))?.queue, 'case17-any');

    const accounts = Array.from({ length: 7 }, (_, i) => `case17-acct-f${i}`);
    await s.saveDecisions(
      accounts.map((account, i) =>
        decided({ id: `case17-f${i}`, account, at: T + i * 1000, rule: 'case17-fair@1' }),
      ),
    );
    await s.cases.groupAlerts(WINDOW, T + 4 * HOUR, ALL);
    await s.cases.routeCases(left, T + 4 * HOUR);
    const dealt = (await s.cases.assignCases(T + 4 * HOUR)).filter((a) => a.queue === 'case17-team');
    assert.deepEqual(
      dealt.map((a) => a.assignee),
      ['case17-ann', 'case17-bob', 'case17-cat', 'case17-ann', 'case17-bob', 'case17-cat'],
      'round robin, oldest case first',
    );
    const teamCases = await s.cases.listCases({ queue: 'case17-team', sort: 'age' });
    assert.equal(teamCases.items.length, 7);
    assert.deepEqual(
      teamCases.items.map((c) => c.assignee),
      ['case17-ann', 'case17-bob', 'case17-cat', 'case17-ann', 'case17-bob', 'case17-cat', null],
    );
    assert.equal((await s.getQueue('case17-team'))?.last_assigned, 'case17-cat');
    assert.deepEqual(
      (await s.cases.assignCases(T + 5 * HOUR)).filter((a) => a.queue === 'case17-team'),
      [],
      'everyone is at capacity',
    );
    const [firstOfBob] = teamCases.items.filter((c) => c.assignee === 'case17-bob');
    await s.cases.setCaseStatus(firstOfBob!.id, 'closed_legitimate', 'case17-bob', null, T + 5 * HOUR);
    const next = (await s.cases.assignCases(T + 6 * HOUR)).filter((a) => a.queue === 'case17-team');
    assert.deepEqual(next, [
      { case_id: teamCases.items[6]!.id, queue: 'case17-team', assignee: 'case17-bob' },
    ]);
    const timeline = (await s.cases.getCase(teamCases.items[6]!.id))?.timeline ?? [];
    assert.deepEqual(
      timeline.at(-1) && [timeline.at(-1)!.actor, timeline.at(-1)!.action, timeline.at(-1)!.new_value],
      ['system', 'assigned', 'case17-bob'],
    );

    const backlog = await s.cases.caseBacklog();
    assert.deepEqual(
      backlog.filter((b) => b.queue?.startsWith('case17-')),
      [
        { queue: 'case17-any', active: 1, unassigned: 1, oldest_opened_at: T },
        { queue: 'case17-team', active: 6, unassigned: 0, oldest_opened_at: T },
      ],
    );
    assert.equal(backlog.at(-1)?.queue, null, 'the unrouted come last');
    for (const q of ['case17-any', 'case17-team'])
      await s.deleteQueue(q, { ...queueAudit(q), action: 'queue_deleted' });
  });

  it('cases: listed by priority or age with filters; cursor pages have no duplicates or gaps; a crafted cursor is a RangeError', async () => {
    const s = store();
    const scores = [0.9, 0.5, 0.5, 0.5, 0.7, 0.95, 0.5];
    await s.saveDecisions(
      scores.map((score, i) =>
        decided({
          id: `case17-l${i}`,
          account: `case17-acct-l${i}`,
          at: T + (i % 3) * 1000,
          score,
          amount: 100,
        }),
      ),
    );
    await s.cases.groupAlerts(WINDOW, T + HOUR, ALL);
    const ours = async (
      query: Parameters<DecisionStore['cases']['listCases']>[0],
    ): Promise<AccountCase[]> => {
      const out: AccountCase[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await s.cases.listCases({ ...query, opened_before: T + 2000, min_score: 0.5, cursor });
        out.push(...page.items.filter((c) => c.account_id.startsWith('case17-acct-l')));
        if (page.next_cursor === null) return out;
        cursor = page.next_cursor;
      }
    };
    const byPriority = await ours({ limit: 2 });
    assert.equal(byPriority.length, 7, 'every case once');
    assert.equal(new Set(byPriority.map((c) => c.id)).size, 7);
    const sorted = [...byPriority].sort(
      (a, b) => b.priority - a.priority || a.opened_at - b.opened_at || (a.id < b.id ? -1 : 1),
    );
    assert.deepEqual(byPriority, sorted);
    assert.equal(byPriority[0]!.max_score, 0.95);
    const byAge = await ours({ limit: 3, sort: 'age' });
    assert.deepEqual(
      byAge.map((c) => c.id),
      [...byAge].sort((a, b) => a.opened_at - b.opened_at || (a.id < b.id ? -1 : 1)).map((c) => c.id),
    );
    assert.equal(byAge.length, 7);
    const high = await s.cases.listCases({ account_id: 'case17-acct-l5' });
    assert.deepEqual(
      high.items.map((c) => c.max_score),
      [0.95],
    );
    assert.equal(await s.cases.countCases({ account_id: 'case17-acct-l5' }), 1);
    assert.equal(await s.cases.countCases({ account_id: 'case17-acct-l5', status: ['closed_fraud'] }), 0);
    assert.equal(await s.cases.countCases({ account_id: 'case17-acct-l5', assignee: null }), 1);
    assert.equal(await s.cases.countCases({ account_id: 'case17-acct-l5', assignee: 'case17-x' }), 0);
    assert.equal(await s.cases.countCases({ account_id: 'case17-acct-l5', min_score: 0.96 }), 0);
    assert.equal(await s.cases.countCases({ account_id: 'case17-acct-l5', opened_before: T - 1 }), 0);
    assert.equal(await s.cases.countCases({ account_id: 'case17-acct-l5', queue: 'case17-none' }), 0);

    const crafted = Buffer.from(JSON.stringify(['priority', 1, '1; DROP TABLE x', 'case_x'])).toString(
      'base64url',
    );
    await assert.rejects(() => s.cases.listCases({ cursor: crafted }), /^RangeError: cursor: /);
    await assert.rejects(() => s.cases.listCases({ cursor: 'not base64 at all!' }), /^RangeError: cursor: /);
    const ageCursor = Buffer.from(JSON.stringify(['age', T, 'case_x'])).toString('base64url');
    await assert.rejects(
      () => s.cases.listCases({ cursor: ageCursor }),
      /^RangeError: cursor: /,
      'another sort',
    );
    assert.ok(await s.cases.listCases({ cursor: ageCursor, sort: 'age' }));
    await assert.rejects(() => s.cases.listCases({ limit: 0 }), /^RangeError: limit: /);
  });

  it('cases: retention deleting a transaction removes its alert and keeps the case counting the rest; every case entry is chained to the one before', async () => {
    const s = store();
    await s.saveDecisions([
      decided({ id: 'case17-d1', account: 'case17-acct-d', at: T }),
      decided({ id: 'case17-d2', account: 'case17-acct-d', at: T + 1 }),
    ]);
    const [c] = mine(await s.cases.groupAlerts(WINDOW, T + HOUR, ALL), 'case17-acct-d').opened;
    assert.ok(c);
    assert.equal(await s.deleteTransactions(['case17-d1']), 1);
    assert.equal(await s.cases.caseOfTransaction('case17-d1'), null);
    const detail = await s.cases.getCase(c.id);
    assert.equal(detail?.alert_count, 1);
    assert.deepEqual(
      detail?.alerts.map((a) => a.transaction_id),
      ['case17-d2'],
    );
    // The shared trail was broken on purpose by an earlier test: check the links of this suite's entries.
    const trail = await s.listAudit({ order: 'asc', from: T - 1, limit: 1000 });
    const ours = trail.filter((e, i) => i > 0 && e.id > trail[0]!.id);
    assert.ok(ours.length > 10);
    for (const e of ours) {
      const before = (await s.listAudit({ order: 'desc', before_id: e.id, limit: 1 }))[0];
      assert.equal(e.prev_hash, before?.hash, `entry ${e.id} links to the one before`);
      assert.equal(e.hash, auditHash(e), `entry ${e.id} matches its hash`);
    }
  });
}
