import { useEffect, useState } from 'preact/hooks';
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
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
  const [original, setOriginal] = useState<Monaco.editor.ITextModel | null>(null);
  const [changes, setChanges] = useState<RulesetChange[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (selected === null) return undefined;
    let live = true;
    let model: Monaco.editor.ITextModel | null = null;
    setError(null);
    Promise.all([api.rulesets.version(ws.name, selected), api.rulesets.diff(ws.name, selected, 'draft')]).then(([v, diff]) => {
      if (!live) return;
      model = ws.kit.monaco.editor.createModel(pretty(v.document), 'json', ws.kit.modelUri(ws.name, `v${selected}`));
      setOriginal(model);
      setChanges(diff.changes);
    }, (err) => { if (live) setError(err); });
    return () => { live = false; model?.dispose(); setOriginal(null); };
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
      {original && <DiffEditor kit={ws.kit} original={original} modified={ws.model} />}
    </div>
  );
}
