/**
 * One transaction: its decision and reasons (bars sized by contribution), the account's recent history and
 * usual places and devices, the review timeline from the audit log, and the verdict buttons.
 */
import { useState } from 'react';
import { api, ApiError, errorMessage } from '../api.ts';
import { Bars } from '../components/Bars.tsx';
import {
  ErrorBox,
  formatAmount,
  formatTime,
  Loading,
  OutcomeBadge,
  StatusBadge,
} from '../components/Status.tsx';
import { hrefFor } from '../router.ts';
import { can, useSession } from '../session.tsx';
import { reasonText } from '../reasons.ts';
import { REOPENABLE, type AccountProfile, type AuditEntry, type StoredTransaction } from '../types.ts';
import { usePolling } from '../usePolling.ts';
import { recordVerdict, reopenCase, VERDICTS, type Verdict } from '../verdicts.ts';

interface DetailData {
  stored: StoredTransaction;
  audit: AuditEntry[];
  history: StoredTransaction[];
  profile: AccountProfile | null;
}

async function loadDetail(id: string): Promise<DetailData> {
  const stored = await api<StoredTransaction>(`/api/v1/transactions/${encodeURIComponent(id)}`);
  const account = encodeURIComponent(stored.transaction.account_id);
  const trail = (action: string) =>
    api<{ items: AuditEntry[] }>(`/api/v1/audit?transaction_id=${encodeURIComponent(id)}&action=${action}`);
  const [verdicts, reopenings, history, profile] = await Promise.all([
    trail('status_change'),
    trail('case_reopened'),
    api<{ items: StoredTransaction[] }>(`/api/v1/accounts/${account}/transactions?limit=20`),
    api<AccountProfile>(`/api/v1/accounts/${account}/profile`).catch((e) =>
      e instanceof ApiError && e.status === 404 ? null : Promise.reject(e),
    ),
  ]);
  // Verdicts and reopenings (not the reads, which would crowd them out), oldest first by entry id.
  const review = [...verdicts.items, ...reopenings.items].sort((a, b) => a.id - b.id);
  return { stored, audit: review, history: history.items, profile };
}

