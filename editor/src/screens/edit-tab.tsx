import { useEffect, useRef, useState } from 'preact/hooks';
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import { api } from '../api.ts';
import type { RulesetVersion } from '../api-types.ts';
import { CodeEditor } from '../monaco/code-editor.tsx';
import { href } from '../router.ts';
import { useSession } from '../session.ts';
import { ErrorText } from '../ui/error-text.tsx';
import type { Workspace } from './ruleset-screen.tsx';

interface Problem { line: number; column: number; message: string; source: string; severity: 'error' | 'warning' }

/** How long typing must pause before the draft goes to the API for its semantic checks. */
const VALIDATE_AFTER_MS = 500;

/**
 * The draft in Monaco: schema markers as one types (Monaco's JSON worker), the API's semantic
 * problems at their JSON paths shortly after, every marker listed below the editor with its line.
 * Ctrl/Cmd+S saves the draft.
 */
export function EditTab({ ws }: { ws: Workspace }) {
  const session = useSession();
  const [problems, setProblems] = useState<Problem[]>([]);
  // Formatting runs in Monaco's JSON worker: a save started meanwhile would store the text before it.
  const [formatting, setFormatting] = useState(false);
  const [checking, setChecking] = useState(false);
  const [validateError, setValidateError] = useState<unknown>(null);
  const [comment, setComment] = useState('');
  const [versionError, setVersionError] = useState<unknown>(null);
  const [saved, setSaved] = useState<RulesetVersion | null>(null);
  const editor = useRef<Monaco.editor.IStandaloneCodeEditor | null>(null);
  // The editor's Ctrl+S outlives renders: it must save with the workspace as it is now, not as it was.
  const latest = useRef(ws);
  latest.current = ws;
  const { monaco } = ws.kit;
  const canWrite = session.can('rules:write');

  // Markers from both owners (the JSON worker's schema checks, the API's semantic ones) → the list.
  useEffect(() => {
    const refresh = () => {
      const markers = monaco.editor.getModelMarkers({ resource: ws.model.uri }).filter((m) => m.severity >= monaco.MarkerSeverity.Warning);
      // The API checks the schema too: where the editor's own schema check already marks the spot, its word is enough.
      const at = (m: Monaco.editor.IMarker) => `${m.startLineNumber}:${m.startColumn}`;
      const bySchema = new Set(markers.filter((m) => m.owner !== ws.kit.SERVER_OWNER).map(at));
      setProblems(markers
      .filter((m) => m.owner !== ws.kit.SERVER_OWNER || !bySchema.has(at(m)))
      .sort((a, b) => a.startLineNumber - b.startLineNumber || a.startColumn - b.startColumn)
      .map((m) => ({
        line: m.startLineNumber, column: m.startColumn, message: m.message,
        source: m.owner === ws.kit.SERVER_OWNER ? 'rules check' : 'schema', severity: m.severity === monaco.MarkerSeverity.Error ? 'error' : 'warning',
      })));
    };
    refresh();
    const sub = monaco.editor.onDidChangeMarkers((uris) => { if (uris.some((u) => u.toString() === ws.model.uri.toString())) refresh(); });
    return () => sub.dispose();
  }, [ws.model]);

  // The API's semantic checks (facts, operators, lists, value types), debounced while typing.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let generation = 0;
    const check = async () => {
      const mine = ++generation;
      const doc = ws.parsed();
      if (!doc.ok) { ws.kit.showServerProblems(ws.model, []); return; }
      setChecking(true);
      try {
        const result = await api.rulesets.validate(doc.document);
        if (mine === generation && !ws.model.isDisposed()) { ws.kit.showServerProblems(ws.model, result.problems); setValidateError(null); }
      } catch (err) {
        if (mine === generation) setValidateError(err);
      } finally {
        if (mine === generation) setChecking(false);
      }
    };
    void check();
    const sub = ws.model.onDidChangeContent(() => { clearTimeout(timer); timer = setTimeout(() => void check(), VALIDATE_AFTER_MS); });
    return () => { sub.dispose(); clearTimeout(timer); };
  }, [ws.model]);

  // Monaco formats asynchronously (its JSON worker): a save waits for a format in progress, whichever
  // way either was asked for (buttons or keys), or it would store the text from before the format.
  const pendingFormat = useRef<Promise<void>>(Promise.resolve());
  const format = (): Promise<void> => {
    const run = (async () => {
      setFormatting(true);
      try {
        await editor.current?.getAction('editor.action.formatDocument')?.run();
      } finally {
        setFormatting(false);
      }
    })();
    pendingFormat.current = run.catch(() => undefined);
    return run;
  };
  const save = async () => {
    await pendingFormat.current;
    await latest.current.saveDraft();
  };

  const ready = (e: Monaco.editor.IStandaloneCodeEditor) => {
    editor.current = e;
    e.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => void save());
    e.addCommand(monaco.KeyMod.Shift | monaco.KeyMod.Alt | monaco.KeyCode.KeyF, () => void format());
  };

  const jump = (p: Problem) => {
    const e = editor.current;
    if (!e) return;
    e.setPosition({ lineNumber: p.line, column: p.column });
    e.revealPositionInCenter({ lineNumber: p.line, column: p.column });
    e.focus();
  };

  const saveVersion = async (event: Event) => {
    event.preventDefault();
    setVersionError(null);
    setSaved(null);
    let revision: number | null = ws.revision;
    if (ws.dirty) revision = await ws.saveDraft();
    if (revision === null) return;
    try {
      const version = await api.rulesets.saveVersion(ws.name, revision, comment.trim() || undefined);
      setSaved(version);
      setComment('');
      await ws.reload();
    } catch (err) {
      setVersionError(err);
    }
  };

  const errors = problems.filter((p) => p.severity === 'error').length;
  return (
    <div class="edit-tab">
      <div class="toolbar" role="toolbar" aria-label="Draft">
        <button class="primary" onClick={() => void save()} disabled={!canWrite || ws.saving || formatting || !ws.dirty} aria-keyshortcuts="Control+S">
          {ws.saving ? 'Saving…' : 'Save draft'}
        </button>
        <button onClick={() => void format()} disabled={formatting} title="Shift+Alt+F">Format</button>
        <span role="status" class="muted" data-testid="check-status">
          {checking ? 'Checking…' : errors === 0 ? 'No problems found' : `${errors} problem${errors === 1 ? '' : 's'}`}
        </span>
        {!canWrite && <span class="muted">You can read this draft; editing needs the rule author role.</span>}
      </div>
      <ErrorText error={ws.saveError} />
      <ErrorText error={validateError} />
      <CodeEditor kit={ws.kit} model={ws.model} onReady={ready} label={`Draft of ruleset ${ws.name} (JSON)`} />
      <section aria-labelledby="problems-title" class="problems">
        <h2 id="problems-title">Problems</h2>
        {problems.length === 0 ? <p class="muted">None: the draft matches the schema and every fact, operator and list exists.</p> : (
          <ul data-testid="problems">
            {problems.map((p) => (
              <li key={`${p.line}:${p.column}:${p.message}`} class={`sev-${p.severity}`}>
                <button class="link" onClick={() => jump(p)}>Line {p.line}, column {p.column}</button>
                {' '}<span class="source">{p.source}</span> {p.message}
              </li>
            ))}
          </ul>
        )}
      </section>
      {canWrite && (
        <form class="inline-form" onSubmit={saveVersion} aria-labelledby="save-version-title">
          <h2 id="save-version-title">Save as a version</h2>
          <p class="muted">A version is immutable: it is what gets simulated, approved and published. The draft is saved first.</p>
          <label for="version-comment">What changed</label>
          <input id="version-comment" value={comment} maxLength={2000} onInput={(e) => setComment((e.target as HTMLInputElement).value)} />
          <button type="submit">Save version</button>
          <ErrorText error={versionError} />
          {saved && (
            <p role="status" class={saved.valid ? 'ok' : 'warn'} data-testid="version-saved">
              Saved {saved.id}{saved.valid ? '.' : ' — it has problems and cannot be published until a fixed version is saved.'}
              {' '}<a href={href({ screen: 'ruleset', name: ws.name, tab: 'versions' })}>Review and publish it</a>
            </p>
          )}
        </form>
      )}
    </div>
  );
}
