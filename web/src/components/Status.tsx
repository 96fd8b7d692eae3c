/** Small shared pieces: error box, loading line, outcome/status badges, the confirmation of a change, formatting. */
import type { ReactNode } from 'react';
import { STATUS_LABELS, type CaseStatus, type Outcome } from '../types.ts';

export function ErrorBox({ error, onRetry }: { error: string | null; onRetry?: () => void }) {
  if (error === null) return null;
  return (
    <div role="alert" className="error-box">
      <span>{error}</span>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** What a change came to: its confirmation (a polite status) or its failure (an alert); nothing when neither. */
export function ChangeOutcome({ message, failure }: { message: string | null; failure: string | null }) {
  return (
    <>
      {message && (
        <p role="status" className="notice">
          {message}
        </p>
      )}
      <ErrorBox error={failure} />
    </>
  );
}

/** Asks before a change to live decisions: the question, an autofocused Confirm, and Cancel. */
export function ConfirmChange({
  id,
  children,
  onConfirm,
  onCancel,
}: {
  /** The id of the question's element, which names the dialog. */
  id: string;
  children: ReactNode;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <div role="alertdialog" aria-labelledby={id} className="confirm">
      <p id={id}>{children}</p>
      <button type="button" className="danger" autoFocus onClick={onConfirm}>
        Confirm
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function OutcomeBadge({ outcome }: { outcome: Outcome }) {
  return <span className={`badge outcome-${outcome}`}>{outcome.replace(/_/g, ' ')}</span>;
}

export function StatusBadge({ status }: { status: CaseStatus }) {
  return <span className={`badge status-${status}`}>{STATUS_LABELS[status] ?? status}</span>;
}

export const formatTime = (t: number | string): string =>
  new Date(t).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });

export const formatAmount = (amount: number, currency?: string): string =>
  `${amount.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}${currency ? ` ${currency}` : ''}`;

export const percent = (x: number): string => `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)} %`;
