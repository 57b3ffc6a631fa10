/**
 * Who may do what: the one table the authorization middleware (api/auth/guard.ts) reads.
 *
 * Every route states the permission it needs here, keyed by method and the express path pattern
 * exactly as the route module registers it. A route that is served but missing from this table is
 * refused to everyone (403): a new route is closed until someone decides who may call it, and
 * test/security/route-table.test.ts fails until they do.
 */
export const PERMISSIONS = [
  'decide', 'label', 'read',
  'rules:write', 'rules:publish', 'deployments:write', 'lists:write',
  'cases:work', 'models:write', 'simulations:run',
  'approvals:request', 'approvals:grant',
  'admin',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** `public`: no credentials at all. `authenticated`: any valid credential (e.g. "who am I", sign out). */
export type Requirement = Permission | 'public' | 'authenticated';

export const ROLES = ['admin', 'rule_author', 'rule_approver', 'analyst', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** The scopes an API key can carry: machine clients decide, label and read; `admin` is for automation. */
export const SCOPES = ['decide', 'label', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const EVERYTHING: readonly Permission[] = PERMISSIONS;

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: EVERYTHING,
  // Authors write rules and lists, simulate, and ask for publication / deployment; four-eyes makes
  // the publish and deployment routes wait for an approval by someone else (api/four-eyes.ts).
  rule_author: ['read', 'rules:write', 'rules:publish', 'deployments:write', 'lists:write', 'simulations:run', 'approvals:request'],
  // Approvers review what authors propose: they can simulate, approve, and carry out an approved change.
  rule_approver: ['read', 'rules:publish', 'deployments:write', 'simulations:run', 'approvals:request', 'approvals:grant'],
  analyst: ['read', 'label', 'cases:work'],
  viewer: ['read'],
};

export const SCOPE_PERMISSIONS: Record<Scope, readonly Permission[]> = {
  decide: ['decide'],
  label: ['label'],
  read: ['read'],
  admin: EVERYTHING,
};

/**
 * The route table: `METHOD /express/path/:pattern` → requirement. HEAD is answered by GET routes
 * and needs what GET needs.
 */
export const ROUTE_PERMISSIONS: Record<string, Requirement> = {
  // Liveness for load balancers and the login page of the web application carry no credentials.
  'GET /healthz': 'public',
  'POST /v1/auth/login': 'public',
  'GET /': 'public',
  'GET /editor{/*path}': 'public',
  'GET /assets/*path': 'public',

  // Signed-in self-service.
  'GET /v1/auth/me': 'authenticated',
  'POST /v1/auth/logout': 'authenticated',
  'POST /v1/auth/password': 'authenticated',
  'POST /v1/auth/totp/enrol': 'authenticated',
  'POST /v1/auth/totp/verify': 'authenticated',

  // Decisions and labels (machine clients).
  'POST /v1/decisions': 'decide',
  'POST /v1/decisions/bulk': 'decide',
  'GET /v1/decisions/:id': 'read',
  'POST /v1/labels': 'label',

  // Rules, deployments, lists.
  'GET /v1/rulesets': 'read',
  'POST /v1/rulesets': 'rules:write',
  'GET /v1/rulesets/:name': 'read',
  'PUT /v1/rulesets/:name/draft': 'rules:write',
  'GET /v1/rulesets/:name/versions': 'read',
  'POST /v1/rulesets/:name/versions': 'rules:write',
  'GET /v1/rulesets/:name/versions/:version': 'read',
  'POST /v1/rulesets/:name/versions/:version/publish': 'rules:publish',
  'POST /v1/rulesets/validate': 'read',
  'PUT /v1/rulesets/:name/versions/:version': 'rules:write',
  'PATCH /v1/rulesets/:name/versions/:version': 'rules:write',
  'DELETE /v1/rulesets/:name/versions/:version': 'rules:write',
  'POST /v1/rulesets/:name/rollback': 'rules:publish',
  'GET /v1/rulesets/:name/diff': 'read',
  // The rule editor: names to complete, and a dry run of a draft on one transaction (nothing is recorded).
  'GET /v1/facts': 'read',
  'POST /v1/rulesets/test': 'read',
  'GET /v1/deployments': 'read',
  'GET /v1/deployments/current': 'read',
  'GET /v1/deployments/current/stats': 'read',
  'GET /v1/deployments/:version': 'read',
  'GET /v1/deployments/:version/stats': 'read',
  'POST /v1/deployments': 'deployments:write',
  'GET /v1/lists': 'read',
  'POST /v1/lists': 'lists:write',
  'GET /v1/lists/:name': 'read',
  'POST /v1/lists/:name/items': 'lists:write',
  'DELETE /v1/lists/:name/items/:value': 'lists:write',

  // The model registry: versions are uploaded and retired by whoever may write models (admins).
  'GET /v1/models': 'read',
  'GET /v1/models/:version': 'read',
  'POST /v1/models': 'models:write',
  'POST /v1/models/:version/retire': 'models:write',

  // Simulations: rule authors, approvers and admins run and cancel them; anyone who reads sees them.
  'POST /v1/simulations': 'simulations:run',
  'GET /v1/simulations': 'read',
  'GET /v1/simulations/sources': 'read',
  'GET /v1/simulations/:id': 'read',
  'GET /v1/simulations/:id/changes': 'read',
  'POST /v1/simulations/:id/cancel': 'simulations:run',

  // The review queue and the analysts' actions on a case.
  'GET /v1/cases': 'read',
  'GET /v1/cases/:id': 'read',
  'POST /v1/cases/:id/claim': 'cases:work',
  'POST /v1/cases/:id/release': 'cases:work',
  'POST /v1/cases/:id/approve': 'cases:work',
  'POST /v1/cases/:id/decline': 'cases:work',
  'POST /v1/cases/:id/escalate': 'cases:work',

  // Four-eyes approvals.
  'GET /v1/approvals': 'read',
  'POST /v1/approvals': 'approvals:request',
  'POST /v1/approvals/:id/approve': 'approvals:grant',
  'POST /v1/approvals/:id/reject': 'approvals:grant',

  // Administration: keys, users, the audit trail.
  'GET /v1/admin/api-keys': 'admin',
  'POST /v1/admin/api-keys': 'admin',
  'DELETE /v1/admin/api-keys/:id': 'admin',
  'GET /v1/admin/users': 'admin',
  'POST /v1/admin/users': 'admin',
  'PATCH /v1/admin/users/:username': 'admin',
  'POST /v1/admin/users/:username/unlock': 'admin',
  'GET /v1/admin/audit': 'admin',
  'GET /v1/admin/audit/verify': 'admin',

  // Observability and the API's own description.
  'GET /metrics': 'read',
  'GET /openapi.json': 'read',
};

export type Principal =
  | { kind: 'key'; id: string; name: string; scopes: readonly Scope[]; rateLimit: number | null }
  | { kind: 'user'; username: string; roles: readonly Role[]; totpEnabled: boolean };

export function permissionsOf(p: Principal): ReadonlySet<Permission> {
  const lists = p.kind === 'key' ? p.scopes.map((s) => SCOPE_PERMISSIONS[s]) : p.roles.map((r) => ROLE_PERMISSIONS[r]);
  return new Set(lists.flat());
}

export function allows(p: Principal, need: Requirement): boolean {
  if (need === 'public' || need === 'authenticated') return true;
  return permissionsOf(p).has(need);
}

/** How a principal is named in records (created_by, audit actor, four-eyes): a username, or `key:<id>`. */
export function actorName(p: Principal): string {
  return p.kind === 'user' ? p.username : `key:${p.id}`;
}
