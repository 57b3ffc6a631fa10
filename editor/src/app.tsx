import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiFailure, whenSignedOut } from './api.ts';
import type { Me } from './api-types.ts';
import { href, navigate, useRoute, type Route } from './router.ts';
import { SessionContext, sessionOf, useSession, type Session } from './session.ts';
import { SignIn } from './screens/sign-in.tsx';
import { RulesetsScreen } from './screens/rulesets.tsx';
import { RulesetScreen } from './screens/ruleset-screen.tsx';
import { DeploymentsScreen } from './screens/deployments.tsx';
import { ApprovalsScreen } from './screens/approvals.tsx';
import { ReviewQueue } from './screens/review-queue.tsx';
import { CaseScreen } from './screens/case-screen.tsx';
import { DecisionScreen } from './screens/decision-screen.tsx';
import { ErrorText } from './ui/error-text.tsx';

type State = { kind: 'loading' } | { kind: 'signed-out'; reason?: string } | { kind: 'signed-in'; me: Me } | { kind: 'failed'; error: unknown };

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  const load = useCallback(async () => {
    try {
      const me = await api.auth.me();
      setState({ kind: 'signed-in', me });
    } catch (err) {
      setState(err instanceof ApiFailure && err.status === 401 ? { kind: 'signed-out' } : { kind: 'failed', error: err });
    }
  }, []);

  useEffect(() => {
    whenSignedOut(() => setState({ kind: 'signed-out', reason: 'Your session has ended: sign in again to continue.' }));
    void load();
  }, [load]);

  if (state.kind === 'loading') return <p class="loading" role="status">Loading FraudGuard…</p>;
  if (state.kind === 'failed') return <main class="narrow"><h1>FraudGuard</h1><ErrorText error={state.error} /><button onClick={() => void load()}>Try again</button></main>;
  if (state.kind === 'signed-out') return <SignIn notice={state.reason} onSignedIn={() => void load()} />;

  const session = sessionOf(state.me, async () => {
    await api.auth.logout().catch(() => undefined);
    setState({ kind: 'signed-out' });
  });
  return (
    <SessionContext.Provider value={session}>
      <Shell />
    </SessionContext.Provider>
  );
}

function homeOf(session: Session): Route {
  return session.can('cases:work') && !session.can('rules:write') ? { screen: 'queue' } : { screen: 'rulesets' };
}

function Shell() {
  const session = useSession();
  const route = useRoute();
  useEffect(() => { if (route.screen === 'home') navigate(homeOf(session)); }, [route.screen]);
  // A new screen: move focus to its content, so keyboard and screen-reader users start there (not in the nav).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    if (!document.activeElement || document.activeElement === document.body || document.activeElement.closest('nav')) {
      document.getElementById('main')?.focus({ preventScroll: true });
    }
  }, [route.screen, route.screen === 'ruleset' ? route.tab : '', route.screen === 'case' ? route.id : '']);
  const links: { label: string; route: Route; active: boolean; show: boolean }[] = [
    { label: 'Rulesets', route: { screen: 'rulesets' }, active: route.screen === 'rulesets' || route.screen === 'ruleset', show: true },
    { label: 'Deployments', route: { screen: 'deployments' }, active: route.screen === 'deployments', show: true },
    { label: 'Approvals', route: { screen: 'approvals' }, active: route.screen === 'approvals', show: session.can('approvals:request') || session.can('approvals:grant') },
    { label: 'Review queue', route: { screen: 'queue' }, active: route.screen === 'queue' || route.screen === 'case', show: true },
    { label: 'Decisions', route: { screen: 'decision', id: null }, active: route.screen === 'decision', show: true },
  ];
  return (
    <div class="shell">
      <a class="skip" href="#main">Skip to content</a>
      <header class="topbar">
        <span class="brand" aria-label="FraudGuard">FraudGuard</span>
        <nav aria-label="Main">
          <ul>
            {links.filter((l) => l.show).map((l) => (
              <li key={l.label}><a href={href(l.route)} aria-current={l.active ? 'page' : undefined}>{l.label}</a></li>
            ))}
          </ul>
        </nav>
        <span class="who">
          Signed in as <strong data-testid="who">{session.name}</strong>
          {session.me.kind === 'user' && session.me.roles.length > 0 && <span class="roles"> ({session.me.roles.join(', ')})</span>}
          <button class="link" onClick={() => void session.signOut()}>Sign out</button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Screen route={route} />
      </main>
    </div>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.screen) {
    case 'home': return null;
    case 'rulesets': return <RulesetsScreen />;
    case 'ruleset': return <RulesetScreen key={route.name} name={route.name} tab={route.tab} />;
    case 'deployments': return <DeploymentsScreen />;
    case 'approvals': return <ApprovalsScreen />;
    case 'queue': return <ReviewQueue />;
    case 'case': return <CaseScreen key={route.id} id={route.id} />;
    case 'decision': return <DecisionScreen key={route.id ?? ''} id={route.id} />;
  }
}
