/**
 * The API client: one place that adds credentials, turns error answers into readable messages, and notices a
 * lost connection (a fetch that fails outright) so the shell can show it and recover.
 */

export interface FieldError {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
  }
}

export type Role = 'service' | 'analyst' | 'admin' | 'auditor';

let credential: string | null = sessionStorage.getItem('fraudwatch.credential');
const connectionListeners = new Set<(online: boolean) => void>();
let online = true;

function setOnline(value: boolean): void {
  if (value === online) return;
  online = value;
  for (const listener of connectionListeners) listener(value);
}

export function onConnectionChange(listener: (online: boolean) => void): () => void {
  connectionListeners.add(listener);
  return () => connectionListeners.delete(listener);
}

export function isOnline(): boolean {
  return online;
}

export function setCredential(value: string | null): void {
  credential = value;
  if (value === null) sessionStorage.removeItem('fraudwatch.credential');
  else sessionStorage.setItem('fraudwatch.credential', value);
}

export function getCredential(): string | null {
  return credential;
}

/** API keys start with fw_; anything else is taken as a bearer token (JWT). */
function authHeaders(): Record<string, string> {
  if (credential === null) return {};
  return credential.startsWith('fw_')
    ? { 'x-api-key': credential }
    : { authorization: `Bearer ${credential}` };
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      headers: {
        ...authHeaders(),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    setOnline(false);
    throw new ApiError(0, 'Cannot reach the fraudwatch server. Retrying…');
  }
  setOnline(true);
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null; // not JSON (a proxy's error page, say): the status line is all we can show
  }
  if (!response.ok) {
    const b = (body ?? {}) as { message?: string; details?: FieldError[] };
    const message = b.message ?? `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message, Array.isArray(b.details) ? b.details : []);
  }
  return body as T;
}

/** While offline, asks /health/live every few seconds; the first answer flips the state back. */
export function watchConnection(): () => void {
  const timer = setInterval(() => {
    if (online) return;
    fetch('/health/live')
      .then((r) => setOnline(r.ok))
      .catch(() => setOnline(false));
  }, 3000);
  return () => clearInterval(timer);
}

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 401) return `Not signed in or the key is no longer valid: ${e.message}`;
    if (e.status === 403) return `Your role may not do this: ${e.message}`;
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Fetches a file the API makes (a report's HTML) with the caller's credential and saves it under `filename`. */
export async function downloadFile(path: string, filename: string): Promise<void> {
  const response = await fetch(path, { headers: authHeaders() });
  if (!response.ok) throw new ApiError(response.status, `${response.status} ${response.statusText}`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
