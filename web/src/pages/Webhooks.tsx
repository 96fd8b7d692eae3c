/**
 * Webhook subscriptions (admin manages, auditor reads): the list, a form to subscribe a URL (its secret shown
 * once, right after), enable/disable, and each subscription's deliveries with a redeliver button.
 */
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api.ts';
import { ErrorBox, formatTime, Loading } from '../components/Status.tsx';
import { can, useSession } from '../session.tsx';
import { usePolling } from '../usePolling.ts';

const EVENT_TYPES = ['decision.flagged', 'decision.declined', 'case.opened', 'case.closed', 'label.recorded'];

interface Subscription {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  key_id: string;
  created_at: string;
}
interface Delivery {
  id: string;
  event_type: string;
  event_key: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
}

function Deliveries({ hook, mayManage }: { hook: Subscription; mayManage: boolean }) {
  const log = usePolling(
    () => api<{ items: Delivery[] }>(`/api/v1/webhooks/${encodeURIComponent(hook.id)}/deliveries`),
    2000,
    [hook.id],
  );
  const [failure, setFailure] = useState<string | null>(null);
  const redeliver = async (d: Delivery) => {
    try {
      await api(
        `/api/v1/webhooks/${encodeURIComponent(hook.id)}/deliveries/${encodeURIComponent(d.id)}/redeliver`,
        {
          method: 'POST',
        },
      );
      await log.refresh();
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };
  if (log.data === null) return <ErrorBox error={log.error} onRetry={() => void log.refresh()} />;
  return (
    <div>
      <h3>Deliveries to {hook.url}</h3>
      <ErrorBox error={failure} />
      {log.data.items.length === 0 ? (
        <p>No deliveries yet.</p>
      ) : (
        <table aria-label="Deliveries">
          <thead>
            <tr>
              <th>queued</th>
              <th>event</th>
              <th>key</th>
              <th>status</th>
              <th>attempts</th>
              <th>last answer</th>
              {mayManage && <th />}
            </tr>
          </thead>
          <tbody>
            {log.data.items.map((d) => (
              <tr key={d.id}>
                <td>{formatTime(d.created_at)}</td>
                <td>{d.event_type}</td>
                <td>{d.event_key}</td>
                <td>{d.status}</td>
                <td>{d.attempts}</td>
                <td>{d.last_status_code ?? d.last_error ?? '—'}</td>
                {mayManage && (
                  <td>
                    <button type="button" onClick={() => void redeliver(d)}>
                      Redeliver
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function WebhooksPage() {
  const session = useSession();
  const mayManage = can.manageWebhooks(session.role);
  const hooks = usePolling(() => api<{ items: Subscription[] }>('/api/v1/webhooks'), 0, []);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(['decision.flagged', 'decision.declined']);
  const [secret, setSecret] = useState<{ id: string; secret: string } | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    try {
      const created = await api<Subscription & { secret: string }>('/api/v1/webhooks', {
        method: 'POST',
        body: { url, events },
      });
      setSecret({ id: created.id, secret: created.secret });
      setSelected(created.id);
      setUrl('');
      await hooks.refresh();
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  const toggle = async (hook: Subscription) => {
    try {
      await api(`/api/v1/webhooks/${encodeURIComponent(hook.id)}`, {
        method: 'PATCH',
        body: { enabled: !hook.enabled },
      });
      await hooks.refresh();
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  if (hooks.data === null)
    return (
      <section>
        <h1>Webhooks</h1>
        <ErrorBox error={hooks.error} onRetry={() => void hooks.refresh()} />
        {hooks.error === null && <Loading what="the webhooks" />}
      </section>
    );
  const shown = hooks.data.items.find((h) => h.id === selected) ?? null;
  return (
    <section>
      <h1>Webhooks</h1>
      <ErrorBox error={failure} />
      {secret !== null && (
        <div role="status" className="secret-once">
          <p>
            Signing secret of the new webhook, shown this once:{' '}
            <code data-testid="webhook-secret">{secret.secret}</code>
          </p>
          <button type="button" onClick={() => setSecret(null)}>
            I have stored it
          </button>
        </div>
      )}
      {mayManage && (
        <form onSubmit={(e) => void create(e)} aria-label="New webhook">
          <label>
            URL <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://…" />
          </label>
          <fieldset>
            <legend>Events</legend>
            {EVENT_TYPES.map((t) => (
              <label key={t}>
                <input
                  type="checkbox"
                  checked={events.includes(t)}
                  onChange={(e) =>
                    setEvents(e.target.checked ? [...events, t] : events.filter((x) => x !== t))
                  }
                />
                {t}
              </label>
            ))}
          </fieldset>
          <button type="submit">Create webhook</button>
        </form>
      )}
      <table aria-label="Webhooks">
        <thead>
          <tr>
            <th>URL</th>
            <th>events</th>
            <th>key id</th>
            <th>enabled</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {hooks.data.items.map((h) => (
            <tr key={h.id}>
              <td>{h.url}</td>
              <td>{h.events.join(', ')}</td>
              <td>{h.key_id}</td>
              <td>
                {mayManage ? (
                  <button type="button" onClick={() => void toggle(h)}>
                    {h.enabled ? 'Disable' : 'Enable'}
                  </button>
                ) : h.enabled ? (
                  'yes'
                ) : (
                  'no'
                )}
              </td>
              <td>
                <button type="button" onClick={() => setSelected(h.id)}>
                  Deliveries
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown !== null && <Deliveries hook={shown} mayManage={mayManage} />}
    </section>
  );
}
