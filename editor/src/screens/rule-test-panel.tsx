import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { ConditionResult, RuleTestBody, RuleTestReply } from '../api-types.ts';
import { ErrorText } from '../ui/error-text.tsx';
import { decimal } from '../ui/format.ts';
import type { Workspace } from './ruleset-screen.tsx';

const SAMPLE = {
  id: 'test-1', occurred_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), amount: '250.00', currency: 'EUR',
  customer_id: 'c-1001', merchant_id: 'm-42', channel: 'ecommerce', country: 'FR',
};

type Source = 'pasted' | 'recorded';

/**
 * Runs the draft (as it is in the editor, saved or not) on one transaction — pasted, or picked from
 * those the system has decided — and shows, rule by rule, which conditions held and which did not.
 */
export function RuleTestPanel({ ws }: { ws: Workspace }) {
  const [source, setSource] = useState<Source>('pasted');
  const [pasted, setPasted] = useState(JSON.stringify(SAMPLE, null, 2));
  const [features, setFeatures] = useState('{\n  "customer.tx_count_1h": 0\n}');
  const [transactionId, setTransactionId] = useState('');
  const [recent, setRecent] = useState<{ id: string; label: string }[]>([]);
  const [result, setResult] = useState<RuleTestReply | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    // Recorded transactions worth testing on: those in the review queue, newest first.
    api.cases.list({ status: 'all', limit: 30 }).then((r) => setRecent(r.cases.map((c) => ({
      id: c.transaction_id, label: `${c.transaction_id} · ${c.amount} ${c.currency} · ${c.status}`,
    }))), () => undefined);
  }, []);

  const run = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const doc = ws.parsed();
    if (!doc.ok) { setError(new Error(doc.reason)); return; }
    let body: RuleTestBody;
    try {
      body = source === 'recorded'
        ? { document: doc.document, transaction_id: transactionId.trim() }
        : { document: doc.document, transaction: JSON.parse(pasted), ...(features.trim() ? { features: JSON.parse(features) } : {}) };
    } catch (err) {
      setError(new Error(`The transaction or the feature values are not valid JSON: ${(err as Error).message}`));
      return;
    }
    setBusy(true);
    try {
      setResult(await api.rulesets.test(body));
    } catch (err) {
      setResult(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="test-tab two-columns">
      <form onSubmit={run} aria-labelledby="test-title" class="panel">
        <h2 id="test-title">Test the draft on a transaction</h2>
        <fieldset>
          <legend>Transaction</legend>
          <label class="radio"><input type="radio" name="source" checked={source === 'pasted'} onChange={() => setSource('pasted')} /> Paste one</label>
          <label class="radio"><input type="radio" name="source" checked={source === 'recorded'} onChange={() => setSource('recorded')} /> Pick one from history</label>
        </fieldset>
        {source === 'pasted' ? (
          <>
            <label for="test-transaction">Transaction JSON (as POST /v1/decisions takes it)</label>
            <textarea id="test-transaction" rows={12} spellcheck={false} value={pasted} onInput={(e) => setPasted((e.target as HTMLTextAreaElement).value)} />
            <label for="test-features">Feature values (optional: a pasted transaction has no history)</label>
            <textarea id="test-features" rows={4} spellcheck={false} value={features} onInput={(e) => setFeatures((e.target as HTMLTextAreaElement).value)} />
          </>
        ) : (
          <>
            <label for="test-transaction-id">Transaction id</label>
            <input id="test-transaction-id" list="recent-transactions" required value={transactionId} aria-describedby="test-id-help"
              onInput={(e) => setTransactionId((e.target as HTMLInputElement).value)} />
            <datalist id="recent-transactions">{recent.map((r) => <option key={r.id} value={r.id}>{r.label}</option>)}</datalist>
            <small id="test-id-help">Any decided transaction: it is tested with the features and model scores it was decided with.</small>
          </>
        )}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Running…' : 'Run the draft'}</button>
        <ErrorText error={error} />
      </form>
      <section aria-labelledby="test-result-title" class="panel" aria-live="polite">
        <h2 id="test-result-title">Result</h2>
        {!result ? <p class="muted">Run the draft to see which rules fire.</p> : <TestResult result={result} />}
      </section>
    </div>
  );
}

function TestResult({ result }: { result: RuleTestReply }) {
  const d = result.decision;
  return (
    <div data-testid="test-result">
      <p class="decision-line">
        The draft would <span class={`outcome ${d.decision}`} data-testid="test-decision">{d.decision}</span>
        {d.score !== null && <> with score {decimal(d.score)}</>}
        {result.recorded_decision && <> (recorded: {result.recorded_decision.decision} by {result.recorded_decision.ruleset_version})</>}
      </p>
      <p class="muted">Transaction {result.transaction.id}, {result.transaction.amount} {result.transaction.currency}; features: {
        { recorded: 'as recorded when it was decided', given: 'the values given', transaction_only: 'only the transaction\'s own (tx.*)' }[result.features_source]}.</p>
      {result.missing_facts.length > 0 && (
        <p class="warn">No value for {result.missing_facts.join(', ')}: conditions on them do not hold.</p>
      )}
      {d.reasons.length > 0 && <ul class="reasons">{d.reasons.map((r) => <li key={r.code + r.message}><code>{r.code}</code> {r.message}</li>)}</ul>}
      <ol class="rule-results">
        {result.rules.map((rule) => (
          <li key={rule.name} class={rule.fired ? 'fired' : 'not-fired'} data-rule={rule.name}>
            <strong>{rule.fired ? '✔ fired' : rule.enabled ? '✘ did not fire' : '○ disabled'}</strong>
            {' '}{rule.name} <span class="muted">(priority {rule.priority}, {rule.event.type})</span>
            {rule.conditions && <ConditionTree node={rule.conditions} />}
          </li>
        ))}
      </ol>
    </div>
  );
}

const mark = (result: boolean | undefined) => (result === undefined ? <span class="skip">not evaluated</span> : result ? <span class="pass">passed</span> : <span class="fail">failed</span>);

function ConditionTree({ node }: { node: ConditionResult }) {
  if ('all' in node || 'any' in node) {
    const [kind, children] = 'all' in node ? ['all of', node.all] as const : ['any of', node.any] as const;
    return (
      <div class="cond-group">
        <span>{kind}</span> {node.result !== undefined && mark(node.result)}
        <ul>{children.map((c, i) => <li key={i}><ConditionTree node={c} /></li>)}</ul>
      </div>
    );
  }
  if ('not' in node) return <div class="cond-group"><span>not</span> {mark(node.result)}<ul><li><ConditionTree node={node.not} /></li></ul></div>;
  if ('condition' in node) return <div>shared condition <code>{node.condition}</code> <span class="skip">not reached</span></div>;
  return (
    <div class="leaf">
      <code>{node.fact}{node.path ?? ''}</code> {node.operator} <code>{JSON.stringify(node.value)}</code>
      {' — '}{mark(node.result)}
      {node.result !== undefined && <span class="muted"> (value: {JSON.stringify(node.factResult) ?? 'none'})</span>}
    </div>
  );
}
