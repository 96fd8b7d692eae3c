/**
 * An audit trail, newest first, a page at a time: the first page loads (and reloads on `version`), "Older
 * entries" follows the API's cursor. The trail is never cut at its oldest entries.
 */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { api, errorMessage } from '../api.ts';
import type { AuditEntry } from '../types.ts';
import { ErrorBox } from './Status.tsx';

interface AuditPage {
  items: AuditEntry[];
  next_cursor: string | null;
}

export function AuditPages({
  query,
  pageSize,
  version,
  empty,
  label,
  render,
}: {
  /** The filters, as a query string without limit and cursor (`action=settings_change`). */
  query: string;
  pageSize: number;
  /** Changing it reloads the first page (after a change was saved, say). */
  version: number;
  empty: string;
  label: string;
  render: (entry: AuditEntry) => ReactNode;
}) {
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    async (after: string | null) => {
      setBusy(true);
      try {
        const page = await api<AuditPage>(
          `/api/v1/audit?${query}&limit=${pageSize}${after ? `&cursor=${encodeURIComponent(after)}` : ''}`,
        );
        setEntries((before) => (after === null ? page.items : [...(before ?? []), ...page.items]));
        setCursor(page.next_cursor);
        setError(null);
      } catch (e) {
        setError(errorMessage(e));
      } finally {
        setBusy(false);
      }
    },
    [query, pageSize],
  );

  useEffect(() => {
    void load(null);
  }, [load, version]);

  return (
    <>
      <ErrorBox error={error} onRetry={() => void load(null)} />
      {entries?.length === 0 && <p className="muted">{empty}</p>}
      <ol className="timeline" aria-label={label}>
        {entries?.map((a) => (
          <li key={a.id}>{render(a)}</li>
        ))}
      </ol>
      {cursor !== null && (
        <button type="button" disabled={busy} onClick={() => void load(cursor)}>
          Older entries
        </button>
      )}
    </>
  );
}
