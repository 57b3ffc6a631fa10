import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { PublishReply, VersionSummary } from '../api-types.ts';
import { useSession } from '../session.ts';
import { ApprovalNeeded } from '../ui/approval-needed.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { dateTime } from '../ui/format.ts';
import { lastSimulation, useSimulation } from './simulate-panel.tsx';
import { FiguresTable } from './simulation-results.tsx';
import type { Workspace } from './ruleset-screen.tsx';

/** The saved versions; publishing one (or rolling back to an earlier one) asks for confirmation first. */
export function VersionsTab({ ws }: { ws: Workspace }) {
  const session = useSession();
  const [champion, setChampion] = useState<string | null>(null);
  const [publishing, setPublishing] = useState<{ version: VersionSummary; kind: 'publish' | 'rollback' } | null>(null);
  const [done, setDone] = useState<PublishReply | null>(null);

  useEffect(() => { api.deployments.current().then((d) => setChampion(d.spec.champion.rulesetVersion), () => undefined); }, [done]);

  const versions = ws.detail.versions;
  return (
    <div class="versions-tab">
      {done && (
        <p role="status" class="ok" data-testid="published">
          {done.version.id} {done.deployment_changed ? `is now the champion's ruleset (deployment version ${done.deployment.version}); workers decide with it within seconds.` : 'was already the champion\'s ruleset: nothing changed.'}
        </p>
      )}
      {versions.length === 0 ? <p>No version yet: save the draft as a version on the Edit tab.</p> : (
        <table class="data" data-testid="versions">
          <caption class="sr-only">Versions of {ws.name}</caption>
          <thead><tr><th scope="col">Version</th><th scope="col">Comment</th><th scope="col">Checks</th><th scope="col">Saved</th><th scope="col">Published</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.id}>
                <th scope="row">{v.id}{champion === v.id && <span class="badge live"> champion</span>}</th>
                <td>{v.comment ?? '—'}</td>
                <td>{v.valid ? 'valid' : <span class="warn">{v.problems.length} problem{v.problems.length === 1 ? '' : 's'}</span>}</td>
                <td>{dateTime(v.created_at)} by {v.created_by}</td>
                <td>{v.published_at ? `${dateTime(v.published_at)} by ${v.published_by}` : '—'}</td>
                <td>
                  {session.can('rules:publish') && v.valid && champion !== v.id && (
                    v.published_at && versions.some((o) => o.version > v.version && o.published_at)
                      ? <button onClick={() => setPublishing({ version: v, kind: 'rollback' })}>Roll back to {v.id}…</button>
                      : <button onClick={() => setPublishing({ version: v, kind: 'publish' })}>Publish {v.id}…</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {publishing && (
        <PublishDialog ws={ws} version={publishing.version} kind={publishing.kind} onClose={() => setPublishing(null)}
          onDone={(reply) => { setPublishing(null); setDone(reply); void ws.reload(); }} />
      )}
    </div>
  );
}

function PublishDialog({ ws, version, kind, onClose, onDone }: {
  ws: Workspace; version: VersionSummary; kind: 'publish' | 'rollback'; onClose: () => void; onDone: (reply: PublishReply) => void;
}) {
  const last = lastSimulation(ws.name);
  const { simulation, error: simError } = useSimulation(last?.id ?? null);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      onDone(kind === 'publish'
        ? await api.rulesets.publish(ws.name, version.version, comment.trim() || undefined)
        : await api.rulesets.rollback(ws.name, version.version, comment.trim() || undefined));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const verb = kind === 'publish' ? 'Publish' : 'Roll back to';
  return (
    <Dialog open title={`${verb} ${version.id}?`} labelId="publish-title" onClose={onClose}>
      <p>{version.id} becomes the champion's ruleset: every transaction routed to the champion is decided by it from now on.
        {version.comment && <> Its comment: “{version.comment}”.</>}</p>
      <section aria-labelledby="publish-sim-title" data-testid="publish-simulation">
        <h3 id="publish-sim-title">Last simulation</h3>
        {!last && <p class="warn">No simulation of this ruleset was run from this browser: consider running one on the Simulate tab before publishing.</p>}
        <ErrorText error={simError} />
        {last && simulation && (
          <>
            <p class="muted">Simulation {simulation.id} of {last.candidate}, {simulation.from.slice(0, 10)} to {simulation.to.slice(0, 10)}, run {dateTime(last.at)}.
              {!last.candidate.startsWith(version.id) && ' It did not run this exact version: compare its candidate with what you publish.'}</p>
            {simulation.status === 'completed' && simulation.result
              ? <FiguresTable result={simulation.result} />
              : <p class="warn">It has not completed ({simulation.status}{simulation.status === 'running' ? `, ${simulation.progress} %` : ''}).</p>}
          </>
        )}
      </section>
      <label for="publish-comment">Comment (optional)</label>
      <input id="publish-comment" value={comment} maxLength={2000} onInput={(e) => setComment((e.target as HTMLInputElement).value)} />
      <ApprovalNeeded error={error} onRetry={() => void confirm()} />
      <div class="dialog-actions">
        <button onClick={onClose}>Cancel</button>
        <button class="primary danger" onClick={() => void confirm()} disabled={busy} data-testid="confirm-publish">{busy ? 'Publishing…' : `${verb} ${version.id}`}</button>
      </div>
    </Dialog>
  );
}
