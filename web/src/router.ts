/** Hash routes (#/queue, #/tx/ID, #/cases/ID, #/models, ...): no server configuration needed, and back/forward work. */
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'overview' }
  | { page: 'queue' }
  | { page: 'transaction'; id: string }
  | { page: 'cases' }
  | { page: 'case'; id: string }
  | { page: 'queues' }
  | { page: 'rules' }
  | { page: 'models' }
  | { page: 'settings' }
  | { page: 'reports' }
  | { page: 'webhooks' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  switch (parts[0]) {
    case 'queue':
      return { page: 'queue' };
    case 'tx':
      return parts[1] ? { page: 'transaction', id: decodeURIComponent(parts[1]) } : { page: 'queue' };
    case 'cases':
      return parts[1] ? { page: 'case', id: decodeURIComponent(parts[1]) } : { page: 'cases' };
    case 'queues':
      return { page: 'queues' };
    case 'rules':
      return { page: 'rules' };
    case 'models':
      return { page: 'models' };
    case 'settings':
      return { page: 'settings' };
    case 'reports':
      return { page: 'reports' };
    case 'webhooks':
      return { page: 'webhooks' };
    default:
      return { page: 'overview' };
  }
}

export function hrefFor(route: Route): string {
  if (route.page === 'transaction') return `#/tx/${encodeURIComponent(route.id)}`;
  if (route.page === 'case') return `#/cases/${encodeURIComponent(route.id)}`;
  return `#/${route.page}`;
}

export function navigate(route: Route): void {
  window.location.hash = hrefFor(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
