/**
 * One account case (issue 17): its header, the actions on it (assign, status; a close asks first, since it labels
 * every transaction in the case), its alerts, notes with a form to add one, its timeline, and the account's
 * active rule snoozes. Refreshes every few seconds; auditors read only.
 */
import { useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage } from '../api.ts';
import {
  addCaseNote,
  assignCase,
  CASE_STATUS_LABELS,
  CLOSING,
  isClosed,
  setCaseStatus,
  type AccountCaseStatus,
  type CaseDetailView,
  type CaseEventView,
} from '../case-api.ts';
import { CaseStatusBadge } from '../components/CaseStatusBadge.tsx';
import {
  ChangeOutcome,
  ConfirmChange,
  ErrorBox,
  formatAmount,
  formatTime,
  Loading,
  OutcomeBadge,
  StatusBadge,
} from '../components/Status.tsx';
import { reasonCodeText } from '../reasons.ts';
import { hrefFor } from '../router.ts';
import { can, useSession } from '../session.tsx';
import type { CaseStatus, RuleDefinition } from '../types.ts';
import { usePolling } from '../usePolling.ts';

const POLL_MS = 5000;

/** The moves between active statuses, offered when the case is not already there. */
const ACTIVE_MOVES: { status: AccountCaseStatus; label: string }[] = [
  { status: 'in_review', label: 'In review' },
  { status: 'escalated', label: 'Escalate' },
];

/** `detail` null: no such case (a 404), told apart from "not loaded yet". */
interface Loaded {
  detail: CaseDetailView | null;
  rules: RuleDefinition[];
}

async function loadCase(id: string): Promise<Loaded> {
  const [detail, rules] = await Promise.all([
    api<CaseDetailView>(`/api/v1/cases/${encodeURIComponent(id)}`).catch((e) =>
      e instanceof ApiError && e.status === 404 ? null : Promise.reject(e),
    ),
    // Only to put reason codes in words: a case still shows without them.
    api<{ document: { rules: RuleDefinition[] } }>('/api/v1/rules').catch(() => null),
  ]);
  return { detail, rules: rules?.document.rules ?? [] };
}

function eventWords(e: CaseEventView): string {
  const status = (v: string | null) =>
    v === null ? '–' : (CASE_STATUS_LABELS[v as AccountCaseStatus] ?? v.replace(/_/g, ' '));
  switch (e.action) {
    case 'opened':
      return `opened the case${e.new_value ? ` with ${e.new_value}` : ''}`;
    case 'alert_added':
      return `added alert ${e.new_value ?? ''}`;
    case 'routed':
      return `routed it to ${e.new_value ?? 'no queue'}${e.old_value ? ` (was ${e.old_value})` : ''}`;
    case 'assigned':
      return `assigned it to ${e.new_value ?? '–'}${e.old_value ? ` (was ${e.old_value})` : ''}`;
    case 'unassigned':
      return `unassigned it${e.old_value ? ` from ${e.old_value}` : ''}`;
    case 'status_changed':
      return `${status(e.old_value)} → ${status(e.new_value)}`;
    case 'note_added':
      return 'added a note';
    default:
      return `${String(e.action).replace(/_/g, ' ')} ${e.old_value ?? ''} → ${e.new_value ?? ''}`;
  }
}

