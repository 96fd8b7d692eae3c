/** Sign in with an API key (fw_...) or a JWT; the server tells us the role. */
import { useState, type FormEvent } from 'react';
import { api, errorMessage, setCredential } from '../api.ts';
import type { Session } from '../session.tsx';

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setCredential(value.trim());
    try {
      const me = await api<Session>('/api/v1/me');
      if (me.role === 'service') {
        setCredential(null);
        setError(
          'This is a service key (for submitting transactions); sign in with an analyst, admin or auditor key.',
        );
      } else onSignedIn(me);
    } catch (e) {
      setCredential(null);
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <h1>fraudwatch</h1>
      <form onSubmit={submit} aria-describedby="signin-help">
        <label htmlFor="credential">API key or token</label>
        <input
          id="credential"
          type="password"
          autoComplete="off"
          autoFocus
          required
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <p id="signin-help" className="muted">
          Create a key with <code>fraudwatch keys create --role analyst</code>. It is kept for this browser
          tab only.
        </p>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || value.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
