import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { Deployment, DeploymentSpec, DeploymentStats } from '../api-types.ts';
import { useSession } from '../session.ts';
import { ApprovalNeeded } from '../ui/approval-needed.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { count, dateTime, percent } from '../ui/format.ts';

type ArmDraft = { name: string; rulesetVersion: string; modelVersions: string; share: string; shadow: boolean };

const toDraft = (spec: DeploymentSpec): { champion: ArmDraft; challengers: ArmDraft[] } => ({
  champion: { name: spec.champion.name, rulesetVersion: spec.champion.rulesetVersion, modelVersions: spec.champion.modelVersions.join(', '), share: '', shadow: false },
  challengers: spec.challengers.map((c) => ({ name: c.name, rulesetVersion: c.rulesetVersion, modelVersions: c.modelVersions.join(', '), share: c.share === undefined ? '' : String(c.share), shadow: c.shadow })),
});
const models = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);

/**
 * The deployment in force: the champion, its challengers with their traffic shares (or shadow), and
 * each arm's figures; authors change it here (a new deployment version, four-eyes approved).
 */
export function DeploymentsScreen() {
  const session = useSession();
  const [current, setCurrent] = useState<Deployment | null>(null);
  const [stats, setStats] = useState<DeploymentStats | null>(null);
  const [history, setHistory] = useState<Deployment[]>([]);
  const [versions, setVersions] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState<{ champion: ArmDraft; challengers: ArmDraft[] } | null>(null);
  const [comment, setComment] = useState('');
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState<Deployment | null>(null);

  const load = () => {
    api.deployments.current().then(setCurrent, setError);
    api.deployments.stats().then(setStats, setError);
    api.deployments.list(10).then((r) => setHistory(r.deployments), () => undefined);
  };
  useEffect(() => {
    load();
    // Every valid saved version, for the arms' version fields.
    api.rulesets.list().then(async (r) => {
      const all = await Promise.all(r.rulesets.map((rs) => api.rulesets.versions(rs.name).then((v) => v.versions.filter((x) => x.valid).map((x) => x.id))));
      setVersions(all.flat());
    }, () => undefined);
  }, []);

  const save = async (e: Event) => {
    e.preventDefault();
    if (!editing || !current) return;
    setSaveError(null);
    const spec = {
      champion: { name: editing.champion.name.trim(), rulesetVersion: editing.champion.rulesetVersion.trim(), modelVersions: models(editing.champion.modelVersions) },
      challengers: editing.challengers.map((c) => ({
        name: c.name.trim(), rulesetVersion: c.rulesetVersion.trim(), modelVersions: models(c.modelVersions), shadow: c.shadow,
        ...(c.shadow || c.share.trim() === '' ? {} : { share: Number(c.share) }),
      })),
      routingKey: current.spec.routingKey, salt: current.spec.salt,
    };
    try {
      const created = await api.deployments.create({ spec, comment: comment.trim() || undefined, expected_version: current.version });
      setSaved(created);
      setEditing(null);
      load();
    } catch (err) {
      setSaveError(err);
    }
  };

  const arm = (a: ArmDraft, onChange: (a: ArmDraft) => void, champion: boolean, i: number) => (
    <fieldset class="arm" key={i}>
      <legend>{champion ? 'Champion' : `Challenger ${i + 1}`}</legend>
      <div class="row">
        <div><label for={`arm-name-${i}`}>Arm name</label><input id={`arm-name-${i}`} required value={a.name} onInput={(e) => onChange({ ...a, name: (e.target as HTMLInputElement).value })} /></div>
        <div><label for={`arm-rs-${i}`}>Ruleset version</label><input id={`arm-rs-${i}`} required list="ruleset-versions" value={a.rulesetVersion} onInput={(e) => onChange({ ...a, rulesetVersion: (e.target as HTMLInputElement).value })} /></div>
        <div><label for={`arm-models-${i}`}>Model versions (comma-separated)</label><input id={`arm-models-${i}`} value={a.modelVersions} onInput={(e) => onChange({ ...a, modelVersions: (e.target as HTMLInputElement).value })} /></div>
        {!champion && <>
          <div><label for={`arm-share-${i}`}>Share of traffic (%)</label><input id={`arm-share-${i}`} type="number" min={0} max={100} step="any" disabled={a.shadow} value={a.share} onInput={(e) => onChange({ ...a, share: (e.target as HTMLInputElement).value })} /></div>
          <div><label class="radio"><input type="checkbox" checked={a.shadow} onChange={(e) => onChange({ ...a, shadow: (e.target as HTMLInputElement).checked })} /> Shadow (decides beside the champion, never acted on)</label></div>
        </>}
      </div>
    </fieldset>
  );

  const spec = current?.spec;
  const liveShare = spec ? spec.challengers.filter((c) => !c.shadow).reduce((n, c) => n + (c.share ?? 0), 0) : 0;
  return (
    <section aria-labelledby="deployments-title">
      <h1 id="deployments-title">Deployments</h1>
      <ErrorText error={error} />
      {saved && <p role="status" class="ok">Deployment version {saved.version} is in force; workers follow it within seconds.</p>}
      {current && spec && (
        <>
          <p class="muted" data-testid="deployment-version">Version {current.version} · since {dateTime(current.created_at)} by {current.created_by}{current.comment ? ` · “${current.comment}”` : ''} · routed by {spec.routingKey}</p>
          <table class="data" data-testid="arms">
            <caption>Arms and their figures{stats?.from ? ` from ${dateTime(stats.from)}` : ''} (REVIEW or DECLINE counts as flagging fraud)</caption>
            <thead><tr><th scope="col">Arm</th><th scope="col">Ruleset</th><th scope="col">Models</th><th scope="col">Traffic</th><th scope="col">Decisions</th>
              <th scope="col">Approve</th><th scope="col">Review</th><th scope="col">Decline</th><th scope="col">Labelled</th><th scope="col">Precision</th><th scope="col">Recall</th></tr></thead>
            <tbody>
              {[{ ...spec.champion, share: 100 - liveShare, shadow: false }, ...spec.challengers].map((a) => {
                const s = stats?.arms.find((x) => x.arm === a.name && x.shadow === a.shadow);
                return (
                  <tr key={a.name}>
                    <th scope="row">{a.name}{a.name === spec.champion.name && <span class="badge live"> champion</span>}</th>
                    <td>{a.rulesetVersion}</td><td>{a.modelVersions.join(', ') || '—'}</td>
                    <td>{a.shadow ? 'shadow (all traffic, not acted on)' : `${a.share ?? 0} %`}</td>
                    <td>{count(s?.decisions)}</td><td>{percent(s?.rates.APPROVE)}</td><td>{percent(s?.rates.REVIEW)}</td><td>{percent(s?.rates.DECLINE)}</td>
                    <td>{count(s?.labelled)}</td><td>{percent(s?.precision)}</td><td>{percent(s?.recall)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {session.can('deployments:write') && !editing && <button class="primary" onClick={() => { setEditing(toDraft(spec)); setSaved(null); }}>Change the deployment…</button>}
        </>
      )}
      {editing && (
        <form class="panel" onSubmit={save} aria-labelledby="edit-deployment-title">
          <h2 id="edit-deployment-title">New deployment (based on version {current?.version})</h2>
          <datalist id="ruleset-versions">{versions.map((v) => <option key={v} value={v} />)}</datalist>
          {arm(editing.champion, (champion) => setEditing({ ...editing, champion }), true, 0)}
          {editing.challengers.map((c, i) => (
            <div key={i}>
              {arm(c, (next) => setEditing({ ...editing, challengers: editing.challengers.map((x, j) => (j === i ? next : x)) }), false, i + 1)}
              <button type="button" onClick={() => setEditing({ ...editing, challengers: editing.challengers.filter((_, j) => j !== i) })}>Remove challenger {i + 1}</button>
            </div>
          ))}
          <p><button type="button" onClick={() => setEditing({ ...editing, challengers: [...editing.challengers, { name: `challenger-${editing.challengers.length + 1}`, rulesetVersion: '', modelVersions: '', share: '10', shadow: false }] })}>Add a challenger</button></p>
          <label for="deployment-comment">Why (comment)</label>
          <input id="deployment-comment" value={comment} maxLength={2000} onInput={(e) => setComment((e.target as HTMLInputElement).value)} />
          <ApprovalNeeded error={saveError} />
          <div class="dialog-actions">
            <button type="button" onClick={() => { setEditing(null); setSaveError(null); }}>Cancel</button>
            <button type="submit" class="primary">Deploy</button>
          </div>
        </form>
      )}
      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <table class="data">
          <thead><tr><th scope="col">Version</th><th scope="col">Champion</th><th scope="col">Challengers</th><th scope="col">When</th><th scope="col">Comment</th></tr></thead>
          <tbody>
            {history.map((d) => (
              <tr key={d.version}><td>{d.version}</td><td>{d.spec.champion.rulesetVersion}</td>
                <td>{d.spec.challengers.map((c) => `${c.name}: ${c.rulesetVersion} (${c.shadow ? 'shadow' : `${c.share ?? 0} %`})`).join('; ') || '—'}</td>
                <td>{dateTime(d.created_at)} by {d.created_by}</td><td>{d.comment ?? '—'}</td></tr>
            ))}
          </tbody>
        </table>
      </section>
    </section>
  );
}
