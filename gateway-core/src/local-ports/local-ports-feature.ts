/**
 * Local PostgreSQL ports opened from the app (issue 7): one pg-listener per (identity,
 * connection), bound to the identity that opened it. Its statements are judged under that
 * identity's role, read per statement, and refused once access ends or someone else is in front
 * of the app; an identity switch closes the ports of the identity that left. A port opened with
 * `tls` requires TLS, with the certificate kept in the app-data folder (pg-listener/local-cert.ts).
 */
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { BridgeHandlers } from '../bridge/bridge-dispatcher.js';
import type { FeatureHandlers, GatewayServices } from '../bridge/handler-deps.js';
import type { Identity } from '../contract/bridge-contract.js';
import type { LocalPortView } from '../contract/local-ports-schemas.js';
import { mayUseConnection, effectivePolicy } from '../policy/effective-policy.js';
import { listenerPolicyFrom, startPgListener, type PgListener } from '../pg-listener/listener.js';
import { clientStrings } from '../pg-listener/client-strings.js';
import { loadOrCreateLocalPortCertificate } from '../pg-listener/local-cert.js';

export type LocalPortHandlers = Pick<BridgeHandlers, 'localPorts.list' | 'localPorts.open' | 'localPorts.close'>;

type Deps = Pick<GatewayServices, 'registry' | 'secrets' | 'identity' | 'policy' | 'logger' | 'accessGate' | 'recordings' | 'events'>;

export interface LocalPortOptions {
  /** Where the TLS certificate is kept (`<dataDir>/local-port-tls`); without it TLS ports are refused. */
  tlsDir?: string;
}

interface OpenPort {
  owner: Identity;
  connectionId: string;
  connectionName: string;
  listener: PgListener;
  openedAt: string;
}

export function createLocalPortHandlers(deps: Deps, options: LocalPortOptions = {}): FeatureHandlers<LocalPortHandlers> & { closeFor(connectionId: string, identityId: string): Promise<number> } {
  const ports = new Map<string, OpenPort>();
  const opening = new Map<string, Promise<OpenPort>>();
  const key = (identityId: string, connectionId: string): string => `${identityId}\u0000${connectionId}`;
  const current = (): Identity => {
    const identity = deps.identity.current();
    if (!identity) throw new GatehouseError('forbidden', 'Sign in to open a local port');
    return identity;
  };
  const mine = (): OpenPort[] => {
    const id = deps.identity.current()?.id;
    return [...ports.values()].filter((p) => p.owner.id === id);
  };
  const changed = (): void => deps.events.emit('localPorts.changed', { ports: mine().map(view) });

  const certificate = () => {
    if (!options.tlsDir) throw new GatehouseError('unavailable', 'TLS for local ports needs an app-data folder for its certificate, and this gateway has none');
    return loadOrCreateLocalPortCertificate(options.tlsDir);
  };

  const open = async (owner: Identity, connectionId: string, port: number | undefined, tls: boolean): Promise<OpenPort> => {
    const { policy } = effectivePolicy(deps.policy.current(), owner);
    if (!mayUseConnection(policy, connectionId)) throw new GatehouseError('forbidden', `Your role may not use the connection "${connectionId}"`);
    const config = deps.registry.get(connectionId);
    if (!config) throw new GatehouseError(deps.registry.list().some((c) => c.id === connectionId) ? 'unavailable' : 'not_found', `The connection "${connectionId}" is not available`);
    if (config.type !== 'postgres') throw new GatehouseError('invalid_input', `"${connectionId}" is not a PostgreSQL connection; local ports are for PostgreSQL`);
    deps.accessGate?.check(connectionId, owner);
    const rolePolicy = listenerPolicyFrom(
      () => deps.policy.current(),
      // Bound to the opener: with someone else in front of the app, the port refuses.
      () => (deps.identity.current()?.id === owner.id ? owner : null),
      connectionId,
    );
    const listener = await startPgListener({
      config,
      secrets: deps.secrets,
      identityId: owner.id,
      policy: () => {
        deps.accessGate?.check(connectionId, owner);
        return rolePolicy();
      },
      ...(port ? { port } : {}),
      ...(tls ? { tls: certificate() } : {}),
      logger: deps.logger,
      ...(deps.recordings ? { recordings: deps.recordings } : {}),
    }).catch((err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new GatehouseError('unavailable', `Port ${port} on 127.0.0.1 is in use; choose another or leave it empty for a free one`);
      throw err;
    });
    deps.logger.info({ connectionId, port: listener.port, identity: owner.id, tls: listener.tls?.fingerprint256 ?? false }, 'local port opened');
    return { owner, connectionId, connectionName: config.name, listener, openedAt: new Date().toISOString() };
  };

  const close = async (k: string): Promise<boolean> => {
    const p = ports.get(k);
    if (!p) return false;
    ports.delete(k);
    await p.listener.close();
    deps.logger.info({ connectionId: p.connectionId, port: p.listener.port, identity: p.owner.id }, 'local port closed');
    return true;
  };

  const unsubscribe = deps.identity.onChange((state) => {
    const stillHere = state.current?.id;
    void Promise.allSettled([...ports.entries()].filter(([, p]) => p.owner.id !== stillHere).map(([k]) => close(k))).then(changed);
  });

  return {
    handlers: {
      'localPorts.list': async () => ({ ports: mine().map(view) }),
      'localPorts.open': async ({ connectionId, port, tls = false }) => {
        const owner = current();
        const k = key(owner.id, connectionId);
        // Two clicks at once open one port.
        let pending = opening.get(k);
        const existing = ports.get(k);
        if (!pending && existing) pending = Promise.resolve(existing);
        if (!pending) {
          pending = open(owner, connectionId, port, tls).finally(() => opening.delete(k));
          opening.set(k, pending);
        }
        const opened = await pending;
        if ((opened.listener.tls !== null) !== tls) {
          const has = opened.listener.tls ? 'requires TLS' : 'is open without TLS';
          throw new GatehouseError('invalid_input', `The local port for "${connectionId}" ${has}; close it first to open it ${tls ? 'with' : 'without'} TLS`);
        }
        if (existing) return view(existing);
        ports.set(k, opened);
        changed();
        return view(opened);
      },
      'localPorts.close': async ({ connectionId }) => {
        const closed = await close(key(current().id, connectionId));
        if (closed) changed();
        return { closed };
      },
    },
    async closeFor(connectionId, identityId) {
      const closed = await close(key(identityId, connectionId));
      if (closed) changed();
      return closed ? 1 : 0;
    },
    async close() {
      unsubscribe();
      await Promise.allSettled([...ports.keys()].map(close));
    },
  };
}

function view(p: OpenPort): LocalPortView {
  const l = p.listener;
  const strings = clientStrings(l);
  return {
    connectionId: p.connectionId,
    connectionName: p.connectionName,
    host: l.host,
    port: l.port,
    user: l.user,
    password: l.password,
    database: l.database,
    sslmode: strings.sslmode,
    tls: l.tls?.certFile ? { certFile: l.tls.certFile, fingerprint256: l.tls.fingerprint256 } : null,
    url: strings.url,
    psql: strings.psql,
    clients: l.clients,
    openedAt: p.openedAt,
  };
}
