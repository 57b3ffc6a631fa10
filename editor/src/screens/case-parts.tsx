import type { CaseDetail, FeatureVector, FiredRule } from '../api-types.ts';
import { href } from '../router.ts';
import { dateTime, decimal, money } from '../ui/format.ts';

/** Pieces of the case and decision screens: each shows one part of why a transaction was decided as it was. */

export function FeatureTable({ features }: { features: FeatureVector }) {
  const entries = Object.entries(features).sort(([a], [b]) => a.localeCompare(b));
  return (
    <table class="data compact" data-testid="features">
      <thead><tr><th scope="col">Feature</th><th scope="col">Value</th></tr></thead>
      <tbody>{entries.map(([name, value]) => <tr key={name}><th scope="row"><code>{name}</code></th><td>{value === null ? 'missing' : Number.isInteger(value) ? value : value.toFixed(3)}</td></tr>)}</tbody>
    </table>
  );
}

export function FiredRules({ rules }: { rules: FiredRule[] }) {
  if (rules.length === 0) return <p class="muted">No rule fired.</p>;
  return (
    <ul class="fired-rules" data-testid="fired-rules">
      {rules.map((r) => (
        <li key={r.name}>
          <strong>{r.name}</strong> <span class="muted">priority {r.priority} · {r.event.type}</span>
          {typeof r.event.params?.['code'] === 'string' && <> · <code>{r.event.params['code']}</code></>}
          {typeof r.event.params?.['reason'] === 'string' && <div>{r.event.params['reason']}</div>}
        </li>
      ))}
    </ul>
  );
}

export function Scores({ decision }: { decision: NonNullable<CaseDetail['decision']> }) {
  return (
    <div data-testid="scores">
      <p><span class={`outcome ${decision.decision}`}>{decision.decision}</span> · score <strong>{decimal(decision.score)}</strong> · ruleset {decision.ruleset_version} · arm {decision.arm}
        {decision.degraded && <span class="warn"> · degraded</span>}</p>
      <h3 class="small">Reason codes</h3>
      {decision.reasons.length === 0 ? <p class="muted">None.</p> : <ul class="reasons">{decision.reasons.map((r) => <li key={r.code + r.message}><code>{r.code}</code> {r.message}</li>)}</ul>}
      {decision.models.length > 0 && (
        <>
          <h3 class="small">Models</h3>
          <table class="data compact">
            <thead><tr><th scope="col">Model</th><th scope="col">Score</th><th scope="col">Pushed up most by</th></tr></thead>
            <tbody>{decision.models.map((m) => (
              <tr key={m.version}><th scope="row">{m.role} <span class="muted">{m.version}</span></th><td>{decimal(m.score)}</td>
                <td>{m.top_features.slice(0, 3).map((c) => `${c.feature} (+${c.contribution.toFixed(3)})`).join(', ') || '—'}</td></tr>
            ))}</tbody>
          </table>
        </>
      )}
    </div>
  );
}

export function CustomerHistory({ history }: { history: CaseDetail['customer_history'] }) {
  if (history.length === 0) return <p class="muted">No other transaction of this customer.</p>;
  return (
    <table class="data compact" data-testid="history">
      <thead><tr><th scope="col">When</th><th scope="col">Amount</th><th scope="col">Merchant</th><th scope="col">Decision</th><th scope="col">Score</th><th scope="col">Label</th></tr></thead>
      <tbody>{history.map((h) => (
        <tr key={h.transaction_id}>
          <td><a href={href({ screen: 'decision', id: h.transaction_id })}>{dateTime(h.occurred_at)}</a></td><td>{money(h.amount, h.currency)}</td><td>{h.merchant_id}</td>
          <td>{h.decision ? <span class={`outcome ${h.decision}`}>{h.decision}</span> : '—'}</td><td>{decimal(h.score, 2)}</td>
          <td>{h.fraud === null ? '—' : h.fraud ? 'fraud' : 'genuine'}</td>
        </tr>
      ))}</tbody>
    </table>
  );
}

const EXTRA = new Set(['seq', 'type', 'from', 'to', 'actor', 'at']);
export function Timeline({ events }: { events: CaseDetail['timeline'] }) {
  return (
    <ol class="timeline" data-testid="timeline">
      {events.map((e) => {
        const extra = Object.entries(e).filter(([k]) => !EXTRA.has(k));
        return (
          <li key={e.seq}>
            <time dateTime={e.at}>{dateTime(e.at)}</time> <strong>{e.type}</strong> by {e.actor}
            {e.from && <> · {e.from} → {e.to}</>}
            {extra.length > 0 && <span class="muted"> · {extra.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')}</span>}
          </li>
        );
      })}
    </ol>
  );
}
