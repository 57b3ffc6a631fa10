import { useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.ts';
import { ErrorText } from '../ui/error-text.tsx';

/**
 * Sign-in with username and password (POST /v1/auth/login); the authenticator code field appears when
 * the account has a second factor. The server sets the session cookie.
 */
export function SignIn({ onSignedIn, notice }: { onSignedIn: () => void; notice?: string | undefined }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needsTotp, setNeedsTotp] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.auth.login({ username: username.trim(), password, ...(needsTotp && totp ? { totp: totp.trim() } : {}) });
      onSignedIn();
    } catch (err) {
      if (err instanceof ApiFailure && (err.code === 'TOTP_REQUIRED' || err.code === 'INVALID_TOTP')) setNeedsTotp(true);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title" class="card">
        <h1 id="sign-in-title">Sign in to FraudGuard</h1>
        <p class="muted">Rules, deployments and the review queue.</p>
        {notice && <p role="status" class="notice">{notice}</p>}
        <label for="username">Username</label>
        <input id="username" name="username" autocomplete="username" required autoFocus value={username}
          onInput={(e) => setUsername((e.target as HTMLInputElement).value)} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required value={password}
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
        {needsTotp && (
          <>
            <label for="totp">Authenticator code</label>
            <input id="totp" name="totp" inputMode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required value={totp}
              onInput={(e) => setTotp((e.target as HTMLInputElement).value)} aria-describedby="totp-help" />
            <small id="totp-help">The 6-digit code your authenticator app shows for FraudGuard.</small>
          </>
        )}
        <ErrorText error={error} />
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        {/* A fresh installation has API keys but no people: say where accounts come from. */}
        <p class="muted small" data-testid="no-account-help">
          No account yet? An administrator creates one with the admin API key:{' '}
          <code>POST /v1/admin/users</code> with a username, password and roles (docs/editor.md, "Signing in").
        </p>
      </form>
    </main>
  );
}
