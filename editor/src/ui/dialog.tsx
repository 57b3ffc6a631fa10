import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/**
 * A modal dialog on the native <dialog> element: the browser traps focus inside it, Escape closes
 * it, and focus returns to what opened it.
 */
export function Dialog({ title, open, onClose, children, labelId }: {
  title: string; open: boolean; onClose: () => void; children: ComponentChildren; labelId: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      const opener = document.activeElement as HTMLElement | null;
      dialog.showModal();
      return () => { if (dialog.open) dialog.close(); opener?.focus(); };
    }
    return undefined;
  }, [open]);
  if (!open) return null;
  return (
    <dialog ref={ref} aria-labelledby={labelId} onCancel={(e) => { e.preventDefault(); onClose(); }} class="dialog">
      <h2 id={labelId}>{title}</h2>
      {children}
    </dialog>
  );
}
