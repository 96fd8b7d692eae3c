/**
 * Case queues (issue 17; admins change them, and only admins find the page in the menu): the queues in the order
 * routing tries them, a form to create or edit one (position, filter, members with capacity, SLA) and delete
 * after a confirmation. The server is the judge of the values: its 400 names each field, shown under it.
 */
import { useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage, type FieldError } from '../api.ts';
import { formatAge, type QueueFilter, type QueueView } from '../case-api.ts';
import { FieldErrors } from '../components/FieldErrors.tsx';
import { ChangeOutcome, ConfirmChange, ErrorBox, formatTime, Loading } from '../components/Status.tsx';
import { can, useSession } from '../session.tsx';
import { usePolling } from '../usePolling.ts';

/** What the inputs hold: text, so a half-typed value stays as typed until the server says what is wrong. */
interface QueueForm {
  name: string;
  position: string;
  min_amount: string;
  min_score: string;
  min_priority: string;
  reason_code: string;
  sla_seconds: string;
  members: { name: string; capacity: string }[];
}

const FILTER_INPUTS: { field: keyof QueueFilter & keyof QueueForm; label: string; numeric: boolean }[] = [
  { field: 'min_amount', label: 'Min amount', numeric: true },
  { field: 'min_score', label: 'Min score (0–1)', numeric: true },
  { field: 'min_priority', label: 'Min priority', numeric: true },
  { field: 'reason_code', label: 'Reason code (rule@version or model)', numeric: false },
];

const EMPTY: QueueForm = {
  name: '',
  position: '0',
  min_amount: '',
  min_score: '',
  min_priority: '',
  reason_code: '',
  sla_seconds: '3600',
  members: [],
};

function formOf(q: QueueView): QueueForm {
  const text = (v: number | string | undefined) => (v === undefined ? '' : String(v));
  return {
    name: q.name,
    position: String(q.position),
    min_amount: text(q.filter.min_amount),
    min_score: text(q.filter.min_score),
    min_priority: text(q.filter.min_priority),
    reason_code: text(q.filter.reason_code),
    sla_seconds: String(q.sla_seconds),
    members: q.members.map((m) => ({ name: m.name, capacity: String(m.capacity) })),
  };
}

/** Empty inputs are left out; a number that does not parse is sent as typed so the server names it. */
const numberOrText = (v: string): number | string | undefined =>
  v.trim() === '' ? undefined : Number.isFinite(Number(v)) ? Number(v) : v;

function bodyOf(form: QueueForm) {
  const filter: Record<string, unknown> = {};
  for (const { field, numeric } of FILTER_INPUTS) {
    const value = numeric ? numberOrText(form[field]) : form[field].trim() || undefined;
    if (value !== undefined) filter[field] = value;
  }
  return {
    position: numberOrText(form.position),
    filter,
    members: form.members.map((m) => ({ name: m.name.trim(), capacity: numberOrText(m.capacity) })),
    sla_seconds: numberOrText(form.sla_seconds),
  };
}

function filterText(f: QueueFilter): string {
  const parts = [
    f.min_amount !== undefined && `amount ≥ ${f.min_amount}`,
    f.min_score !== undefined && `score ≥ ${f.min_score}`,
    f.min_priority !== undefined && `priority ≥ ${f.min_priority}`,
    f.reason_code !== undefined && `reason ${f.reason_code}`,
  ].filter(Boolean);
  return parts.length === 0 ? 'every case' : parts.join(', ');
}

