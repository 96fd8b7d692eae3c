/** Who is signed in (from GET /api/v1/me) and what their role lets the pages enable. */
import { createContext, useContext } from 'react';
import type { Role } from './api.ts';

export interface Session {
  name: string;
  role: Role;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside a signed-in shell');
  return session;
}

/** Mirrors the server's route roles (src/api/auth.ts); the server still checks every request. */
export const can = {
  review: (role: Role) => role === 'analyst' || role === 'admin',
  editRules: (role: Role) => role === 'analyst' || role === 'admin',
  publishRules: (role: Role) => role === 'admin',
  changeSettings: (role: Role) => role === 'admin',
  readModels: (role: Role) => role === 'analyst' || role === 'admin' || role === 'auditor',
  manageModels: (role: Role) => role === 'admin',
  readWebhooks: (role: Role) => role === 'admin' || role === 'auditor',
  manageWebhooks: (role: Role) => role === 'admin',
  readDashboard: (role: Role) => role !== 'service',
  workCases: (role: Role) => role === 'analyst' || role === 'admin',
  manageQueues: (role: Role) => role === 'admin',
};
