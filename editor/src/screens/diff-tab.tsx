import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { RulesetChange } from '../api-types.ts';
import { DiffEditor } from '../monaco/code-editor.tsx';
import { ErrorText } from '../ui/error-text.tsx';
import { pretty, type Workspace } from './ruleset-screen.tsx';

/**
 * The draft beside any saved version in Monaco's diff editor (the draft side stays editable), with
 * the API's summary of what changed rule by rule.
 */
export function DiffTab({ ws }: { ws: Workspace }) {
  const versions = ws.detail.versions;
  const published = versions.find((v) => v.published_at !== null);
  const [selected, setSelected] = useState<number | null>(published?.version ?? versions[0]?.version ?? null);
  const [original, setOriginal] = useState<{ text: string; version: number } | null>(null);
  const [changes, setChanges] = useState<RulesetChange[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (selected === null) return undefined;
    let live = true;
    setError(null);
    Promise.all([api.rulesets.version(ws.name, selected), api.rulesets.diff(ws.name, selected, 'draft')]).then(([v, diff]) => {
      if (!live) return;
      const draft = ws.parsed();
      setOriginal({ text: pretty(draft.ok ? inOrderOf(v.document, draft.document) : v.document), version: selected });
      setChanges(diff.changes);
    }, (err) => { if (live) setError(err); });
    return () => { live = false; };
  }, [selected]);

  if (versions.length === 0) return <p>No version has been saved yet: there is nothing to compare the draft with.</p>;
  return (
    <div class="diff-tab">
      <div class="toolbar">
        <label for="diff-version">Compare the draft with</label>
        <select id="diff-version" value={selected ?? ''} onChange={(e) => setSelected(Number((e.target as HTMLSelectElement).value))}>
          {versions.map((v) => (
            <option key={v.version} value={v.version}>{v.id}{v.published_at ? ' (published)' : ''}{v.comment ? ` — ${v.comment}` : ''}</option>
          ))}
        </select>
        <span class="muted">Left: the version · right: the draft</span>
      </div>
      <ErrorText error={error} />
      {changes && (
        <section aria-labelledby="changes-title">
          <h2 id="changes-title" class="small">Changes in the saved draft</h2>
          {changes.length === 0 ? <p class="muted">None.</p> : (
            <ul class="changes" data-testid="diff-changes">
              {changes.map((c) => <li key={`${c.kind}:${c.name}`}><span class={`badge ${c.change}`}>{c.change}</span> {c.kind} <strong>{c.name}</strong></li>)}
            </ul>
          )}
          {ws.dirty && <p class="muted">The draft has unsaved edits: the editor below shows them; this list does not yet.</p>}
        </section>
      )}
      {original && <DiffEditor kit={ws.kit} originalText={original.text} originalUri={ws.kit.modelUri(ws.name, `v${original.version}`)} modified={ws.model} />}
    </div>
  );
}

/**
 * The version with its keys in the draft's order wherever both have them: a saved version comes back
 * from the database with its keys re-sorted, and a diff should show what changed, not the order.
 */
function inOrderOf(value: unknown, model: unknown): unknown {
  if (Array.isArray(value)) return value.map((v, i) => inOrderOf(v, Array.isArray(model) ? model[i] : undefined));
  if (!value || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const order = model && typeof model === 'object' && !Array.isArray(model) ? Object.keys(model) : [];
  const keys = [...order.filter((k) => k in source), ...Object.keys(source).filter((k) => !order.includes(k))];
  return Object.fromEntries(keys.map((k) => [k, inOrderOf(source[k], (model as Record<string, unknown> | undefined)?.[k])]));
}
