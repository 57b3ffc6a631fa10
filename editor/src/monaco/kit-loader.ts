export type Kit = typeof import('./kit.ts');

let loading: Promise<Kit> | null = null;
/** Monaco and the ruleset language, fetched the first time a rule editor screen opens. */
export function loadKit(): Promise<Kit> {
  loading ??= import('./kit.ts').then((kit) => { kit.registerRulesetLanguage(); return kit; });
  return loading;
}
