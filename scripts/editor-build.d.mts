/** Why editor/dist needs building, or null when it is current. */
export function editorBuildNeeded(root: string): string | null;
/** Builds editor/dist when it is missing or stale; true when it is current afterwards. */
export function ensureEditorBuilt(root: string, opts?: { say?: (message: string) => void; quiet?: boolean }): boolean;
