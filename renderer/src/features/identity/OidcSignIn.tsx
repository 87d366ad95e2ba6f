import { useEffect, useRef, useState } from 'react';
import type { IdentityState } from '@gatehouse/gateway-core/contract';
import { useAppState } from '../../app/AppContext';
import './identity.css';

/**
 * Configured mode: OIDC sign-in. The host opens the provider's page in the system browser
 * (Electron); in the browser shell it answers `opened: false` and this page opens it in a new tab.
 * Tokens never come here: the page sees only who is signed in and their roles.
 */
export function OidcSignIn({ identity }: { identity: IdentityState }) {
  const { bridge } = useAppState();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [authorizationUrl, setAuthorizationUrl] = useState<string | null>(null);
  const notice = useSessionNotice(identity);
  const current = identity.current;
  const issuerHost = hostOf(identity.issuer);

  const signIn = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    notice.clear();
    const result = await bridge.invoke('identity.signIn', {});
    setBusy(false);
    if ('error' in result) {
      setError(result.error.message);
      return;
    }
    setAuthorizationUrl(result.ok.authorizationUrl);
    if (!result.ok.opened) window.open(result.ok.authorizationUrl, '_blank', 'noopener');
  };

  const signOut = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    notice.expectSignOut();
    const result = await bridge.invoke('identity.signOut', {});
    setBusy(false);
    if ('error' in result) setError(result.error.message);
  };

  if (current) {
    return (
      <div className="identity" data-testid="identity-oidc">
        <span className="identity-label">Signed in as</span>
        <span className="identity-name" data-testid="identity-name" title={[current.email, issuerHost && `via ${issuerHost}`].filter(Boolean).join(' ')}>
          {current.displayName}
        </span>
        <span className="roles" data-testid="identity-roles" title="Roles">
          {current.roles.length === 0 ? <span className="identity-label">no roles</span> : current.roles.map((r) => (
            <span key={r} className="role-chip">
              {r}
            </span>
          ))}
        </span>
        <button type="button" className="identity-button" data-testid="identity-sign-out" disabled={busy} onClick={signOut}>
          Sign out
        </button>
        {error && <span className="status-error">{error}</span>}
      </div>
    );
  }

  return (
    <div className="identity" data-testid="identity-oidc">
      {notice.text && (
        <span className="identity-notice" role="status" data-testid="identity-notice">
          {notice.text}
        </span>
      )}
      {identity.signingIn ? (
        <span className="identity-waiting" data-testid="identity-signing-in">
          Signing in… finish in the browser
          {authorizationUrl && (
            <>
              {' '}
              (
              <a href={authorizationUrl} target="_blank" rel="noopener noreferrer">
                open the page again
              </a>
              )
            </>
          )}
        </span>
      ) : null}
      <button
        type="button"
        className={identity.signingIn ? 'identity-button' : 'identity-button primary'}
        data-testid="identity-sign-in"
        disabled={busy}
        title={issuerHost ? `Sign in with ${issuerHost}` : 'Sign in'}
        onClick={signIn}
      >
        {identity.signingIn ? 'Restart sign-in' : 'Sign in'}
      </button>
      {error && <span className="status-error">{error}</span>}
    </div>
  );
}

/**
 * Says why the user is signed out when they did not ask to be: a session the provider ended
 * (refresh refused) or a sign-in that stopped without completing (error or timeout; the browser
 * tab shows the reason).
 */
function useSessionNotice(identity: IdentityState) {
  const previous = useRef<IdentityState | null>(null);
  const signingOut = useRef(false);
  const [text, setText] = useState<string | null>(null);

  useEffect(() => {
    const before = previous.current;
    previous.current = identity;
    if (!before) return;
    if (identity.current) {
      setText(null);
    } else if (before.current && !signingOut.current) {
      setText('Your session ended. Sign in again.');
    } else if (before.signingIn && !identity.signingIn && !before.current) {
      setText('Sign-in did not complete. See the browser tab for the reason, then try again.');
    }
    if (!identity.current) signingOut.current = false;
  }, [identity]);

  return {
    text,
    clear: () => setText(null),
    expectSignOut: () => {
      signingOut.current = true;
    },
  };
}

function hostOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}
