import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { Approval } from '../api-types.ts';
import { useSession } from '../session.ts';
import { ErrorText } from '../ui/error-text.tsx';
import { dateTime } from '../ui/format.ts';

const WHAT: Record<Approval['action'], string> = { 'ruleset.publish': 'Publish ruleset version', 'deployment.change': 'Change the deployment to spec' };

/** Four-eyes: what authors asked to publish or deploy, for someone else to approve or reject. */
export function ApprovalsScreen() {
  const session = useSession();
  const [approvals, setApprovals] = useState<Approval[] | null>(null);
  const [status, setStatus] = useState<Approval['status'] | ''>('pending');
  const [error, setError] = useState<unknown>(null);
  const [decided, setDecided] = useState<Approval | null>(null);

  const load = () => api.approvals.list(status || undefined).then((r) => setApprovals(r.approvals), setError);
  useEffect(() => { void load(); }, [status]);

  const decide = async (a: Approval, verb: 'approve' | 'reject') => {
    setError(null);
    try { setDecided(await api.approvals.decide(a.id, verb)); await load(); } catch (err) { setError(err); }
  };

  return (
    <section aria-labelledby="approvals-title">
      <h1 id="approvals-title">Approvals</h1>
      <p class="muted">Publishing a ruleset version or changing the deployment needs the approval of someone other than its author.</p>
      <label for="approval-status">Show</label>
      <select id="approval-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as Approval['status'] | '')}>
        <option value="pending">Pending</option><option value="approved">Approved, not yet used</option><option value="used">Used</option>
        <option value="rejected">Rejected</option><option value="">All</option>
      </select>
      <ErrorText error={error} />
      {decided && <p role="status" class="ok" data-testid="approval-decided">Approval #{decided.id} {decided.status}.</p>}
      {approvals && (
        <table class="data" data-testid="approvals">
          <thead><tr><th scope="col">#</th><th scope="col">Change</th><th scope="col">Requested</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {approvals.map((a) => (
              <tr key={a.id}>
                <td>{a.id}</td>
                <td>{WHAT[a.action]} <code>{a.subject}</code>{a.comment && <div class="muted">“{a.comment}”</div>}</td>
                <td>{dateTime(a.requested_at)} by {a.requested_by}</td>
                <td>{a.status}{a.decided_by && ` by ${a.decided_by}`}</td>
                <td>
                  {a.status === 'pending' && session.can('approvals:grant') && a.requested_by !== session.name && (
                    <>
                      <button class="primary" onClick={() => void decide(a, 'approve')}>Approve #{a.id}</button>{' '}
                      <button onClick={() => void decide(a, 'reject')}>Reject #{a.id}</button>
                    </>
                  )}
                  {a.status === 'pending' && a.requested_by === session.name && <span class="muted">Yours: someone else decides</span>}
                </td>
              </tr>
            ))}
            {approvals.length === 0 && <tr><td colSpan={5}>Nothing here.</td></tr>}
          </tbody>
        </table>
      )}
    </section>
  );
}
