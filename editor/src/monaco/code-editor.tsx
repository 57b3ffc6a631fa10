import { useEffect, useRef } from 'preact/hooks';
import type { Kit } from './kit-loader.ts';
import type * as Monaco from 'monaco-editor/editor/editor.api.js';

const COMMON: Monaco.editor.IStandaloneEditorConstructionOptions = {
  automaticLayout: true, minimap: { enabled: false }, fontSize: 13, scrollBeyondLastLine: false, tabSize: 2,
  renderValidationDecorations: 'on', fixedOverflowWidgets: true, ariaLabel: 'Ruleset JSON',
};

/** A Monaco editor on a model the screen owns (the model outlives tab switches; the editor does not). */
export function CodeEditor({ kit, model, onReady, label }: {
  kit: Kit; model: Monaco.editor.ITextModel; label: string; onReady?: (editor: Monaco.editor.IStandaloneCodeEditor) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return undefined;
    const editor = kit.monaco.editor.create(host.current, { ...COMMON, model, ariaLabel: label });
    onReady?.(editor);
    return () => editor.dispose();
  }, [model]);
  return <div class="code-editor" ref={host} data-testid="code-editor" />;
}

/** Side by side: a saved version (read-only, its model owned here) on the left, the draft on the right. */
export function DiffEditor({ kit, originalText, originalUri, modified }: {
  kit: Kit; originalText: string; originalUri: Monaco.Uri; modified: Monaco.editor.ITextModel;
}) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return undefined;
    const original = kit.monaco.editor.createModel(originalText, 'json', originalUri);
    const diff = kit.monaco.editor.createDiffEditor(host.current, { ...COMMON, readOnly: false, originalEditable: false, renderSideBySide: true, ariaLabel: 'Version compared with the draft' });
    diff.setModel({ original, modified });
    // The widget lets go of its models before the version's model is disposed.
    return () => { diff.setModel(null); diff.dispose(); original.dispose(); };
  }, [originalText, originalUri.toString(), modified]);
  return <div class="code-editor diff" ref={host} data-testid="diff-editor" />;
}
