import { useState } from 'react';
import { useAppState } from '../../app/AppContext';
import { OidcSignIn } from './OidcSignIn';
import './identity.css';

/**
 * Who the demo acts as; with OIDC sign-in (configured mode), the signed-in user and their roles;
 * for a service (agent) identity, just who it is: it cannot be switched or signed out of here.
 */
export function IdentitySwitcher() {
  const { bridge, identity } = useAppState();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!identity) return <div className="identity identity-placeholder" aria-hidden />;
  if (identity.provider === 'oidc') return <OidcSignIn identity={identity} />;
  const current = identity.current;
  if (identity.provider === 'service') {
    return (
      <div className="identity" data-testid="identity-service">
        <span className="identity-label">Agent</span>
        <span className="identity-name" data-testid="identity-name" title={current ? `service identity ${current.id}` : undefined}>
          {current?.displayName ?? 'not connected'}
        </span>
        <span className="roles" data-testid="identity-roles" title="Roles">
          {current?.roles.map((r) => (
            <span key={r} className="role-chip">
              {r}
            </span>
          ))}
        </span>
      </div>
    );
  }

  return (
    <div className="identity">
      <label className="identity-label" htmlFor="identity-select">
        Acting as
      </label>
      <select
        id="identity-select"
        data-testid="identity-switcher"
        value={current?.id ?? ''}
        disabled={busy || identity.switchable.length === 0}
        onChange={async (e) => {
          setBusy(true);
          const result = await bridge.invoke('identity.switch', { identityId: e.target.value });
          setError('error' in result ? result.error.message : null);
          setBusy(false);
        }}
      >
        {identity.switchable.map((i) => (
          <option key={i.id} value={i.id}>
            {i.displayName} ({i.id})
          </option>
        ))}
      </select>
      <span className="roles" data-testid="identity-roles" title="Roles">
        {current?.roles.map((r) => (
          <span key={r} className="role-chip">
            {r}
          </span>
        ))}
      </span>
      {error && <span className="status-error">{error}</span>}
    </div>
  );
}
