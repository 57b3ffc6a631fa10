import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import { api, ApiFailure } from '../api.ts';
import type { RulesetDetail } from '../api-types.ts';
import { loadKit, type Kit } from '../monaco/kit-loader.ts';
import { href, RULESET_TABS, type RulesetTab } from '../router.ts';
import { ErrorText } from '../ui/error-text.tsx';
import { EditTab } from './edit-tab.tsx';
import { DiffTab } from './diff-tab.tsx';
import { RuleTestPanel } from './rule-test-panel.tsx';
import { SimulatePanel } from './simulate-panel.tsx';
import { VersionsTab } from './versions-tab.tsx';

/** What every tab of one ruleset's screen shares: the draft's Monaco model, its saved revision, saving. */
export interface Workspace {
  name: string;
  kit: Kit;
  model: Monaco.editor.ITextModel;
  detail: RulesetDetail;
  /** The draft revision the model's text was loaded from or last saved as. */
  revision: number;
  /** The model differs from the saved draft. */
  dirty: boolean;
  reload(): Promise<void>;
  /** Saves the draft (PUT …/draft); resolves to the new revision, or null (the error shown) when it could not. */
  saveDraft(): Promise<number | null>;
  saving: boolean;
  saveError: unknown;
  /** The model's text parsed, or why it does not parse. */
  parsed(): { ok: true; document: unknown } | { ok: false; reason: string };
}

const TAB_LABELS: Record<RulesetTab, string> = { edit: 'Edit draft', diff: 'Compare', test: 'Test', simulate: 'Simulate', versions: 'Versions & publish' };

export const pretty = (document: unknown) => `${JSON.stringify(document, null, 2)}\n`;

export function RulesetScreen({ name, tab }: { name: string; tab: RulesetTab }) {
  const [kit, setKit] = useState<Kit | null>(null);
  const [detail, setDetail] = useState<RulesetDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [model, setModel] = useState<Monaco.editor.ITextModel | null>(null);
  const [revision, setRevision] = useState(0);
  const [savedText, setSavedText] = useState('');
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const savedTextRef = useRef('');

  useEffect(() => {
    let live = true;
    let created: Monaco.editor.ITextModel | null = null;
    Promise.all([loadKit(), api.rulesets.get(name), api.facts()]).then(([k, d, vocabulary]) => {
      if (!live) return;
      k.setVocabulary(vocabulary);
      const text = pretty(d.draft.document);
      created = k.monaco.editor.getModel(k.modelUri(name)) ?? k.monaco.editor.createModel(text, 'json', k.modelUri(name));
      created.setValue(text);
      created.onDidChangeContent(() => setDirty(created?.getValue() !== savedTextRef.current));
      savedTextRef.current = text;
      setSavedText(text);
      setKit(k); setDetail(d); setRevision(d.draft.revision); setModel(created);
    }, (err) => { if (live) setError(err); });
    // After the tabs' editors have let go of the model (their cleanups run after this one).
    return () => { live = false; const model = created; setTimeout(() => model?.dispose(), 0); };
  }, [name]);

  const reload = useCallback(async () => {
    const d = await api.rulesets.get(name);
    setDetail(d);
  }, [name]);

  const parsed = useCallback((): { ok: true; document: unknown } | { ok: false; reason: string } => {
    if (!model) return { ok: false, reason: 'The editor is still loading.' };
    try {
      return { ok: true, document: JSON.parse(model.getValue()) };
    } catch (err) {
      return { ok: false, reason: `The draft is not valid JSON (${(err as Error).message}): fix the syntax error the editor underlines first.` };
    }
  }, [model]);

  const saveDraft = useCallback(async (): Promise<number | null> => {
    if (!model) return null;
    const doc = parsed();
    setSaveError(null);
    if (!doc.ok) { setSaveError(new Error(doc.reason)); return null; }
    setSaving(true);
    try {
      const text = model.getValue();
      const saved = await api.rulesets.saveDraft(name, doc.document, revision);
      savedTextRef.current = text;
      setSavedText(text);
      setRevision(saved.revision);
      setDirty(model.getValue() !== text);
      await reload();
      return saved.revision;
    } catch (err) {
      setSaveError(err instanceof ApiFailure && err.code === 'REVISION_CONFLICT'
        ? new ApiFailure(err.status, { ...err.body, message: `${err.message} Your text is kept in the editor: copy your change, reload the page, and apply it again.` })
        : err);
      return null;
    } finally {
      setSaving(false);
    }
  }, [model, name, revision, parsed, reload]);

  const workspace = useMemo<Workspace | null>(() => (kit && model && detail
    ? { name, kit, model, detail, revision, dirty, reload, saveDraft, saving, saveError, parsed }
    : null), [kit, model, detail, revision, dirty, saving, saveError, savedText, reload, saveDraft, parsed]);

  return (
    <section aria-labelledby="ruleset-title" class="ruleset-screen">
      <div class="screen-head">
        <h1 id="ruleset-title">Ruleset <code>{name}</code></h1>
        {workspace && (
          <p class="muted" data-testid="draft-status">
            Draft revision {workspace.revision}{workspace.dirty ? ' · unsaved changes' : ' · saved'}
            {detail?.deployed.map((d) => <span key={d.arm} class="badge live"> {d.shadow ? 'shadow' : d.arm}: {d.ruleset_version}</span>)}
          </p>
        )}
      </div>
      <nav aria-label="Ruleset" class="tabs">
        <ul>
          {RULESET_TABS.map((t) => (
            <li key={t}><a href={href({ screen: 'ruleset', name, tab: t })} aria-current={t === tab ? 'page' : undefined}>{TAB_LABELS[t]}</a></li>
          ))}
        </ul>
      </nav>
      <ErrorText error={error} />
      {!workspace && !error && <p role="status">Loading the editor…</p>}
      {workspace && tab === 'edit' && <EditTab ws={workspace} />}
      {workspace && tab === 'diff' && <DiffTab ws={workspace} />}
      {workspace && tab === 'test' && <RuleTestPanel ws={workspace} />}
      {workspace && tab === 'simulate' && <SimulatePanel ws={workspace} />}
      {workspace && tab === 'versions' && <VersionsTab ws={workspace} />}
    </section>
  );
}
