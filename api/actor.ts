import type { Request } from 'express';
import { actorName, type Principal } from './permissions.ts';

/**
 * The authenticated principal of a request, set by the guard (api/auth/guard.ts) before any route
 * runs. Kept beside the request rather than on it, so no route can forge it from input.
 */
const principals = new WeakMap<Request, Principal>();

export function setPrincipal(req: Request, principal: Principal): void {
  principals.set(req, principal);
}

export function principalOf(req: Request): Principal | null {
  return principals.get(req) ?? null;
}

/**
 * Who is acting, for created_by / audit / four-eyes: a username, or `key:<id>` for an API key.
 * Public routes have no principal: `anonymous`.
 */
export function actorOf(req: Request): string {
  const p = principals.get(req);
  return p ? actorName(p) : 'anonymous';
}
