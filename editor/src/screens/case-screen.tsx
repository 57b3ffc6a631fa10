import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { CaseAction, CaseDetail } from '../api-types.ts';
import { href } from '../router.ts';
import { useSession } from '../session.ts';
import { Dialog } from '../ui/dialog.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { dateTime, money, slaText } from '../ui/format.ts';
import { useShortcuts } from '../ui/shortcuts.ts';
import { useNow } from '../ui/use-now.ts';
import { CustomerHistory, FeatureTable, FiredRules, Scores, Timeline } from './case-parts.tsx';

const DECLINE_CODES = ['STOLEN_CARD', 'ACCOUNT_TAKEOVER', 'CARD_TESTING', 'FRIENDLY_FRAUD', 'MERCHANT_COLLUSION', 'OTHER_FRAUD'];
const ACTIVE = new Set(['open', 'claimed', 'escalated']);

/**
 * One case: the transaction, its features, scores with reason codes, fired rules, the customer's
 * history and the case's timeline, with the analyst's actions. Keys: c claim, a approve, d decline,
 * e escalate, r release, ? help.
 */
export function CaseScreen({ id }: { id: string }) {
  const session = useSession();
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState<CaseAction | null>(null);
  const [asking, setAsking] = useState<'decline' | 'escalate' | null>(null);
  const [reason, setReason] = useState('');
  const [code, setCode] = useState(DECLINE_CODES[0] ?? '');
  const [help, setHelp] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const now = useNow();

  const load = () => api.cases.get(id).then((d) => { setDetail(d); setError(null); }, setError);
  useEffect(() => { void load(); }, [id]);

  const c = detail?.case;
  const me = session.name;
  const canWork = session.can('cases:work');
  const mine = c?.status === 'claimed' && c.claimed_by === me;
  const can: Record<CaseAction, boolean> = {
    claim: canWork && (c?.status === 'open' || c?.status === 'escalated'),
    approve: canWork && mine, decline: canWork && mine, release: canWork && mine,
    escalate: canWork && !!c && ACTIVE.has(c.status) && c.queue !== 'lead',
  };

  const act = async (action: CaseAction, body: { reason_code?: string; reason?: string } = {}) => {
    setBusy(action);
    setActionError(null);
    try {
      const after = await api.cases.act(id, action, body);
      setDone(`${action === 'claim' ? 'Claimed' : action === 'approve' ? 'Approved' : action === 'decline' ? 'Declined' : action === 'escalate' ? 'Escalated' : 'Released'}: the case is now ${after.status.replace('_', ' ')}.`);
      setAsking(null);
      await load();
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(null);
    }
  };

  useShortcuts({
    c: () => { if (can.claim) void act('claim'); },
    a: () => { if (can.approve) void act('approve'); },
    d: () => { if (can.decline) setAsking('decline'); },
    e: () => { if (can.escalate) { setReason(''); setAsking('escalate'); } },
    r: () => { if (can.release) void act('release'); },
    '?': () => setHelp((h) => !h),
  });

  if (error) return <section><h1>Case {id}</h1><ErrorText error={error} /></section>;
  if (!detail || !c) return <p role="status">Loading case {id}…</p>;
  const sla = slaText(c.sla_due_at, c.overdue, now);
  const button = (action: CaseAction, label: string, key: string, onClick: () => void, primary = false) => (
    <button class={primary ? 'primary' : ''} onClick={onClick} disabled={!can[action] || busy !== null} aria-keyshortcuts={key} data-action={action}>
      {busy === action ? '…' : label} <kbd aria-hidden="true">{key}</kbd>
    </button>
  );

  return (
    <section aria-labelledby="case-title" class="case-screen">
      <p><a href={href({ screen: 'queue' })}>← Review queue</a></p>
      <div class="screen-head">
        <h1 id="case-title">Case {c.transaction_id}</h1>
        <p class="case-status">
          <span class={`badge status-${c.status}`} data-testid="case-status">{c.status.replace('_', ' ')}</span>
          {' '}queue {c.queue}{c.claimed_by && ` · claimed by ${c.claimed_by}`}
          {ACTIVE.has(c.status) && <> · SLA <span class={`sla ${sla.level}`} data-testid="case-sla">{sla.text}</span></>}
          {c.resolved_by && ` · resolved by ${c.resolved_by} ${dateTime(c.resolved_at)}${c.reason_code ? ` (${c.reason_code})` : ''}`}
        </p>
      </div>
      <div class="toolbar" role="toolbar" aria-label="Case actions">
        {button('claim', 'Claim', 'c', () => void act('claim'), c.status !== 'claimed')}
        {button('approve', 'Approve', 'a', () => void act('approve'), mine)}
        {button('decline', 'Decline…', 'd', () => setAsking('decline'))}
        {button('escalate', 'Escalate…', 'e', () => { setReason(''); setAsking('escalate'); })}
        {button('release', 'Release', 'r', () => void act('release'))}
        <button class="link" onClick={() => setHelp(!help)} aria-expanded={help}>Keyboard shortcuts <kbd>?</kbd></button>
      </div>
      {help && <p class="notice">Keys on this page: <kbd>c</kbd> claim · <kbd>a</kbd> approve · <kbd>d</kbd> decline · <kbd>e</kbd> escalate · <kbd>r</kbd> release. In the queue: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> opens.</p>}
      {!canWork && <p class="muted">You can read cases; working them needs the analyst role.</p>}
      {done && <p role="status" class="ok" data-testid="case-done">{done}</p>}
      <ErrorText error={actionError} />
      <div class="case-grid">
        <section aria-labelledby="tx-title" class="panel">
          <h2 id="tx-title">Transaction</h2>
          <dl class="kv" data-testid="transaction">
            <dt>Amount</dt><dd>{money(c.amount, c.currency)}</dd>
            <dt>When</dt><dd>{dateTime(c.occurred_at)}</dd>
            <dt>Customer</dt><dd>{c.customer_id}</dd>
            <dt>Merchant</dt><dd>{c.merchant_id}</dd>
            {detail.transaction && Object.entries(detail.transaction)
              .filter(([k]) => !['amount', 'currency', 'occurred_at', 'customer_id', 'merchant_id'].includes(k))
              .map(([k, v]) => <Fragment key={k}><dt>{k}</dt><dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd></Fragment>)}
          </dl>
        </section>
        <section aria-labelledby="scores-title" class="panel">
          <h2 id="scores-title">Decision, scores and reason codes</h2>
          {detail.decision ? <Scores decision={detail.decision} /> : <p class="muted">The decision record is not available.</p>}
        </section>
        <section aria-labelledby="rules-title" class="panel">
          <h2 id="rules-title">Fired rules</h2>
          <FiredRules rules={detail.decision?.fired_rules ?? []} />
        </section>
        <section aria-labelledby="timeline-title" class="panel">
          <h2 id="timeline-title">Timeline</h2>
          <Timeline events={detail.timeline} />
        </section>
        <section aria-labelledby="history-title" class="panel wide">
          <h2 id="history-title">Customer history</h2>
          <CustomerHistory history={detail.customer_history} />
        </section>
        <section aria-labelledby="features-title" class="panel wide">
          <h2 id="features-title">Features</h2>
          {detail.decision ? <FeatureTable features={detail.decision.features} /> : <p class="muted">None recorded.</p>}
        </section>
      </div>
      <Dialog open={asking === 'decline'} title="Decline the transaction" labelId="decline-title" onClose={() => setAsking(null)}>
        <form onSubmit={(e) => { e.preventDefault(); void act('decline', { reason_code: code.trim() }); }}>
          <label for="decline-code">Reason code</label>
          <input id="decline-code" list="decline-codes" required pattern="[A-Za-z0-9_.\-]{1,64}" value={code} autoFocus onInput={(e) => setCode((e.target as HTMLInputElement).value)} />
          <datalist id="decline-codes">{DECLINE_CODES.map((d) => <option key={d} value={d} />)}</datalist>
          <ErrorText error={actionError} />
          <div class="dialog-actions"><button type="button" onClick={() => setAsking(null)}>Cancel</button><button type="submit" class="primary danger">Decline</button></div>
        </form>
      </Dialog>
      <Dialog open={asking === 'escalate'} title="Escalate to the next tier" labelId="escalate-title" onClose={() => setAsking(null)}>
        <form onSubmit={(e) => { e.preventDefault(); void act('escalate', { reason: reason.trim() }); }}>
          <label for="escalate-reason">Why</label>
          <textarea id="escalate-reason" required maxLength={500} rows={3} value={reason} autoFocus onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
          <ErrorText error={actionError} />
          <div class="dialog-actions"><button type="button" onClick={() => setAsking(null)}>Cancel</button><button type="submit" class="primary">Escalate</button></div>
        </form>
      </Dialog>
    </section>
  );
}