export function CaseDetailPage({ id }: { id: string }) {
  const session = useSession();
  const mayWork = can.workCases(session.role);
  const { data, error, refresh } = usePolling(() => loadCase(id), POLL_MS, [id]);
  const [noteText, setNoteText] = useState('');
  const [statusNote, setStatusNote] = useState('');
  const [confirming, setConfirming] = useState<AccountCaseStatus | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const act = async (what: () => Promise<string>) => {
    setBusy(true);
    setMessage(null);
    setFailure(null);
    try {
      setMessage(await what());
      await refresh();
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  if (data === null || data.detail === null) {
    return (
      <section aria-labelledby="case-title">
        <h1 id="case-title">Case {id}</h1>
        <ErrorBox error={error} onRetry={() => void refresh()} />
        {data === null && error === null && <Loading what="the case" />}
        {data?.detail === null && <p>No case {id}.</p>}
        <p>
          <a href={hrefFor({ page: 'cases' })}>Back to the cases</a>
        </p>
      </section>
    );
  }
  const c = data.detail;
  const closed = isClosed(c.status);
  const mine = c.assignee === session.name;
  const note = statusNote.trim() || undefined;
  const latestAlert = c.alerts[c.alerts.length - 1];

  const assign = (assignee: 'me' | null) =>
    act(async () => {
      const r = await assignCase(c.id, assignee);
      if (!r.changed) return 'Nothing to change: it already was so.';
      return r.case.assignee === null ? 'Unassigned.' : `Assigned to ${r.case.assignee}.`;
    });
  const move = (status: AccountCaseStatus) =>
    act(async () => {
      setConfirming(null);
      const r = await setCaseStatus(c.id, status, note);
      setStatusNote('');
      if (!r.changed) return `Already ${CASE_STATUS_LABELS[status]}.`;
      const labelled = r.labelled.length > 0 ? `; ${r.labelled.length} transaction(s) labelled` : '';
      return `Now ${CASE_STATUS_LABELS[r.case.status]}${labelled}.`;
    });
  const submitNote = (e: FormEvent) => {
    e.preventDefault();
    const text = noteText;
    void act(async () => {
      await addCaseNote(c.id, text);
      setNoteText('');
      return 'Note added.';
    });
  };

  return (
    <section aria-labelledby="case-title" data-case-id={c.id}>
      <div className="page-head">
        <h1 id="case-title">Case of account {c.account_id}</h1>
        <CaseStatusBadge status={c.status} />
      </div>
      <p>
        <a href={hrefFor({ page: 'cases' })}>← All cases</a>
      </p>
      <ErrorBox error={error} onRetry={() => void refresh()} />
      <div className="grid2">
        <div className="panel">
          <h2>Case</h2>
          <dl className="facts" aria-label="Case facts">
            <dt>Status</dt>
            <dd data-testid="case-status">{CASE_STATUS_LABELS[c.status]}</dd>
            <dt>Assignee</dt>
            <dd data-testid="case-assignee">{c.assignee ?? 'unassigned'}</dd>
            <dt>Priority</dt>
            <dd>{c.priority}</dd>
            <dt>Queue</dt>
            <dd>{c.queue ?? 'none'}</dd>
            <dt>Account</dt>
            <dd>
              {c.account_id}
              {latestAlert && (
                <>
                  {' '}
                  (
                  <a href={hrefFor({ page: 'transaction', id: latestAlert.transaction_id })}>
                    its history and usual places, on the latest alert
                  </a>
                  )
                </>
              )}
            </dd>
            <dt>Alerts</dt>
            <dd>
              {c.alert_count}, highest score {c.max_score.toFixed(3)}, largest amount{' '}
              {formatAmount(c.max_amount)}
            </dd>
            <dt>Opened</dt>
            <dd>{formatTime(c.opened_at)}</dd>
            <dt>Last alert</dt>
            <dd>{formatTime(c.last_alert_at)}</dd>
            {c.closed_at !== null && (
              <div className="fact">
                <dt>Closed</dt>
                <dd>
                  {formatTime(c.closed_at)} by {c.closed_by ?? '–'}
                </dd>
              </div>
            )}
            <dt>Reasons</dt>
            <dd>{c.reason_codes.map((r) => reasonCodeText(r, data.rules)).join('; ') || '–'}</dd>
          </dl>
        </div>
        <div className="panel">
          <h2>Actions</h2>
          {!mayWork ? (
            <p className="muted">Your role ({session.role}) can read cases but not change them.</p>
          ) : (
            <div className="verdict">
              <div className="buttons" role="group" aria-label="Assignment">
                {!closed && !mine && (
                  <button type="button" disabled={busy} onClick={() => void assign('me')}>
                    Assign to me
                  </button>
                )}
                {!closed && c.assignee !== null && (
                  <button type="button" disabled={busy} onClick={() => void assign(null)}>
                    Unassign
                  </button>
                )}
              </div>
              <label htmlFor="status-note">Note with the status change (optional)</label>
              <input
                id="status-note"
                value={statusNote}
                onChange={(e) => setStatusNote(e.target.value)}
                maxLength={2000}
              />
              <div className="buttons" role="group" aria-label="Status">
                {!closed &&
                  ACTIVE_MOVES.filter((m) => m.status !== c.status).map((m) => (
                    <button key={m.status} type="button" disabled={busy} onClick={() => void move(m.status)}>
                      {m.label}
                    </button>
                  ))}
                {!closed &&
                  CLOSING.map((m) => (
                    <button
                      key={m.status}
                      type="button"
                      className={m.status === 'closed_fraud' ? 'danger' : undefined}
                      disabled={busy}
                      onClick={() => setConfirming(m.status)}
                    >
                      {m.label}
                    </button>
                  ))}
                {closed && (
                  <button type="button" disabled={busy} onClick={() => void move('open')}>
                    Reopen
                  </button>
                )}
              </div>
              {confirming !== null && (
                <ConfirmChange
                  id="case-close-confirm"
                  onConfirm={() => void move(confirming)}
                  onCancel={() => setConfirming(null)}
                >
                  {confirming === 'closed_fraud' ? 'Close as fraud' : 'Close as legitimate'}: every one of its{' '}
                  {c.alert_count} transaction(s) is labelled{' '}
                  {confirming === 'closed_fraud' ? 'confirmed fraud' : 'legitimate'} and the models learn from
                  it. Close the case?
                </ConfirmChange>
              )}
            </div>
          )}
          <ChangeOutcome message={message} failure={failure} />
        </div>
      </div>
      <AlertsTable detail={c} rules={data.rules} />
      <div className="grid2">
        <div className="panel">
          <h2>Notes</h2>
          {c.notes.length === 0 ? (
            <p className="muted">No notes yet.</p>
          ) : (
            <ol className="timeline" aria-label="Notes">
              {c.notes.map((n) => (
                <li key={n.id}>
                  <time dateTime={String(n.at)}>{formatTime(n.at)}</time> <strong>{n.author}</strong>{' '}
                  <q>{n.text}</q>
                </li>
              ))}
            </ol>
          )}
          {mayWork && (
            <form onSubmit={submitNote} aria-label="Add a note">
              <label htmlFor="case-note">Note</label>
              <textarea
                id="case-note"
                rows={3}
                maxLength={2000}
                value={noteText}
                onChange={(e) => setNoteText(e.target.value)}
              />
              <button type="submit" disabled={busy || noteText.trim() === ''}>
                Add note
              </button>
            </form>
          )}
        </div>
        <div className="panel">
          <h2>Timeline</h2>
          <ol className="timeline" aria-label="Case timeline">
            {c.timeline.map((e) => (
              <li key={e.id}>
                <time dateTime={String(e.at)}>{formatTime(e.at)}</time> <strong>{e.actor}</strong>{' '}
                {eventWords(e)}
              </li>
            ))}
          </ol>
        </div>
      </div>
      <div className="panel">
        <h2>Active snoozes of account {c.account_id}</h2>
        {c.snoozes.length === 0 ? (
          <p className="muted" data-testid="no-account-snoozes">
            No rule is snoozed for this account.
          </p>
        ) : (
          <ul aria-label="Active snoozes">
            {c.snoozes.map((s) => (
              <li key={s.id}>
                <code>{s.rule_id}</code> until {formatTime(s.until)}: {s.reason} (by {s.created_by})
              </li>
            ))}
          </ul>
        )}
        <p className="muted">
          Snoozes are made and ended on the <a href={hrefFor({ page: 'rules' })}>Rules page</a>.
        </p>
      </div>
    </section>
  );
}

function AlertsTable({ detail, rules }: { detail: CaseDetailView; rules: readonly RuleDefinition[] }) {
  return (
    <div className="table-wrap">
      <table className="compact" aria-label="Alerts">
        <caption>Alerts of the case, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">Decided</th>
            <th scope="col">Transaction</th>
            <th scope="col">Amount</th>
            <th scope="col">Merchant</th>
            <th scope="col">Outcome</th>
            <th scope="col">Score</th>
            <th scope="col">Reasons</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {detail.alerts.map((a) => (
            <tr key={a.transaction_id} data-transaction-id={a.transaction_id}>
              <td>{formatTime(a.decided_at)}</td>
              <td>
                <a href={hrefFor({ page: 'transaction', id: a.transaction_id })}>{a.transaction_id}</a>
              </td>
              <td className="num">{formatAmount(a.amount, a.currency)}</td>
              <td>{a.merchant_id ?? '–'}</td>
              <td>
                <OutcomeBadge outcome={a.outcome} />
              </td>
              <td className="num">{a.score.toFixed(3)}</td>
              <td className="reason">{a.reasons.map((r) => reasonCodeText(r, rules)).join('; ')}</td>
              <td>
                <StatusBadge status={a.status as CaseStatus} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
