import { createContext, useContext } from 'react';
import type { Session } from '../api/types';

export const SessionContext = createContext<Session | null>(null);

/** The signed-in session (inside the frame, always present). */
export function useCurrentSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useCurrentSession outside the signed-in frame');
  return s;
}

export const can = (s: Session, permission: string) => s.user.permissions.includes(permission);
