/**
 * The Rules page's snoozes (issue 17): the active snoozes per rule, a form to snooze a rule for one account,
 * merchant or device with a reason, and ending one early. Analysts and admins change them; every role reads.
 */
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api.ts';
import { can, useSession } from '../session.tsx';
import { usePolling } from '../usePolling.ts';
import { formatTime } from './Status.tsx';

interface Snooze {
  id: string;
  rule_id: string;
  entity_type: 'account' | 'merchant' | 'device';
  entity_id: string;
  reason: string;
  created_by: string;
  until: string;
}

export function RuleSnoozes({ ruleIds }: { ruleIds: readonly string[] }) {
  const session = useSession();
  const mayChange = can.editRules(session.role);
  const snoozes = usePolling(
    () => api<{ items: Snooze[] }>('/api/v1/snoozes?active=true&limit=1000'),
    10_000,
    [],
  );
  const [rule, setRule] = useState('');
  const [entityType, setEntityType] = useState<Snooze['entity_type']>('account');
  const [entityId, setEntityId] = useState('');
  const [duration, setDuration] = useState('24h');
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const chosenRule = rule || ruleIds[0] || '';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMessage(null);
    setFailure(null);
    try {
      const created = await api<Snooze>(`/api/v1/rules/${encodeURIComponent(chosenRule)}/snoozes`, {
        method: 'POST',
        body: { entity_type: entityType, entity_id: entityId, duration, reason },
      });
      setMessage(
        `Snoozed ${created.rule_id} for ${created.entity_type} ${created.entity_id} until ${formatTime(created.until)}.`,
      );
      setEntityId('');
      setReason('');
      await snoozes.refresh();
    } catch (err) {
      setFailure(errorMessage(err));
    }
  };
  const end = async (s: Snooze) => {
    setMessage(null);
    setFailure(null);
    try {
      await api(`/api/v1/snoozes/${encodeURIComponent(s.id)}`, { method: 'DELETE' });
      setMessage(`Ended the snooze of ${s.rule_id} for ${s.entity_type} ${s.entity_id}.`);
      await snoozes.refresh();
    } catch (err) {
      setFailure(errorMessage(err));
    }
  };

  const items = snoozes.data?.items ?? [];
  const byRule = new Map<string, Snooze[]>();
  for (const s of items) byRule.set(s.rule_id, [...(byRule.get(s.rule_id) ?? []), s]);

  return (
    <section aria-labelledby="snoozes-title" className="rule-snoozes">
      <h2 id="snoozes-title">Snoozes</h2>
      <p className="muted">
        A snoozed rule counts for nothing on one account, merchant or device until the snooze ends.
      </p>
      {message !== null && <p role="status">{message}</p>}
      {failure !== null && <p role="alert">{failure}</p>}
      {items.length === 0 ? (
        <p className="muted" data-testid="no-snoozes">
          No active snoozes.
        </p>
      ) : (
        [...byRule].map(([ruleId, list]) => (
          <div key={ruleId} data-rule={ruleId}>
            <h3>{ruleId}</h3>
            <ul>
              {list.map((s) => (
                <li key={s.id} data-snooze={s.id}>
                  {s.entity_type} <code>{s.entity_id}</code> until {formatTime(s.until)}: {s.reason} (by{' '}
                  {s.created_by}){' '}
                  {mayChange && (
                    <button
                      type="button"
                      onClick={() => void end(s)}
                      aria-label={`End snooze of ${ruleId} for ${s.entity_id}`}
                    >
                      End
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </div>
        ))
      )}
      {mayChange && (
        <form onSubmit={(e) => void submit(e)} aria-label="Snooze a rule">
          <label htmlFor="snooze-rule">Rule</label>
          <select id="snooze-rule" value={chosenRule} onChange={(e) => setRule(e.target.value)}>
            {ruleIds.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
          <label htmlFor="snooze-entity-type">for</label>
          <select
            id="snooze-entity-type"
            value={entityType}
            onChange={(e) => setEntityType(e.target.value as Snooze['entity_type'])}
          >
            <option value="account">account</option>
            <option value="merchant">merchant</option>
            <option value="device">device</option>
          </select>
          <label htmlFor="snooze-entity-id">id</label>
          <input
            id="snooze-entity-id"
            required
            value={entityId}
            onChange={(e) => setEntityId(e.target.value)}
          />
          <label htmlFor="snooze-duration">for how long</label>
          <input
            id="snooze-duration"
            required
            value={duration}
            onChange={(e) => setDuration(e.target.value)}
          />
          <label htmlFor="snooze-reason">Reason</label>
          <input id="snooze-reason" required value={reason} onChange={(e) => setReason(e.target.value)} />
          <button type="submit">Snooze</button>
        </form>
      )}
    </section>
  );
}
