import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Me } from './api-types.ts';

/** The signed-in person (or API key) and what they may do: screens hide actions the API would refuse. */
export interface Session {
  me: Me;
  can(permission: string): boolean;
  name: string;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in screen');
  return session;
}

export function sessionOf(me: Me, signOut: () => Promise<void>): Session {
  const permissions = new Set(me.permissions);
  return { me, can: (p) => permissions.has(p), name: me.kind === 'user' ? me.username : `key:${me.id}`, signOut };
}
