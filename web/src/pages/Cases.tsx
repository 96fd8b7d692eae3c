/**
 * Account cases (issue 17): tabs for my cases, the unassigned, all active, each queue and the closed ones; the
 * backlog per queue; the list by priority or age, 50 at a time with "Load more"; checkboxes with bulk actions
 * (each after a confirmation); and the review queue's keyboard flow, listed on the page. Auditors read only.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, errorMessage } from '../api.ts';
import {
  bulkCases,
  CASE_STATUS_LABELS,
  CLOSING,
  formatAge,
  isClosed,
  toMillis,
  type BacklogRow,
  type BulkAction,
  type BulkResult,
  type CasePage,
  type CaseSummary,
} from '../case-api.ts';
import { BacklogStrip } from '../components/BacklogStrip.tsx';
import { CaseStatusBadge } from '../components/CaseStatusBadge.tsx';
import { ChangeOutcome, ConfirmChange, ErrorBox, formatTime, Loading } from '../components/Status.tsx';
import { hrefFor, navigate } from '../router.ts';
import { can, useSession } from '../session.tsx';
import { usePolling } from '../usePolling.ts';

type Tab =
  | { kind: 'mine' }
  | { kind: 'unassigned' }
  | { kind: 'active' }
  | { kind: 'queue'; queue: string }
  | { kind: 'closed' };

const FIXED_TABS: { tab: Tab; label: string }[] = [
  { tab: { kind: 'mine' }, label: 'Mine' },
  { tab: { kind: 'unassigned' }, label: 'Unassigned' },
  { tab: { kind: 'active' }, label: 'All active' },
];
const CLOSED_TAB: { tab: Tab; label: string } = { tab: { kind: 'closed' }, label: 'Closed' };

const PAGE_SIZE = 50;
const POLL_MS = 5000;
/** The tab is kept for the browser tab, so coming back from a case lands where the analyst was. */
const TAB_STORAGE = 'fraudwatch.cases.tab';

const tabKey = (tab: Tab): string => (tab.kind === 'queue' ? `queue:${tab.queue}` : tab.kind);

function tabQuery(tab: Tab): string {
  switch (tab.kind) {
    case 'mine':
      return 'mine=true';
    case 'unassigned':
      return 'assignee=none';
    case 'active':
      return 'status=active';
    case 'queue':
      return `queue=${encodeURIComponent(tab.queue)}`;
    case 'closed':
      return 'status=closed';
  }
}

function savedTab(): Tab {
  try {
    const tab = JSON.parse(sessionStorage.getItem(TAB_STORAGE) ?? 'null') as Tab | null;
    if (tab !== null && ['mine', 'unassigned', 'active', 'closed'].includes(tab.kind)) return tab;
    if (tab?.kind === 'queue' && typeof tab.queue === 'string') return tab;
  } catch {
    // an unreadable saved tab: start from the default
  }
  return { kind: 'active' };
}

/** What a bulk answer came to, in one line: counts, then each refusal with its reason. */
function summarize(results: readonly BulkResult[]): { message: string; failure: string | null } {
  const count = (r: string) => results.filter((x) => x.result === r).length;
  const others = results.filter((x) => x.result !== 'changed' && x.result !== 'unchanged');
  const message = `${count('changed')} changed, ${count('unchanged')} already so${others.length > 0 ? `, ${others.length} not` : ''}.`;
  const failure =
    others.length === 0
      ? null
      : others.map((x) => `${x.case_id}: ${x.reason ?? x.result.replace(/_/g, ' ')}`).join('; ');
  return { message, failure };
}

/** The action as a verb phrase: "Assign to you (alice)", "Close as fraud". */
function actionWords(action: BulkAction, me: string): string {
  if (action.action === 'assign') {
    if (action.assignee === null) return 'Unassign';
    return `Assign to ${action.assignee === 'me' ? `you (${me})` : action.assignee}`;
  }
  const closing = CLOSING.find((c) => c.status === action.status);
  return closing?.label ?? `Set to ${CASE_STATUS_LABELS[action.status]}`;
}

