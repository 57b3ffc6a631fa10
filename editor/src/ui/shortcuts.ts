import { useEffect, useRef } from 'preact/hooks';

/**
 * Single-key shortcuts. Quiet while someone types in a field or a dialog is open, and Enter on a link
 * or button keeps its own meaning. Handlers are read at key time, so they always see the latest render.
 */
export function useShortcuts(keys: Record<string, () => void>): void {
  const latest = useRef(keys);
  latest.current = keys;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const target = e.target as HTMLElement | null;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      if (e.key === 'Enter' && target && ['A', 'BUTTON'].includes(target.tagName)) return;
      if (document.querySelector('dialog[open]')) return;
      const run = latest.current[e.key];
      if (!run) return;
      e.preventDefault();
      run();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
