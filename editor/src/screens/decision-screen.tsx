import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { DecisionReply } from '../api-types.ts';
import { navigate } from '../router.ts';
import { ErrorText } from '../ui/error-text.tsx';
import { dateTime, decimal } from '../ui/format.ts';
import { FeatureTable, FiredRules } from './case-parts.tsx';

/** Looks up how one transaction was decided: outcome, arm and ruleset version, reasons, rules, its labels and events, features. */
export function DecisionScreen({ id }: { id: string | null }) {
  const [input, setInput] = useState(id ?? '');
  const [decision, setDecision] = useState<DecisionReply | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!id) return;
    setError(null);
    api.decisions.get(id).then(setDecision, setError);
  }, [id]);

  return (
    <section aria-labelledby="decision-title">
      <h1 id="decision-title">Decision lookup</h1>
      <form class="inline-form" onSubmit={(e) => { e.preventDefault(); if (input.trim()) navigate({ screen: 'decision', id: input.trim() }); }}>
        <label for="decision-id">Transaction id</label>
        <input id="decision-id" value={input} required onInput={(e) => setInput((e.target as HTMLInputElement).value)} />
        <button type="submit">Look up</button>
      </form>
      <ErrorText error={error} />
      {decision && id && (
        <div data-testid="decision">
          <p class="decision-line">
            <span class={`outcome ${decision.decision}`} data-testid="decision-outcome">{decision.decision}</span>
            {' '}by ruleset <strong data-testid="decision-ruleset">{decision.ruleset_version}</strong> on arm {decision.arm}
            {' '}(deployment {decision.deployment_version}) · score {decimal(decision.score)} · {dateTime(decision.decided_at)}
            {decision.degraded && <span class="warn"> · degraded: some features were unavailable</span>}
          </p>
          <h2>Reasons</h2>
          {decision.reasons.length === 0 ? <p class="muted">None: nothing flagged it.</p>
            : <ul class="reasons">{decision.reasons.map((r) => <li key={r.code + r.message}><code>{r.code}</code> {r.message}</li>)}</ul>}
          <h2>Rules that fired</h2>
          <FiredRules rules={decision.fired_rules ?? []} />
          <h2>Labels</h2>
          {!decision.labels?.length ? <p class="muted">None yet: no chargeback, analyst outcome or client report.</p> : (
            <table class="data compact" data-testid="decision-labels">
              <thead><tr><th scope="col">Known</th><th scope="col">Verdict</th><th scope="col">Source</th><th scope="col">Reason</th><th scope="col">By</th></tr></thead>
              <tbody>{decision.labels.map((l) => (
                <tr key={`${l.known_at}-${l.source}-${String(l.fraud)}`}><td>{dateTime(l.known_at)}</td><td>{l.fraud ? 'fraud' : 'legitimate'}</td>
                  <td>{l.source}</td><td>{l.reason ?? '—'}</td><td>{l.created_by}</td></tr>
              ))}</tbody>
            </table>
          )}
          {decision.events && decision.events.length > 0 && (
            <>
              <h2>Events</h2>
              <ol class="timeline" data-testid="decision-events">{decision.events.map((e, i) => (
                <li key={i}>{dateTime(e.created_at)} <strong>{e.type}</strong></li>
              ))}</ol>
            </>
          )}
          {decision.features && <><h2>Features</h2><FeatureTable features={decision.features} /></>}
        </div>
      )}
    </section>
  );
}