interface Pending {
  ids: string[];
  action: BulkAction;
}

export function CasesPage() {
  const session = useSession();
  const mayWork = can.workCases(session.role);
  const [tab, setTab] = useState<Tab>(savedTab);
  const [sort, setSort] = useState<'priority' | 'age'>('priority');
  // Kept with the query it answers, so a tab never shows the rows of the one before while it loads.
  const [loaded, setLoaded] = useState<{ query: string; page: CasePage } | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [assignTo, setAssignTo] = useState('');
  const [closeNote, setCloseNote] = useState('');
  const [pending, setPending] = useState<Pending | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const table = useRef<HTMLTableElement>(null);
  const query = `${tabQuery(tab)}&sort=${sort}`;
  // Once a second page is loaded the list stops refreshing itself, so rows do not move under the reader.
  const pagesLoaded = useRef(1);
  const currentQuery = useRef(query);
  currentQuery.current = query;

  const backlog = usePolling(() => api<{ queues: BacklogRow[] }>('/api/v1/queues/backlog'), POLL_MS, []);

  const list = loaded !== null && loaded.query === query ? loaded.page : null;

  const loadFirst = useCallback(async () => {
    try {
      const page = await api<CasePage>(`/api/v1/cases?${query}&limit=${PAGE_SIZE}`);
      if (currentQuery.current !== query) return; // an answer for a tab left meanwhile
      pagesLoaded.current = 1;
      setLoaded({ query, page });
      setListError(null);
    } catch (e) {
      setListError(errorMessage(e));
    }
  }, [query]);

  useEffect(() => {
    setChecked(new Set());
    void loadFirst();
    const timer = setInterval(() => {
      if (pagesLoaded.current === 1) void loadFirst();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [loadFirst]);

  const loadMore = async () => {
    if (list?.next_cursor == null) return;
    try {
      const page = await api<CasePage>(
        `/api/v1/cases?${query}&limit=${PAGE_SIZE}&cursor=${encodeURIComponent(list.next_cursor)}`,
      );
      if (currentQuery.current !== query) return;
      pagesLoaded.current += 1;
      setLoaded((before) => {
        if (before === null || before.query !== query) return { query, page };
        const seen = new Set(before.page.items.map((c) => c.id));
        return {
          query,
          page: { ...page, items: [...before.page.items, ...page.items.filter((c) => !seen.has(c.id))] },
        };
      });
    } catch (e) {
      setListError(errorMessage(e));
    }
  };

  const chooseTab = (next: Tab) => {
    sessionStorage.setItem(TAB_STORAGE, JSON.stringify(next));
    setTab(next);
    setSelectedId(null);
    setMessage(null);
    setFailure(null);
  };

  const run = async ({ ids, action }: Pending) => {
    setPending(null);
    setBusy(true);
    setMessage(null);
    setFailure(null);
    try {
      const { results } = await bulkCases(ids, action);
      const outcome = summarize(results);
      setMessage(`${actionWords(action, session.name)}: ${outcome.message}`);
      setFailure(outcome.failure);
      setChecked(new Set());
      await Promise.all([loadFirst(), backlog.refresh()]);
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
      table.current?.focus();
    }
  };

  const items = list?.items ?? [];
  const selectedIndex = Math.max(
    0,
    items.findIndex((c) => c.id === selectedId),
  );
  const selected = items[selectedIndex];
  const checkedIds = items.filter((c) => checked.has(c.id)).map((c) => c.id);

  const toggle = (id: string) =>
    setChecked((before) => {
      const next = new Set(before);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const onKey = (event: React.KeyboardEvent) => {
    if (event.target instanceof HTMLInputElement || pending !== null || items.length === 0) return;
    const move = (by: number) =>
      setSelectedId(items[Math.min(items.length - 1, Math.max(0, selectedIndex + by))]!.id);
    const key = event.key;
    if (key === 'j' || key === 'ArrowDown') move(1);
    else if (key === 'k' || key === 'ArrowUp') move(-1);
    else if (key === 'Enter' && selected) navigate({ page: 'case', id: selected.id });
    else if (!mayWork || selected === undefined) return;
    else if (key === 'x') toggle(selected.id);
    else if (key === 'a') void run({ ids: [selected.id], action: { action: 'assign', assignee: 'me' } });
    else if (key === 'f' || key === 'l')
      setPending({
        ids: [selected.id],
        action: { action: 'status', status: key === 'f' ? 'closed_fraud' : 'closed_legitimate' },
      });
    else return;
    event.preventDefault();
  };

  const bulk = (action: BulkAction) => {
    if (checkedIds.length > 0) setPending({ ids: checkedIds, action });
  };
  const note = closeNote.trim() || undefined;

  const queueTabs = (backlog.data?.queues ?? [])
    .filter((row) => row.queue !== null)
    .map((row) => ({ tab: { kind: 'queue', queue: row.queue! } as Tab, label: row.queue! }));
  // A queue saved as the tab stays choosable even when its backlog is empty.
  if (tab.kind === 'queue' && !queueTabs.some((t) => tabKey(t.tab) === tabKey(tab)))
    queueTabs.push({ tab, label: tab.queue });
  const tabs = [...FIXED_TABS, ...queueTabs, CLOSED_TAB];
  const now = Date.now();

  return (
    <section aria-labelledby="cases-title">
      <div className="page-head">
        <h1 id="cases-title">Cases</h1>
        <span className="muted" aria-live="polite" data-testid="case-total">
          {list === null ? '' : `${list.total.toLocaleString()} matching`}
        </span>
      </div>
      {backlog.data !== null && (
        <BacklogStrip
          rows={backlog.data.queues}
          chosen={tab.kind === 'queue' ? tab.queue : undefined}
          onChoose={(queue) => chooseTab({ kind: 'queue', queue })}
        />
      )}
      <ErrorBox error={backlog.error} />
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="Which cases">
          {tabs.map((t) => (
            <button
              key={tabKey(t.tab)}
              type="button"
              aria-pressed={tabKey(t.tab) === tabKey(tab)}
              onClick={() => chooseTab(t.tab)}
            >
              {t.label}
            </button>
          ))}
        </div>
        <label htmlFor="cases-sort">Sort by</label>
        <select
          id="cases-sort"
          value={sort}
          onChange={(e) => setSort(e.target.value === 'age' ? 'age' : 'priority')}
        >
          <option value="priority">priority, highest first</option>
          <option value="age">age, oldest first</option>
        </select>
      </div>
      <p className="muted shortcuts">
        Keys, with the table focused: <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open
        {mayWork && (
          <>
            {' '}
            · <kbd>x</kbd> check for a bulk action · <kbd>a</kbd> assign to me · <kbd>f</kbd> close as fraud ·{' '}
            <kbd>l</kbd> close as legitimate (both ask first)
          </>
        )}
      </p>
      {mayWork && (
        <div className="bulk" role="group" aria-label="Bulk actions">
          <span>{checkedIds.length} checked</span>
          <button
            type="button"
            disabled={busy || checkedIds.length === 0}
            onClick={() => bulk({ action: 'assign', assignee: 'me' })}
          >
            Assign to me
          </button>
          <label htmlFor="bulk-assignee">Assign to</label>
          <input
            id="bulk-assignee"
            value={assignTo}
            placeholder="API key name"
            onChange={(e) => setAssignTo(e.target.value)}
          />
          <button
            type="button"
            disabled={busy || checkedIds.length === 0 || assignTo.trim() === ''}
            onClick={() => bulk({ action: 'assign', assignee: assignTo.trim() })}
          >
            Assign
          </button>
          <label htmlFor="bulk-note">Note for a close</label>
          <input id="bulk-note" value={closeNote} onChange={(e) => setCloseNote(e.target.value)} />
          <button
            type="button"
            className="danger"
            disabled={busy || checkedIds.length === 0}
            onClick={() => bulk({ action: 'status', status: 'closed_fraud', note })}
          >
            Close as fraud
          </button>
          <button
            type="button"
            disabled={busy || checkedIds.length === 0}
            onClick={() => bulk({ action: 'status', status: 'closed_legitimate', note })}
          >
            Close as legitimate
          </button>
        </div>
      )}
      {pending !== null && (
        <ConfirmChange
          id="cases-confirm"
          onConfirm={() => void run(pending)}
          onCancel={() => {
            setPending(null);
            table.current?.focus();
          }}
        >
          {actionWords(pending.action, session.name)}{' '}
          {pending.ids.length === 1 ? `case ${pending.ids[0]}` : `${pending.ids.length} cases`}?
          {pending.action.action === 'status' &&
            isClosed(pending.action.status) &&
            ' Every transaction in it is labelled, and the models learn from that.'}
        </ConfirmChange>
      )}
      <ChangeOutcome message={message} failure={failure} />
      <ErrorBox error={listError} onRetry={() => void loadFirst()} />
      {list === null ? (
        listError === null && <Loading what="the cases" />
      ) : items.length === 0 ? (
        <p data-testid="no-cases">No cases here.</p>
      ) : (
        <div className="table-wrap">
          <table
            ref={table}
            className="queue"
            tabIndex={0}
            onKeyDown={onKey}
            aria-label="Cases; use j and k to move"
          >
            <thead>
              <tr>
                {mayWork && (
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label="Check every case shown"
                      checked={checkedIds.length === items.length}
                      onChange={(e) => setChecked(new Set(e.target.checked ? items.map((c) => c.id) : []))}
                    />
                  </th>
                )}
                <th scope="col">Priority</th>
                <th scope="col">Account</th>
                <th scope="col">Alerts</th>
                <th scope="col">Max score</th>
                <th scope="col">Max amount</th>
                <th scope="col">Assignee</th>
                <th scope="col">Queue</th>
                <th scope="col">Age</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <CaseRow
                  key={c.id}
                  c={c}
                  now={now}
                  selected={c === selected}
                  checked={mayWork ? checked.has(c.id) : undefined}
                  onSelect={() => setSelectedId(c.id)}
                  onCheck={() => toggle(c.id)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list?.next_cursor && (
        <nav className="pager" aria-label="More cases">
          <button type="button" onClick={() => void loadMore()}>
            Load more
          </button>
          {pagesLoaded.current > 1 && (
            <button type="button" onClick={() => void loadFirst()}>
              Back to the first {PAGE_SIZE} (refreshing again)
            </button>
          )}
        </nav>
      )}
    </section>
  );
}

function CaseRow({
  c,
  now,
  selected,
  checked,
  onSelect,
  onCheck,
}: {
  c: CaseSummary;
  now: number;
  selected: boolean;
  /** Undefined: the caller may not act on cases, so no checkbox. */
  checked: boolean | undefined;
  onSelect: () => void;
  onCheck: () => void;
}) {
  const closedAt = c.closed_at === null ? null : toMillis(c.closed_at);
  return (
    <tr
      aria-current={selected ? 'true' : undefined}
      className={selected ? 'selected' : undefined}
      onClick={onSelect}
      data-case-id={c.id}
    >
      {checked !== undefined && (
        <td>
          <input
            type="checkbox"
            aria-label={`Check case of ${c.account_id}`}
            checked={checked}
            onChange={onCheck}
          />
        </td>
      )}
      <td className="num">{c.priority}</td>
      <td>
        <a href={hrefFor({ page: 'case', id: c.id })}>{c.account_id}</a>
      </td>
      <td className="num">{c.alert_count}</td>
      <td className="num">{c.max_score.toFixed(3)}</td>
      <td className="num">
        {c.max_amount.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}
      </td>
      <td>{c.assignee ?? <span className="muted">unassigned</span>}</td>
      <td>{c.queue ?? <span className="muted">none</span>}</td>
      <td title={`opened ${formatTime(c.opened_at)}`}>
        {closedAt === null
          ? formatAge((now - toMillis(c.opened_at)) / 1000)
          : `closed ${formatTime(closedAt)}`}
      </td>
      <td>
        <CaseStatusBadge status={c.status} />
      </td>
    </tr>
  );
}
