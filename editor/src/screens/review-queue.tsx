import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { CaseFilter, QueuedCase, Tier } from '../api-types.ts';
import { href, navigate } from '../router.ts';
import { ErrorText } from '../ui/error-text.tsx';
import { dateTime, decimal, money, slaText } from '../ui/format.ts';
import { useShortcuts } from '../ui/shortcuts.ts';
import { useNow } from '../ui/use-now.ts';

type SortKey = 'sla' | 'score' | 'amount' | 'opened';
const REFRESH_MS = 15_000;

const SORTS: Record<SortKey, { label: string; value: (c: QueuedCase) => number }> = {
  sla: { label: 'SLA', value: (c) => (c.sla_due_at ? Date.parse(c.sla_due_at) : Number.MAX_SAFE_INTEGER) },
  score: { label: 'Score', value: (c) => c.score ?? -1 },
  amount: { label: 'Amount', value: (c) => Number(c.amount) },
  opened: { label: 'Opened', value: (c) => Date.parse(c.opened_at) },
};

/**
 * The analysts' queue: the cases to review, soonest SLA breach first (the server's order), filtered
 * by tier, status, age, amount and score; sortable by column; SLA countdowns tick live.
 * Keys: j / k move, Enter opens, r refreshes.
 */
export function ReviewQueue() {
  const [filter, setFilter] = useState<CaseFilter>({ status: 'active', limit: 100 });
  const [cases, setCases] = useState<QueuedCase[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'sla', dir: 1 });
  const [selected, setSelected] = useState(0);
  const now = useNow();
  const rows = useRef<HTMLTableSectionElement>(null);

  const load = () => api.cases.list(filter).then((r) => { setCases(r.cases); setError(null); }, setError);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [JSON.stringify(filter)]);

  const sorted = useMemo(() => (cases ?? []).slice().sort((a, b) => sort.dir * (SORTS[sort.key].value(a) - SORTS[sort.key].value(b))), [cases, sort]);
  const focusRow = (i: number) => {
    const next = Math.max(0, Math.min(sorted.length - 1, i));
    setSelected(next);
    rows.current?.querySelectorAll<HTMLAnchorElement>('a.case-link')[next]?.focus();
  };
  useShortcuts({
    j: () => focusRow(selected + 1), k: () => focusRow(selected - 1),
    Enter: () => { const c = sorted[selected]; if (c) navigate({ screen: 'case', id: c.id }); },
    r: () => void load(),
  });

  const set = (patch: Partial<CaseFilter>) => setFilter((f) => ({ ...f, ...patch }));
  const num = (v: string) => (v.trim() === '' ? undefined : Number(v));
  const header = (key: SortKey) => (
    <th scope="col" aria-sort={sort.key === key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
      <button class="link" onClick={() => setSort({ key, dir: sort.key === key ? (-sort.dir as 1 | -1) : key === 'score' || key === 'amount' ? -1 : 1 })}>
        {SORTS[key].label}{sort.key === key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );

  return (
    <section aria-labelledby="queue-title">
      <h1 id="queue-title">Review queue</h1>
      <form class="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <div><label for="f-queue">Queue</label>
          <select id="f-queue" value={filter.queue ?? ''} onChange={(e) => set({ queue: ((e.target as HTMLSelectElement).value || undefined) as Tier | undefined })}>
            <option value="">All tiers</option><option value="L1">L1</option><option value="L2">L2</option><option value="lead">Lead</option>
          </select></div>
        <div><label for="f-status">Status</label>
          <select id="f-status" value={filter.status} onChange={(e) => set({ status: (e.target as HTMLSelectElement).value })}>
            <option value="active">Active (open, claimed, escalated)</option><option value="open">Open</option><option value="claimed">Claimed</option>
            <option value="escalated">Escalated</option><option value="resolved">Resolved</option><option value="all">All</option>
          </select></div>
        <div><label for="f-age">Open at least</label>
          <select id="f-age" value={filter.min_age ?? ''} onChange={(e) => set({ min_age: (e.target as HTMLSelectElement).value || undefined })}>
            <option value="">any time</option><option value="15m">15 minutes</option><option value="1h">1 hour</option><option value="4h">4 hours</option><option value="1d">1 day</option>
          </select></div>
        <div><label for="f-amin">Amount from</label><input id="f-amin" type="number" min={0} step="any" onChange={(e) => set({ amount_min: num((e.target as HTMLInputElement).value) })} /></div>
        <div><label for="f-amax">Amount to</label><input id="f-amax" type="number" min={0} step="any" onChange={(e) => set({ amount_max: num((e.target as HTMLInputElement).value) })} /></div>
        <div><label for="f-smin">Score from</label><input id="f-smin" type="number" min={0} max={1} step="0.01" onChange={(e) => set({ score_min: num((e.target as HTMLInputElement).value) })} /></div>
        <div><label for="f-smax">Score to</label><input id="f-smax" type="number" min={0} max={1} step="0.01" onChange={(e) => set({ score_max: num((e.target as HTMLInputElement).value) })} /></div>
      </form>
      <ErrorText error={error} />
      <p class="muted" aria-live="polite">{cases === null ? 'Loading cases…' : `${cases.length} case${cases.length === 1 ? '' : 's'}`} · keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> opens, <kbd>r</kbd> refreshes</p>
      {cases && (
        <table class="data queue" data-testid="queue">
          <caption class="sr-only">Cases to review</caption>
          <thead><tr><th scope="col">Case</th><th scope="col">Status</th><th scope="col">Queue</th>{header('sla')}{header('score')}{header('amount')}<th scope="col">Customer</th><th scope="col">Top reason</th>{header('opened')}</tr></thead>
          <tbody ref={rows}>
            {sorted.map((c, i) => {
              const sla = slaText(c.sla_due_at, c.overdue, now);
              return (
                <tr key={c.id} class={i === selected ? 'selected' : ''} data-case={c.id}>
                  <th scope="row"><a class="case-link" href={href({ screen: 'case', id: c.id })} onFocus={() => setSelected(i)}>{c.transaction_id}</a></th>
                  <td>{c.status}{c.claimed_by ? ` (${c.claimed_by})` : ''}</td>
                  <td>{c.queue}</td>
                  <td class={`sla ${sla.level}`}>{sla.text}</td>
                  <td>{decimal(c.score, 2)}</td>
                  <td>{money(c.amount, c.currency)}</td>
                  <td>{c.customer_id}</td>
                  <td>{c.reasons[0]?.message ?? '—'}</td>
                  <td>{dateTime(c.opened_at)}</td>
                </tr>
              );
            })}
            {sorted.length === 0 && <tr><td colSpan={9}>No case matches these filters.</td></tr>}
          </tbody>
        </table>
      )}
    </section>
  );
}