export function TransactionDetail({ id }: { id: string }) {
  const session = useSession();
  const { data, error, refresh, setData } = usePolling(() => loadDetail(id), 0, [id]);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);

  const decide = async (status: Verdict) => {
    if (data === null) return;
    const before = data.stored.status;
    setBusy(true);
    setActionError(null);
    setData({ ...data, stored: { ...data.stored, status } }); // optimistic
    try {
      await recordVerdict(id, status, note.trim() || undefined);
      setNote('');
      await refresh();
    } catch (e) {
      setData({ ...data, stored: { ...data.stored, status: before } });
      setActionError(`The verdict was not recorded: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  const reopen = async () => {
    setBusy(true);
    setActionError(null);
    try {
      await reopenCase(id, note.trim() || undefined);
      setNote('');
      await refresh();
    } catch (e) {
      setActionError(`The case was not reopened: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  if (data === null)
    return (
      <section>
        <p>
          <a href={hrefFor({ page: 'queue' })}>← Review queue</a>
        </p>
        <ErrorBox error={error} onRetry={() => void refresh()} />
        {error === null && <Loading what={`transaction ${id}`} />}
      </section>
    );

  const { stored, audit, history, profile } = data;
  const { transaction: tx, decision } = stored;
  const rules = decision.reasons.filter((r) => r.kind === 'rule');
  const models = decision.reasons.filter((r) => r.kind === 'model');
  const mayReview = can.review(session.role);

  return (
    <section aria-labelledby="tx-title">
      <p>
        <a href={hrefFor({ page: 'queue' })}>← Review queue</a>
      </p>
      <div className="page-head">
        <h1 id="tx-title">Transaction {tx.transaction_id}</h1>
        <OutcomeBadge outcome={decision.outcome} />
        <span data-testid="case-status">
          <StatusBadge status={stored.status} />
        </span>
      </div>
      <ErrorBox error={error} onRetry={() => void refresh()} />
      <div className="grid2">
        <div className="panel">
          <h2>Decision</h2>
          <dl className="facts">
            <dt>Score</dt>
            <dd>{decision.score.toFixed(3)}</dd>
            <dt>Rules score</dt>
            <dd>{decision.rule_score.toFixed(3)}</dd>
            <dt>Model score</dt>
            <dd>{decision.model_score === null ? 'no model answered' : decision.model_score.toFixed(3)}</dd>
            <dt>Model</dt>
            <dd>{decision.model_version ?? '–'}</dd>
            <dt>Rules version</dt>
            <dd>{decision.rules_version}</dd>
            <dt>Flags</dt>
            <dd>
              {[decision.bypassed && 'bypassed', decision.degraded && 'degraded']
                .filter(Boolean)
                .join(', ') || 'none'}
            </dd>
          </dl>
          <h3>Rules that fired</h3>
          {rules.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <Bars
              label="Rules that fired, by weight"
              bars={rules.map((r) =>
                r.kind === 'rule'
                  ? {
                      label: `${r.rule}: ${r.reason}`,
                      value: r.outcome ? 1 : r.score,
                      text: r.outcome
                        ? `forces ${r.outcome.replace(/_/g, ' ')}`
                        : `weight ${r.score.toFixed(2)}`,
                    }
                  : { label: '', value: 0 },
              )}
            />
          )}
          <h3>Model contributions</h3>
          {models.length === 0 ? (
            <p className="muted">No model explanation (models explain flagged decisions only).</p>
          ) : (
            <Bars
              signed
              label="Model feature contributions; to the right raises the score"
              bars={models.map((r) =>
                r.kind === 'model'
                  ? {
                      label: reasonText(r),
                      value: r.contribution,
                      text: `${r.contribution >= 0 ? '+' : ''}${r.contribution.toFixed(3)}`,
                    }
                  : { label: '', value: 0 },
              )}
            />
          )}
        </div>
        <div className="panel">
          <h2>Transaction</h2>
          <dl className="facts">
            <dt>Time</dt>
            <dd>{formatTime(tx.timestamp)}</dd>
            <dt>Amount</dt>
            <dd>{formatAmount(tx.amount, tx.currency)}</dd>
            <dt>Account</dt>
            <dd>{tx.account_id}</dd>
            {(
              ['merchant_id', 'merchant_category', 'country', 'city', 'channel', 'device_id', 'ip'] as const
            ).map(
              (k) =>
                tx[k] !== undefined && (
                  <div key={k} className="fact">
                    <dt>{k.replace(/_/g, ' ')}</dt>
                    <dd>{tx[k]}</dd>
                  </div>
                ),
            )}
          </dl>
          <h2>Verdict</h2>
          {mayReview ? (
            <div className="verdict">
              <label htmlFor="verdict-note">Note (optional)</label>
              <input
                id="verdict-note"
                value={note}
                onChange={(e) => setNote(e.target.value)}
                maxLength={2000}
              />
              <div className="buttons">
                {VERDICTS.map((v) => (
                  <button
                    key={v.status}
                    type="button"
                    className={v.status === 'confirmed_fraud' ? 'danger' : undefined}
                    disabled={busy || stored.status === v.status}
                    onClick={() => void decide(v.status)}
                  >
                    {v.label}
                  </button>
                ))}
                {REOPENABLE.includes(stored.status) && (
                  <button type="button" disabled={busy} onClick={() => void reopen()}>
                    Reopen case
                  </button>
                )}
              </div>
              {stored.status === 'decided' && (
                <p className="muted">Declined: final unless someone disputes it (Reopen case).</p>
              )}
              {stored.status === 'none' && (
                <p className="muted">
                  Approved: no case. A verdict (say, after a chargeback) still records one.
                </p>
              )}
            </div>
          ) : (
            <p className="muted">Your role ({session.role}) can read cases but not record verdicts.</p>
          )}
          <ErrorBox error={actionError} />
        </div>
      </div>
      <div className="grid2">
        <div className="panel">
          <h2>Review timeline</h2>
          {audit.length === 0 ? (
            <p className="muted">No review yet.</p>
          ) : (
            <ol className="timeline" aria-label="Review timeline">
              {audit.map((a) => (
                <li key={a.id}>
                  <time dateTime={String(a.at)}>{formatTime(a.at)}</time> <strong>{a.actor}</strong>{' '}
                  {a.action === 'case_reopened' ? 'reopened: ' : ''}
                  {a.old_value ?? '–'} → {a.new_value ?? '–'}
                  {a.note && <q>{a.note}</q>}
                </li>
              ))}
            </ol>
          )}
        </div>
        <div className="panel">
          <h2>Account {tx.account_id}</h2>
          {profile && (
            <dl className="facts">
              <dt>Transactions</dt>
              <dd>{profile.transactions}</dd>
              <dt>Mean amount</dt>
              <dd>{formatAmount(profile.amount.mean)}</dd>
              <dt>Usual cities</dt>
              <dd>{profile.usual.cities.map((u) => `${u.value} (${u.count})`).join(', ') || '–'}</dd>
              <dt>Usual countries</dt>
              <dd>{profile.usual.countries.map((u) => `${u.value} (${u.count})`).join(', ') || '–'}</dd>
              <dt>Usual devices</dt>
              <dd>{profile.usual.devices.map((u) => `${u.value} (${u.count})`).join(', ') || '–'}</dd>
              <dt>Confirmed fraud</dt>
              <dd>{profile.risk.confirmed_fraud}</dd>
            </dl>
          )}
        </div>
      </div>
      <div className="table-wrap">
        <table className="compact">
          <caption>Recent transactions of {tx.account_id}</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Transaction</th>
              <th scope="col">Amount</th>
              <th scope="col">Merchant</th>
              <th scope="col">City</th>
              <th scope="col">Score</th>
              <th scope="col">Outcome</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {history.map((h) => (
              <tr
                key={h.transaction.transaction_id}
                aria-current={h.transaction.transaction_id === tx.transaction_id}
              >
                <td>{formatTime(h.transaction.timestamp)}</td>
                <td>
                  <a href={hrefFor({ page: 'transaction', id: h.transaction.transaction_id })}>
                    {h.transaction.transaction_id}
                  </a>
                </td>
                <td className="num">{formatAmount(h.transaction.amount, h.transaction.currency)}</td>
                <td>{h.transaction.merchant_id ?? '–'}</td>
                <td>{h.transaction.city ?? '–'}</td>
                <td className="num">{h.decision.score.toFixed(3)}</td>
                <td>
                  <OutcomeBadge outcome={h.decision.outcome} />
                </td>
                <td>
                  <StatusBadge status={h.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
