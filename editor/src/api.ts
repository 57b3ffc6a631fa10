import type {
  ApiErrorBody, Approval, ApprovalAction, CaseAction, CaseActionBody, CaseDetail, CaseFilter, DecisionReply, Deployment, DeploymentBody,
  DeploymentStats, DiffReply, Draft, FactsReply, LoginBody, LoginReply, Me, PublishReply, QueuedCase, RuleTestBody, RuleTestReply,
  RulesetDetail, RulesetListItem, RulesetVersion, Simulation, SimulationChanges, SimulationRequest, SourceSpan, ValidateReply, VersionSummary,
} from './api-types.ts';

/**
 * The one client of the FraudGuard API. The browser signs in with POST /v1/auth/login, which sets an
 * HttpOnly session cookie; every later call rides on it (same origin), so no token is ever kept in
 * script-readable storage. Failures become ApiFailure with the server's code and words.
 */
export class ApiFailure extends Error {
  constructor(readonly status: number, readonly body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiFailure';
  }
  get code(): string { return this.body.code; }
  /** The route does not exist on this server (yet): distinct from a missing resource. */
  get routeMissing(): boolean { return this.status === 404 && this.body.code === 'NOT_FOUND' && this.body.message.startsWith('No route'); }
}

/** Called when a request finds the session gone (expired, signed out elsewhere). */
let onUnauthenticated: () => void = () => undefined;
export function whenSignedOut(handler: () => void): void { onUnauthenticated = handler; }

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiFailure(0, { code: 'NETWORK', message: `The FraudGuard server could not be reached (${(err as Error).message}). Check that it is running and try again.` });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: reported below */ }
  if (!res.ok) {
    const error = (json as { error?: ApiErrorBody } | null)?.error
      ?? { code: `HTTP_${res.status}`, message: `The server answered ${res.status} ${res.statusText}${text && !text.trimStart().startsWith('<') ? `: ${text.slice(0, 200)}` : ''}.` };
    if (res.status === 401 && path !== '/v1/auth/login') onUnauthenticated();
    throw new ApiFailure(res.status, error);
  }
  return json as T;
}

const query = (params: Record<string, string | number | undefined | null>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};
const enc = encodeURIComponent;

/** A simulation as GET /v1/simulations/:id gives it; the list gives none with its result. */
const toSimulation = (raw: Omit<Simulation, 'result'> & { result?: Simulation['result'] }): Simulation => ({ ...raw, result: raw.result ?? null });

export const api = {
  auth: {
    login: (body: LoginBody) => call<LoginReply>('POST', '/v1/auth/login', body),
    me: () => call<Me>('GET', '/v1/auth/me'),
    logout: () => call<void>('POST', '/v1/auth/logout', {}),
  },

  facts: () => call<FactsReply>('GET', '/v1/facts'),

  rulesets: {
    list: () => call<{ rulesets: RulesetListItem[] }>('GET', '/v1/rulesets'),
    create: (name: string, document?: unknown) => call<RulesetDetail>('POST', '/v1/rulesets', { name, ...(document === undefined ? {} : { document }) }),
    get: (name: string) => call<RulesetDetail>('GET', `/v1/rulesets/${enc(name)}`),
    saveDraft: (name: string, document: unknown, revision: number) =>
      call<Draft & { name: string }>('PUT', `/v1/rulesets/${enc(name)}/draft`, { document, revision }),
    saveVersion: (name: string, revision: number, comment?: string) =>
      call<RulesetVersion>('POST', `/v1/rulesets/${enc(name)}/versions`, { revision, ...(comment ? { comment } : {}) }),
    version: (name: string, version: number) => call<RulesetVersion>('GET', `/v1/rulesets/${enc(name)}/versions/${version}`),
    versions: (name: string) => call<{ versions: VersionSummary[] }>('GET', `/v1/rulesets/${enc(name)}/versions`),
    publish: (name: string, version: number, comment?: string) =>
      call<PublishReply>('POST', `/v1/rulesets/${enc(name)}/versions/${version}/publish`, comment ? { comment } : {}),
    rollback: (name: string, version: number, comment?: string) =>
      call<PublishReply>('POST', `/v1/rulesets/${enc(name)}/rollback`, { version, ...(comment ? { comment } : {}) }),
    validate: (document: unknown) => call<ValidateReply>('POST', '/v1/rulesets/validate', { document }),
    diff: (name: string, from: number | 'draft', to: number | 'draft' = 'draft') =>
      call<DiffReply>('GET', `/v1/rulesets/${enc(name)}/diff${query({ from, to })}`),
    test: (body: RuleTestBody) => call<RuleTestReply>('POST', '/v1/rulesets/test', body),
  },

  deployments: {
    current: () => call<Deployment>('GET', '/v1/deployments/current'),
    list: (limit = 20) => call<{ deployments: Deployment[] }>('GET', `/v1/deployments${query({ limit })}`),
    stats: () => call<DeploymentStats>('GET', '/v1/deployments/current/stats'),
    create: (body: DeploymentBody) => call<Deployment>('POST', '/v1/deployments', body),
  },

  approvals: {
    list: (status?: Approval['status']) => call<{ approvals: Approval[] }>('GET', `/v1/approvals${query({ status })}`),
    request: (action: ApprovalAction, subject: string, comment?: string) =>
      call<Approval>('POST', '/v1/approvals', { action, subject, ...(comment ? { comment } : {}) }),
    decide: (id: number, verb: 'approve' | 'reject') => call<Approval>('POST', `/v1/approvals/${id}/${verb}`, {}),
  },

  decisions: {
    get: (id: string) => call<DecisionReply>('GET', `/v1/decisions/${enc(id)}`),
  },

  cases: {
    list: (filter: CaseFilter = {}) => call<{ cases: QueuedCase[]; limit: number; offset: number }>('GET', `/v1/cases${query({ ...filter })}`),
    get: (id: string) => call<CaseDetail>('GET', `/v1/cases/${enc(id)}`),
    act: (id: string, action: CaseAction, body: CaseActionBody = {}) =>
      call<QueuedCase>('POST', `/v1/cases/${enc(id)}/${action}`, body),
  },

  simulations: {
    start: (body: SimulationRequest) => call<{ id: string }>('POST', '/v1/simulations', body),
    sources: async () => (await call<{ sources: SourceSpan[] }>('GET', '/v1/simulations/sources')).sources,
    get: async (id: string) => toSimulation(await call<Simulation>('GET', `/v1/simulations/${enc(id)}`)),
    list: async () => {
      const reply = await call<{ simulations: Omit<Simulation, 'result'>[] }>('GET', '/v1/simulations');
      return reply.simulations.map(toSimulation);
    },
    changes: (id: string, page = 1) => call<SimulationChanges>('GET', `/v1/simulations/${enc(id)}/changes${query({ page })}`),
    cancel: (id: string) => call<void>('POST', `/v1/simulations/${enc(id)}/cancel`, {}),
  },
};

/** An error in words for people: the server's message, then each field or problem it names. */
export function describeError(err: unknown): { title: string; details: string[] } {
  if (err instanceof ApiFailure) {
    const details = [
      ...(err.body.fields ?? []).map((f) => `${f.field}: ${f.reason}`),
      ...(err.body.problems ?? []).map((p) => `${p.path}: ${p.reason}`),
    ];
    return { title: err.message, details };
  }
  return { title: err instanceof Error ? err.message : String(err), details: [] };
}
