/** The dashboard shell: sign-in gate, navigation, connection banner, and the page for the current route. */
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { api, getCredential, onConnectionChange, setCredential, watchConnection } from './api.ts';
import { ErrorBoundary } from './components/ErrorBoundary.tsx';
import { SignIn } from './components/SignIn.tsx';
import { CaseDetailPage } from './pages/CaseDetail.tsx';
import { CasesPage } from './pages/Cases.tsx';
import { Overview } from './pages/Overview.tsx';
import { ModelsPage } from './pages/Models.tsx';
import { Queue } from './pages/Queue.tsx';
import { QueueSettingsPage } from './pages/QueueSettings.tsx';
import { ReportsPage } from './pages/Reports.tsx';
import { RulesPage } from './pages/Rules.tsx';
import { SettingsPage } from './pages/Settings.tsx';
import { WebhooksPage } from './pages/Webhooks.tsx';
import { TransactionDetail } from './pages/TransactionDetail.tsx';
import { hrefFor, useRoute, type Route } from './router.ts';
import { can, SessionContext, type Session } from './session.tsx';
import './styles.css';
import 'uplot/dist/uPlot.min.css';

const NAV: { route: Route; label: string; visible: (s: Session) => boolean }[] = [
  { route: { page: 'overview' }, label: 'Overview', visible: () => true },
  { route: { page: 'cases' }, label: 'Cases', visible: () => true },
  { route: { page: 'queue' }, label: 'Review queue', visible: () => true },
  { route: { page: 'rules' }, label: 'Rules', visible: () => true },
  { route: { page: 'models' }, label: 'Models', visible: (s) => can.readModels(s.role) },
  { route: { page: 'settings' }, label: 'Settings', visible: () => true },
  { route: { page: 'reports' }, label: 'Reports', visible: () => true },
  { route: { page: 'webhooks' }, label: 'Webhooks', visible: (s) => can.readWebhooks(s.role) },
  { route: { page: 'queues' }, label: 'Queues', visible: (s) => can.manageQueues(s.role) },
];

/** The menu entry a page belongs to: a case's detail is under Cases. */
const section = (route: Route): Route['page'] => (route.page === 'case' ? 'cases' : route.page);

function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(getCredential() !== null);
  const [online, setOnline] = useState(true);
  const route = useRoute();

  useEffect(() => onConnectionChange(setOnline), []);
  useEffect(() => watchConnection(), []);
  useEffect(() => {
    if (getCredential() === null) return;
    api<Session>('/api/v1/me')
      .then((me) => (can.readDashboard(me.role) ? setSession(me) : setCredential(null)))
      .catch(() => setCredential(null))
      .finally(() => setChecking(false));
  }, []);

  if (checking) return <p className="muted">Checking your key…</p>;
  if (session === null) return <SignIn onSignedIn={setSession} />;

  const signOut = () => {
    setCredential(null);
    setSession(null);
  };

  return (
    <SessionContext.Provider value={session}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">fraudwatch</span>
        <nav aria-label="Pages">
          {NAV.filter((n) => n.visible(session)).map((n) => (
            <a
              key={n.label}
              href={hrefFor(n.route)}
              aria-current={section(route) === n.route.page ? 'page' : undefined}
            >
              {n.label}
            </a>
          ))}
        </nav>
        <span className="who">
          {session.name} <span className="badge">{session.role}</span>
          <button type="button" className="link" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      {!online && (
        <div role="status" className="offline">
          Connection to the server lost. Retrying every few seconds; your changes are not being saved.
        </div>
      )}
      <main id="main" tabIndex={-1}>
        <ErrorBoundary resetKey={window.location.hash}>
          {route.page === 'overview' && <Overview />}
          {route.page === 'cases' && <CasesPage />}
          {route.page === 'case' && <CaseDetailPage id={route.id} />}
          {route.page === 'queue' && <Queue />}
          {route.page === 'transaction' && <TransactionDetail id={route.id} />}
          {route.page === 'rules' && <RulesPage />}
          {route.page === 'models' && <ModelsPage />}
          {route.page === 'settings' && <SettingsPage />}
          {route.page === 'reports' && <ReportsPage />}
          {route.page === 'webhooks' && <WebhooksPage />}
          {route.page === 'queues' && <QueueSettingsPage />}
        </ErrorBoundary>
      </main>
    </SessionContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
