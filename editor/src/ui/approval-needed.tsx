import { useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.ts';
import type { Approval, ApprovalAction } from '../api-types.ts';
import { href } from '../router.ts';
import { ErrorText } from './error-text.tsx';

/**
 * Four-eyes: a publication or deployment change refused with APPROVAL_REQUIRED names the approval it
 * needs (action and subject). This shows the refusal in words and lets the author ask for that
 * approval; once someone else grants it, the same change goes through.
 */
export function ApprovalNeeded({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const [requested, setRequested] = useState<Approval | null>(null);
  const [requestError, setRequestError] = useState<unknown>(null);
  if (!(error instanceof ApiFailure && error.code === 'APPROVAL_REQUIRED')) return <ErrorText error={error} />;
  const action = error.body['action'] as ApprovalAction;
  const subject = error.body['subject'] as string;
  const request = async () => {
    setRequestError(null);
    try { setRequested(await api.approvals.request(action, subject)); } catch (err) { setRequestError(err); }
  };
  return (
    <div class="notice" role="alert" data-testid="approval-needed">
      <p><strong>This change needs a second person's approval.</strong> {error.message.split(':')[0]}.</p>
      {requested ? (
        <p role="status" data-testid="approval-requested">
          Approval #{requested.id} requested for <code>{requested.subject}</code>. Someone with the approver role approves it on
          the <a href={href({ screen: 'approvals' })}>Approvals</a> screen; then {onRetry ? <button class="link" onClick={onRetry}>try again</button> : 'try again'}.
        </p>
      ) : (
        <p>
          <button class="primary" onClick={() => void request()}>Request approval</button>
          {onRetry && <> or, if it is approved already, <button class="link" onClick={onRetry}>try again</button></>}
        </p>
      )}
      <ErrorText error={requestError} />
    </div>
  );
}
