import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.ts';
import type { Simulation, SimulationRequest, SourceSpan } from '../api-types.ts';
import { useSession } from '../session.ts';
import { ErrorText } from '../ui/error-text.tsx';
import { SimulationResults } from './simulation-results.tsx';
import type { Workspace } from './ruleset-screen.tsx';

/** The last simulation run for a ruleset in this browser, so the publish dialog can show its figures. */
export interface LastSimulation { id: string; candidate: string; at: string }
const key = (ruleset: string) => `fraudguard.simulation.${ruleset}`;
export function lastSimulation(ruleset: string): LastSimulation | null {
  try { return JSON.parse(localStorage.getItem(key(ruleset)) ?? 'null') as LastSimulation | null; } catch { return null; }
}
function remember(ruleset: string, s: LastSimulation): void { localStorage.setItem(key(ruleset), JSON.stringify(s)); }

const POLL_MS = 1000;
const FINISHED = new Set(['completed', 'failed', 'cancelled']);

/** Polls a simulation until it finishes; the latest state, or the error that stopped the polling. */
export function useSimulation(id: string | null): { simulation: Simulation | null; error: unknown } {
  const [simulation, setSimulation] = useState<Simulation | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setSimulation(null);
    setError(null);
    if (!id) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let live = true;
    const poll = async () => {
      try {
        const s = await api.simulations.get(id);
        if (!live) return;
        setSimulation(s);
        if (!FINISHED.has(s.status)) timer = setTimeout(() => void poll(), POLL_MS);
      } catch (err) {
        if (live) setError(err);
      }
    };
    void poll();
    return () => { live = false; clearTimeout(timer); };
  }, [id]);
  return { simulation, error };
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** The last week a history holds (or all of it, when shorter): a period a first run has transactions in. */
export function lastWeekOf(span: { from: string; to: string }): { from: string; to: string } {
  const weekBefore = isoDay(new Date(Date.parse(`${span.to}T00:00:00Z`) - 6 * 86_400_000));
  return { from: weekBefore < span.from ? span.from : weekBefore, to: span.to };
}

/**
 * Simulate before publishing: replays a period of history through the draft (or a saved version)
 * beside the champion, with progress, then the figures as charts and the decisions that change.
 */
