/**
 * The review queue: flagged transactions, highest score first, filtered and paged by cursor. Keyboard: j/k or
 * arrows move, Enter opens, f confirms fraud, l marks legitimate, u puts under review, n jumps to the next open
 * case. A verdict shows at once and is rolled back, with the reason, if the server refuses it.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api.ts';
import {
  ErrorBox,
  formatAmount,
  formatTime,
  Loading,
  OutcomeBadge,
  StatusBadge,
} from '../components/Status.tsx';
import { hrefFor, navigate } from '../router.ts';
import { can, useSession } from '../session.tsx';
import { reasonText } from '../reasons.ts';
import { OUTCOMES, STATUS_LABELS, STATUSES, type Page, type StoredTransaction } from '../types.ts';
import { recordVerdict, VERDICTS, type Verdict } from '../verdicts.ts';

interface Filters {
  status: string;
  outcome: string;
  min_score: string;
  account_id: string;
  from: string;
  to: string;
  sort: 'score' | 'time';
}

const INITIAL: Filters = {
  status: 'open',
  outcome: '',
  min_score: '',
  account_id: '',
  from: '',
  to: '',
  sort: 'score',
};
const PAGE_SIZE = 50;

function queryString(f: Filters, cursor: string | null, withSort = true): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.outcome) q.set('outcome', f.outcome);
  if (f.min_score) q.set('min_score', f.min_score);
  if (f.account_id) q.set('account_id', f.account_id);
  if (f.from) q.set('from', new Date(f.from).toISOString());
  if (f.to) q.set('to', new Date(f.to).toISOString());
  if (withSort) q.set('sort', f.sort);
  return q.toString() + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
}

function topReason(row: StoredTransaction): string {
  const r = row.decision.reasons[0];
  if (r === undefined) return '';
  return reasonText(r);
}

export function Queue() {
  const session = useSession();
  const mayReview = can.review(session.role);
  const [draft, setDraft] = useState<Filters>(INITIAL);
  const [filters, setFilters] = useState<Filters>(INITIAL);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<Page<StoredTransaction> | null>(null);
  const [count, setCount] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [selected, setSelected] = useState(0);
  const table = useRef<HTMLTableElement>(null);
  const cursor = cursors[cursors.length - 1] ?? null;

  const load = useCallback(async () => {
    try {
      const [p, c] = await Promise.all([
        api<Page<StoredTransaction>>(`/api/v1/anomalies?limit=${PAGE_SIZE}&${queryString(filters, cursor)}`),
        api<{ count: number }>(`/api/v1/anomalies/count?${queryString(filters, null, false)}`),
      ]);
      setPage(p);
      setCount(c.count);
      setError(null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [filters, cursor]);

  useEffect(() => {
    void load();
  }, [load]);

  const decide = useCallback(
    async (index: number, status: Verdict) => {
      if (!mayReview || page === null) return;
      const row = page.items[index];
      if (row === undefined) return;
      const before = row.status;
      const patch = (s: StoredTransaction['status']) =>
        setPage((p) =>
          p === null
            ? p
            : {
                ...p,
                items: p.items.map((it) =>
                  it.transaction.transaction_id === row.transaction.transaction_id
                    ? { ...it, status: s }
                    : it,
                ),
              },
        );
      patch(status); // optimistic
      setNotice(null);
      try {
        await recordVerdict(row.transaction.transaction_id, status);
        setNotice(`${row.transaction.transaction_id}: ${status.replace(/_/g, ' ')}`);
      } catch (e) {
        patch(before); // rolled back
        setError(`Could not record the verdict on ${row.transaction.transaction_id}: ${errorMessage(e)}`);
      }
    },
    [mayReview, page],
  );

  const onKey = (event: React.KeyboardEvent) => {
    if (
      page === null ||
      event.target instanceof HTMLInputElement ||
      event.target instanceof HTMLSelectElement
    )
      return;
    const n = page.items.length;
    const key = event.key;
    if (key === 'j' || key === 'ArrowDown') setSelected((s) => Math.min(n - 1, s + 1));
    else if (key === 'k' || key === 'ArrowUp') setSelected((s) => Math.max(0, s - 1));
    else if (key === 'Enter') {
      const row = page.items[selected];
      if (row) navigate({ page: 'transaction', id: row.transaction.transaction_id });
    } else if (key === 'n') {
      const next = page.items.findIndex((r, i) => i > selected && r.status === 'open');
      if (next >= 0) setSelected(next);
    } else {
      const verdict = VERDICTS.find((v) => v.key === key);
      if (verdict === undefined) return;
      void decide(selected, verdict.status);
      setSelected((s) => Math.min(n - 1, s + 1));
    }
    event.preventDefault();
  };

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
    setCursors([null]);
    setSelected(0);
  };

  const field = (name: keyof Filters) => ({
    id: `filter-${name}`,
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value }),
  });

  return (
    <section aria-labelledby="queue-title">
      <div className="page-head">
        <h1 id="queue-title">Review queue</h1>
        <span className="muted" aria-live="polite">
          {count === null ? '' : `${count.toLocaleString()} matching`}
        </span>
      </div>
      <form className="filters" onSubmit={apply} aria-label="Filters">
        <label htmlFor="filter-status">Status</label>
        <select {...field('status')}>
          <option value="">any</option>
          {STATUSES.filter((s) => s !== 'none').map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
        <label htmlFor="filter-outcome">Outcome</label>
        <select {...field('outcome')}>
          <option value="">any flagged</option>
          {OUTCOMES.filter((o) => o !== 'approve').map((o) => (
            <option key={o} value={o}>
              {o.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
        <label htmlFor="filter-min_score">Min score</label>
        <input type="number" min="0" max="1" step="0.01" {...field('min_score')} />
        <label htmlFor="filter-account_id">Account</label>
        <input type="text" {...field('account_id')} />
        <label htmlFor="filter-from">From</label>
        <input type="datetime-local" {...field('from')} />
        <label htmlFor="filter-to">To</label>
        <input type="datetime-local" {...field('to')} />
        <label htmlFor="filter-sort">Sort by</label>
        <select {...field('sort')}>
          <option value="score">score, highest first</option>
          <option value="time">time, newest first</option>
        </select>
        <button type="submit">Apply</button>
      </form>
      <ErrorBox error={error} onRetry={() => void load()} />
      {notice && (
        <p role="status" className="notice">
          Recorded {notice}
        </p>
      )}
      <p className="muted shortcuts">
        Keys: <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>n</kbd> next open case
        {mayReview && (
          <>
            {' '}
            · <kbd>f</kbd> confirm fraud · <kbd>l</kbd> legitimate · <kbd>u</kbd> under review
          </>
        )}
      </p>
      {page === null ? (
        error === null && <Loading what="the queue" />
      ) : page.items.length === 0 ? (
        <p>No flagged transactions match these filters.</p>
      ) : (
        <div className="table-wrap">
          <table
            ref={table}
            className="queue"
            tabIndex={0}
            onKeyDown={onKey}
            aria-label="Flagged transactions; use j and k to move"
          >
            <thead>
              <tr>
                <th scope="col">Score</th>
                <th scope="col">Outcome</th>
                <th scope="col">Status</th>
                <th scope="col">Transaction</th>
                <th scope="col">Account</th>
                <th scope="col">Amount</th>
                <th scope="col">Time</th>
                <th scope="col">Top reason</th>
                {mayReview && <th scope="col">Verdict</th>}
              </tr>
            </thead>
            <tbody>
              {page.items.map((row, i) => (
                <tr
                  key={row.transaction.transaction_id}
                  aria-current={i === selected ? 'true' : undefined}
                  className={i === selected ? 'selected' : undefined}
                  onClick={() => setSelected(i)}
                  data-transaction-id={row.transaction.transaction_id}
                >
                  <td className="num">{row.decision.score.toFixed(3)}</td>
                  <td>
                    <OutcomeBadge outcome={row.decision.outcome} />
                  </td>
                  <td>
                    <StatusBadge status={row.status} />
                  </td>
                  <td>
                    <a href={hrefFor({ page: 'transaction', id: row.transaction.transaction_id })}>
                      {row.transaction.transaction_id}
                    </a>
                  </td>
                  <td>{row.transaction.account_id}</td>
                  <td className="num">{formatAmount(row.transaction.amount, row.transaction.currency)}</td>
                  <td>{formatTime(row.transaction.timestamp)}</td>
                  <td className="reason">{topReason(row)}</td>
                  {mayReview && (
                    <td className="actions">
                      {VERDICTS.slice(0, 2).map((v) => (
                        <button
                          key={v.status}
                          type="button"
                          className={v.status === 'confirmed_fraud' ? 'danger small' : 'small'}
                          aria-label={`${v.label}: ${row.transaction.transaction_id}`}
                          disabled={row.status === v.status}
                          onClick={() => void decide(i, v.status)}
                        >
                          {v.status === 'confirmed_fraud' ? 'Fraud' : 'Legit'}
                        </button>
                      ))}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages of results">
        <button
          type="button"
          disabled={cursors.length <= 1}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          Previous page
        </button>
        <button
          type="button"
          disabled={!page?.next_cursor}
          onClick={() => page?.next_cursor && setCursors((c) => [...c, page.next_cursor])}
        >
          Next page
        </button>
      </nav>
    </section>
  );
}