export function QueueSettingsPage() {
  const session = useSession();
  const mayManage = can.manageQueues(session.role);
  const queues = usePolling(() => api<{ items: QueueView[] }>('/api/v1/queues'), 0, []);
  /** null: creating a new queue; else the name of the one being edited. */
  const [editing, setEditing] = useState<string | null>(null);
  const [form, setForm] = useState<QueueForm>(EMPTY);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const errs = (path: string) => errors.filter((e) => e.path === path);
  const claimed = (path: string) =>
    path === 'name' ||
    path === 'position' ||
    path === 'sla_seconds' ||
    path === 'members' ||
    /^members\[\d+\]\.(name|capacity)$/.test(path) ||
    FILTER_INPUTS.some((f) => path === `filter.${f.field}`);
  const otherErrors = errors.filter((e) => !claimed(e.path));
  const invalid = (path: string) => (errs(path).length > 0 ? true : undefined);
  const describedBy = (id: string, path: string) => (errs(path).length > 0 ? `${id}-errors` : undefined);

  const startEdit = (q: QueueView | null) => {
    setEditing(q?.name ?? null);
    setForm(q === null ? EMPTY : formOf(q));
    setErrors([]);
    setMessage(null);
    setFailure(null);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors([]);
    setMessage(null);
    setFailure(null);
    try {
      if (editing === null) {
        const created = await api<QueueView>('/api/v1/queues', {
          method: 'POST',
          body: { name: form.name.trim(), ...bodyOf(form) },
        });
        setMessage(`Created queue ${created.name}.`);
      } else {
        await api<QueueView>(`/api/v1/queues/${encodeURIComponent(editing)}`, {
          method: 'PATCH',
          body: bodyOf(form),
        });
        setMessage(`Saved queue ${editing}.`);
      }
      setEditing(null);
      setForm(EMPTY);
      await queues.refresh();
    } catch (e) {
      if (e instanceof ApiError && e.details.length > 0) {
        setErrors(e.details);
        setFailure(`Not saved: ${e.details.length} problem(s), each shown at its field.`);
      } else setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (name: string) => {
    setDeleting(null);
    setMessage(null);
    setFailure(null);
    try {
      await api(`/api/v1/queues/${encodeURIComponent(name)}`, { method: 'DELETE' });
      setMessage(`Deleted queue ${name}; cases assigned through it keep their assignee.`);
      if (editing === name) startEdit(null);
      await queues.refresh();
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  const set = (field: Exclude<keyof QueueForm, 'members'>) => ({
    value: form[field],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [field]: e.target.value }),
  });
  const setMember = (i: number, patch: Partial<QueueForm['members'][number]>) =>
    setForm({ ...form, members: form.members.map((m, j) => (j === i ? { ...m, ...patch } : m)) });
  const sla = Number(form.sla_seconds);

  return (
    <section aria-labelledby="queues-title">
      <h1 id="queues-title">Queues</h1>
      <p className="muted">
        An active case goes to the first queue, by position, whose filter it matches; its members are dealt
        its unassigned cases in turn, each up to their capacity. A case older than the SLA breaches it (red on
        the Cases page).
      </p>
      <ChangeOutcome message={message} failure={failure} />
      <ErrorBox error={queues.error} onRetry={() => void queues.refresh()} />
      {queues.data === null ? (
        queues.error === null && <Loading what="the queues" />
      ) : queues.data.items.length === 0 ? (
        <p data-testid="no-queues">No queues yet: cases stay unrouted and unassigned.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Queues">
            <thead>
              <tr>
                <th scope="col">Position</th>
                <th scope="col">Name</th>
                <th scope="col">Filter</th>
                <th scope="col">Members (capacity)</th>
                <th scope="col">SLA</th>
                <th scope="col">Last assigned</th>
                <th scope="col">Changed</th>
                {mayManage && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {queues.data.items.map((q) => (
                <tr key={q.name} data-queue={q.name}>
                  <td className="num">{q.position}</td>
                  <td>{q.name}</td>
                  <td>{filterText(q.filter)}</td>
                  <td>{q.members.map((m) => `${m.name} (${m.capacity})`).join(', ') || '–'}</td>
                  <td>{formatAge(q.sla_seconds)}</td>
                  <td>{q.last_assigned ?? '–'}</td>
                  <td>
                    {formatTime(q.updated_at)} by {q.updated_by}
                  </td>
                  {mayManage && (
                    <td className="actions">
                      <button
                        type="button"
                        className="small"
                        aria-label={`Edit ${q.name}`}
                        onClick={() => startEdit(q)}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="small danger"
                        aria-label={`Delete ${q.name}`}
                        onClick={() => setDeleting(q.name)}
                      >
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {deleting !== null && (
        <ConfirmChange
          id="queue-delete-confirm"
          onConfirm={() => void remove(deleting)}
          onCancel={() => setDeleting(null)}
        >
          Delete queue {deleting}? Its active cases are routed again to the next matching queue.
        </ConfirmChange>
      )}
      {mayManage ? (
        <form
          className="panel"
          onSubmit={(e) => void save(e)}
          aria-label={editing === null ? 'New queue' : `Edit queue ${editing}`}
          noValidate
        >
          <h2>{editing === null ? 'New queue' : `Edit queue ${editing}`}</h2>
          <FieldErrors errors={otherErrors} id="queue-errors" />
          {editing === null && (
            <div className="row">
              <label htmlFor="queue-name">Name</label>
              <input
                id="queue-name"
                {...set('name')}
                aria-invalid={invalid('name')}
                aria-describedby={describedBy('queue-name', 'name')}
              />
              <FieldErrors errors={errs('name')} id="queue-name-errors" />
            </div>
          )}
          <div className="row">
            <label htmlFor="queue-position">Position (lower is tried first)</label>
            <input
              id="queue-position"
              type="number"
              {...set('position')}
              aria-invalid={invalid('position')}
              aria-describedby={describedBy('queue-position', 'position')}
            />
            <FieldErrors errors={errs('position')} id="queue-position-errors" />
          </div>
          <fieldset>
            <legend>Filter (every condition given must hold; none: every case)</legend>
            {FILTER_INPUTS.map(({ field, label, numeric }) => (
              <div className="row" key={field}>
                <label htmlFor={`queue-${field}`}>{label}</label>
                <input
                  id={`queue-${field}`}
                  type={numeric ? 'number' : 'text'}
                  step="any"
                  {...set(field)}
                  aria-invalid={invalid(`filter.${field}`)}
                  aria-describedby={describedBy(`queue-${field}`, `filter.${field}`)}
                />
                <FieldErrors errors={errs(`filter.${field}`)} id={`queue-${field}-errors`} />
              </div>
            ))}
          </fieldset>
          <fieldset>
            <legend>Members, in turn order</legend>
            <FieldErrors errors={errs('members')} id="queue-members-errors" />
            {form.members.map((m, i) => (
              <div className="row" key={i} data-member={i}>
                <label htmlFor={`member-${i}-name`}>Member {i + 1} API key name</label>
                <input
                  id={`member-${i}-name`}
                  value={m.name}
                  onChange={(e) => setMember(i, { name: e.target.value })}
                  aria-invalid={invalid(`members[${i}].name`)}
                />
                <label htmlFor={`member-${i}-capacity`}>capacity</label>
                <input
                  id={`member-${i}-capacity`}
                  type="number"
                  value={m.capacity}
                  onChange={(e) => setMember(i, { capacity: e.target.value })}
                  aria-invalid={invalid(`members[${i}].capacity`)}
                />
                <button
                  type="button"
                  className="small"
                  onClick={() => setForm({ ...form, members: form.members.filter((_, j) => j !== i) })}
                >
                  Remove member {i + 1}
                </button>
                <FieldErrors
                  errors={[...errs(`members[${i}].name`), ...errs(`members[${i}].capacity`)]}
                  id={`member-${i}-errors`}
                />
              </div>
            ))}
            <button
              type="button"
              onClick={() => setForm({ ...form, members: [...form.members, { name: '', capacity: '5' }] })}
            >
              Add member
            </button>
          </fieldset>
          <div className="row">
            <label htmlFor="queue-sla">SLA in seconds</label>
            <input
              id="queue-sla"
              type="number"
              {...set('sla_seconds')}
              aria-invalid={invalid('sla_seconds')}
              aria-describedby={describedBy('queue-sla', 'sla_seconds')}
            />
            {Number.isInteger(sla) && sla > 0 && <span className="muted">{formatAge(sla)}</span>}
            <FieldErrors errors={errs('sla_seconds')} id="queue-sla-errors" />
          </div>
          <button type="submit" className="primary" disabled={busy}>
            {editing === null ? 'Create queue' : 'Save queue'}
          </button>
          {editing !== null && (
            <button type="button" onClick={() => startEdit(null)}>
              Cancel editing
            </button>
          )}
        </form>
      ) : (
        <p className="muted">Only admins change queues; your role ({session.role}) reads them.</p>
      )}
    </section>
  );
}
