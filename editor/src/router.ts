import { useEffect, useState } from 'preact/hooks';

/**
 * Screens are addressed by the URL fragment (#/rulesets/default/test), so the server serves one page
 * and every screen can be bookmarked, reloaded and opened in a new tab.
 */
export const RULESET_TABS = ['edit', 'diff', 'test', 'simulate', 'versions'] as const;
export type RulesetTab = (typeof RULESET_TABS)[number];

export type Route =
  | { screen: 'home' }
  | { screen: 'rulesets' }
  | { screen: 'ruleset'; name: string; tab: RulesetTab }
  | { screen: 'deployments' }
  | { screen: 'approvals' }
  | { screen: 'queue' }
  | { screen: 'case'; id: string }
  | { screen: 'decision'; id: string | null };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second, third] = parts;
  switch (first) {
    case 'rulesets':
      if (!second) return { screen: 'rulesets' };
      return { screen: 'ruleset', name: second, tab: (RULESET_TABS as readonly string[]).includes(third ?? '') ? third as RulesetTab : 'edit' };
    case 'deployments': return { screen: 'deployments' };
    case 'approvals': return { screen: 'approvals' };
    case 'queue': return { screen: 'queue' };
    case 'cases': return second ? { screen: 'case', id: second } : { screen: 'queue' };
    case 'decisions': return { screen: 'decision', id: second ?? null };
    default: return { screen: 'home' };
  }
}

export function href(route: Route): string {
  const e = encodeURIComponent;
  switch (route.screen) {
    case 'home': return '#/';
    case 'rulesets': return '#/rulesets';
    case 'ruleset': return `#/rulesets/${e(route.name)}${route.tab === 'edit' ? '' : `/${route.tab}`}`;
    case 'deployments': return '#/deployments';
    case 'approvals': return '#/approvals';
    case 'queue': return '#/queue';
    case 'case': return `#/cases/${e(route.id)}`;
    case 'decision': return route.id ? `#/decisions/${e(route.id)}` : '#/decisions';
  }
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