export function SimulatePanel({ ws }: { ws: Workspace }) {
  const session = useSession();
  const remembered = lastSimulation(ws.name);
  const [source, setSource] = useState<'dataset' | 'postgres'>('dataset');
  // What each history holds: the period offered, the date pickers' bounds, and why one cannot be replayed.
  const [spans, setSpans] = useState<SourceSpan[] | null>(null);
  const span = spans?.find((s) => s.name === source);
  // The dates someone picked; until then the chosen history's last week.
  const [picked, setPicked] = useState<{ from?: string; to?: string }>({});
  const offered = span?.available ? lastWeekOf(span) : undefined;
  const from = picked.from ?? offered?.from ?? '';
  const to = picked.to ?? offered?.to ?? '';
  const [candidate, setCandidate] = useState<string>('draft');
  const [champion, setChampion] = useState<string | null>(null);
  const [id, setId] = useState<string | null>(remembered?.id ?? null);
  const [startError, setStartError] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);
  const { simulation, error } = useSimulation(id);

  useEffect(() => { api.deployments.current().then((d) => setChampion(d.spec.champion.rulesetVersion), () => undefined); }, []);
  useEffect(() => { api.simulations.sources().then(setSpans, () => undefined); }, []);

  const start = async (e: Event) => {
    e.preventDefault();
    setStartError(null);
    let side: SimulationRequest['candidate'];
    let label: string;
    if (candidate === 'draft') {
      const doc = ws.parsed();
      if (!doc.ok) { setStartError(new Error(doc.reason)); return; }
      side = { document: doc.document as NonNullable<SimulationRequest['candidate']['document']> };
      label = `draft (revision ${ws.revision}${ws.dirty ? ', with unsaved edits' : ''})`;
    } else {
      side = { ruleset_version: candidate };
      label = candidate;
    }
    setStarting(true);
    try {
      const started = await api.simulations.start({ source, from, to, candidate: side });
      remember(ws.name, { id: started.id, candidate: label, at: new Date().toISOString() });
      setId(started.id);
    } catch (err) {
      setStartError(err instanceof ApiFailure && err.routeMissing
        ? new Error('Simulations are not available on this server yet: its API has no POST /v1/simulations route. Ask the team running it to update.')
        : err);
    } finally {
      setStarting(false);
    }
  };

  const running = simulation !== null && !FINISHED.has(simulation.status);
  return (
    <div class="simulate-tab">
      <form class="panel inline-form" onSubmit={start} aria-labelledby="simulate-title">
        <h2 id="simulate-title">Simulate before publishing</h2>
        <p class="muted">Replays history through the candidate and, beside it, the champion{champion ? ` (${champion})` : ''}: the same code path production decides with.</p>
        <div class="row">
          <div><label for="sim-from">From</label><input id="sim-from" type="date" required value={from} min={span?.available ? span.from : undefined} max={to}
            onInput={(e) => { const value = (e.target as HTMLInputElement).value; setPicked((p) => ({ ...p, from: value })); }} /></div>
          <div><label for="sim-to">To (inclusive)</label><input id="sim-to" type="date" required value={to} min={from} max={span?.available ? span.to : isoDay(new Date())}
            onInput={(e) => { const value = (e.target as HTMLInputElement).value; setPicked((p) => ({ ...p, to: value })); }} /></div>
          <div>
            <label for="sim-candidate">Candidate</label>
            <select id="sim-candidate" value={candidate} onChange={(e) => setCandidate((e.target as HTMLSelectElement).value)}>
              <option value="draft">The draft, as in the editor</option>
              {ws.detail.versions.filter((v) => v.valid).map((v) => <option key={v.id} value={v.id}>{v.id}{v.comment ? ` — ${v.comment}` : ''}</option>)}
            </select>
          </div>
          <div>
            <label for="sim-source">History</label>
            <select id="sim-source" value={source} onChange={(e) => { setPicked({}); setSource((e.target as HTMLSelectElement).value as 'dataset' | 'postgres'); }}>
              <option value="dataset">The data set (monthly CSV files)</option>
              <option value="postgres">Transactions recorded by this system</option>
            </select>
            {span && <small data-testid="sim-source-span">{span.available ? `Holds ${span.from} to ${span.to}` : `Not available: ${span.reason}`}</small>}
          </div>
        </div>
        <button type="submit" class="primary" disabled={starting || running || span?.available === false || !session.can('simulations:run')}>{starting ? 'Starting…' : 'Run simulation'}</button>
        {!session.can('simulations:run') && <span class="muted"> Running simulations needs the rule author or approver role.</span>}
        <ErrorText error={startError} />
      </form>
      <ErrorText error={error} />
      {simulation && (
        <section class="panel" aria-labelledby="sim-status-title">
          <h2 id="sim-status-title">Simulation {simulation.id}</h2>
          <p class="muted">{remembered && remembered.id === simulation.id ? `Candidate: ${remembered.candidate}. ` : ''}
            Baseline: {simulation.baseline?.label ?? 'champion'} · {simulation.from.slice(0, 10)} to {simulation.to.slice(0, 10)}</p>
          {running && (
            <div class="progress-row">
              <label for="sim-progress">{simulation.status === 'queued' ? 'Queued' : 'Replaying history'}: {simulation.progress} %</label>
              <progress id="sim-progress" max={100} value={simulation.progress} data-testid="sim-progress" />
              <button onClick={() => void api.simulations.cancel(simulation.id).catch(setStartError)}>Cancel</button>
            </div>
          )}
          {simulation.status === 'failed' && <p class="error" role="alert">The simulation failed: {simulation.error}</p>}
          {simulation.status === 'cancelled' && <p role="status">The simulation was cancelled.</p>}
          {simulation.status === 'completed' && simulation.result && <SimulationResults simulation={simulation} result={simulation.result} />}
        </section>
      )}
    </div>
  );
}
