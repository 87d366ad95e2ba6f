import { randomUUID } from 'node:crypto';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import type { BridgeHandlers } from '../bridge/bridge-dispatcher.js';
import type { FeatureHandlers, GatewayServices } from '../bridge/handler-deps.js';
import type { SshConnectionConfig } from '../connections/connection-config.js';
import type { Identity } from '../contract/bridge-contract.js';
import { createMasker } from '../masking/index.js';
import { effectivePolicy, mayUseConnection } from '../policy/effective-policy.js';
import type { ShellPolicy } from '../policy/shell/index.js';
import { hostKeyId, InMemoryKnownHosts, JsonFileKnownHosts, type KnownHostsStore } from './known-hosts.js';
import { connectSsh } from './ssh-connect.js';
import { TerminalSession } from './terminal-session.js';

export type TerminalHandlers = Pick<BridgeHandlers, 'terminal.open' | 'terminal.input' | 'terminal.resize' | 'terminal.close' | 'terminal.acceptHostKey'>;

export interface TerminalHandlerOptions {
  /** Trust store for unpinned host keys; wins over knownHostsFile. Default: in memory. */
  knownHosts?: KnownHostsStore;
  /** A JSON trust store under the app-data folder. */
  knownHostsFile?: string;
  /** How long an unknown host key waits for the user's accept (default 120 s). */
  trustTimeoutMs?: number;
  handshakeTimeoutMs?: number;
}

type Deps = Pick<GatewayServices, 'registry' | 'secrets' | 'identity' | 'policy' | 'events' | 'logger' | 'accessGate' | 'recordings'>;

/** What approvals/ may do with open terminals: read a held line, send it, tell the user, close. */
export interface TerminalControl {
  heldLine(terminalId: string, heldId: string): { line: string; connectionId: string; owner: Identity; rule: string | undefined; reason: string } | null;
  release(terminalId: string, heldId: string): boolean;
  announce(terminalId: string, text: string): void;
  isOpen(terminalId: string): boolean;
  /** Closes this identity's terminals on a connection (access expired); returns how many. */
  closeFor(connectionId: string, identityId: string, message: string): number;
}

interface TrustWaiter {
  fingerprint: string;
  resolve: (trusted: boolean) => void;
}

/** The terminal's host side: shells brokered by gateway-core, guarded and masked. */
export function createTerminalHandlers(deps: Deps, options: TerminalHandlerOptions = {}): FeatureHandlers<TerminalHandlers> & { control: TerminalControl } {
  const knownHosts = options.knownHosts ?? (options.knownHostsFile ? new JsonFileKnownHosts(options.knownHostsFile) : new InMemoryKnownHosts());
  const sessions = new Map<string, { session: TerminalSession; identityId: string; identity: Identity; connectionId: string }>();
  const waiters = new Map<string, Set<TrustWaiter>>();
  /** Fingerprints shown to the user per connection: only those can be accepted. */
  const presented = new Map<string, Set<string>>();
  /** Recordings still being sealed by sessions that ended; close() waits for them. */
  const sealing = new Set<Promise<void>>();

  const askTrust = (terminalId: string, connectionId: string, fingerprint: string): Promise<boolean> => {
    presented.set(connectionId, (presented.get(connectionId) ?? new Set()).add(fingerprint));
    return new Promise((resolve) => {
      const set = waiters.get(connectionId) ?? new Set<TrustWaiter>();
      waiters.set(connectionId, set);
      const waiter: TrustWaiter = {
        fingerprint,
        resolve: (trusted) => {
          clearTimeout(timer);
          set.delete(waiter);
          resolve(trusted);
        },
      };
      const timer = setTimeout(() => waiter.resolve(false), options.trustTimeoutMs ?? 120_000);
      timer.unref?.();
      set.add(waiter);
      deps.events.emit('terminal.state', {
        terminalId,
        state: 'host-key-unknown',
        fingerprint,
        message: `The host key of this server is not known yet. Check that its fingerprint is ${fingerprint} (ask the server's administrator), then accept it to connect.`,
      });
    });
  };

  const currentIdentity = (): Identity => {
    const identity = deps.identity.current();
    if (!identity) throw new GatehouseError('forbidden', 'Sign in to open a terminal');
    return identity;
  };

  const sessionFor = (terminalId: string, checkOwner: boolean): TerminalSession => {
    const entry = sessions.get(terminalId);
    if (!entry) throw new GatehouseError('not_found', `No open terminal ${terminalId}`);
    // A session acts for the identity that opened it; another identity may not type into it.
    if (checkOwner && entry.identityId !== deps.identity.current()?.id) throw new GatehouseError('forbidden', 'This terminal was opened by another identity');
    return entry.session;
  };

  const sshConfig = (connectionId: string): SshConnectionConfig => {
    const config = deps.registry.get(connectionId);
    if (!config) throw new GatehouseError('not_found', `No connection "${connectionId}" is available`);
    if (config.type !== 'ssh') throw new GatehouseError('invalid_input', `Connection "${connectionId}" is not an SSH connection`);
    return config;
  };

  const control: TerminalControl = {
    heldLine(terminalId, heldId) {
      const entry = sessions.get(terminalId);
      const held = entry?.session.held.get(heldId);
      if (!entry || !held) return null;
      return { line: held.line, connectionId: entry.connectionId, owner: entry.identity, rule: held.decision.rule, reason: held.decision.reason };
    },
    release: (terminalId, heldId) => sessions.get(terminalId)?.session.release(heldId) ?? false,
    announce: (terminalId, text) => sessions.get(terminalId)?.session.announce(text),
    isOpen: (terminalId) => sessions.get(terminalId)?.session.isOpen ?? false,
    closeFor(connectionId, identityId, message) {
      const doomed = [...sessions.values()].filter((e) => e.connectionId === connectionId && e.identityId === identityId);
      for (const e of doomed) {
        e.session.announce(message);
        // Let the notice reach the screen before the channel goes.
        setTimeout(() => e.session.close(), 200).unref?.();
      }
      return doomed.length;
    },
  };

  return {
    control,
    handlers: {
      'terminal.open': async ({ connectionId, cols, rows, term }) => {
        const identity = currentIdentity();
        const config = sshConfig(connectionId);
        const { role, policy } = effectivePolicy(deps.policy.current(), identity);
        if (!mayUseConnection(policy, connectionId)) throw new GatehouseError('forbidden', `Role ${role} may not use ${connectionId}`);
        deps.accessGate?.check(connectionId, identity);
        const terminalId = randomUUID();
        // The rules in force for every line: a policy update applies at once, and a role that
        // lost the connection gets nothing through.
        const shellPolicy = (): ShellPolicy => {
          const now = effectivePolicy(deps.policy.current(), identity);
          if (!mayUseConnection(now.policy, connectionId)) throw new GatehouseError('forbidden', 'connection no longer allowed');
          deps.accessGate?.check(connectionId, identity);
          return now.policy.shell;
        };
        const masker = createMasker(policy.masking);
        // Recorded from the first byte; throws (and nothing opens) when it cannot be recorded.
        const recorder = deps.recordings?.terminal({
          sessionId: terminalId,
          user: identity.id,
          connectionId,
          cols,
          rows,
          term: term ?? 'xterm-256color',
          title: `${config.name} (${identity.id})`,
          recordInput: policy.recording.input,
          masker,
          onStopped: (reason) => {
            if (!deps.recordings?.closesUnrecorded) return;
            // An access broker does not keep a session open that it can no longer record.
            control.announce(terminalId, `Recording stopped (${reason === 'spool-full' ? 'the recording spool is full' : 'the recording could not be written'}); this session is closed.`);
            setTimeout(() => sessions.get(terminalId)?.session.close(), 200).unref?.();
          },
        });
        const session = new TerminalSession({
          id: terminalId,
          connectionName: config.name,
          cols,
          rows,
          term: term ?? 'xterm-256color',
          masker,
          ...(recorder ? { recorder } : {}),
          shellPolicy,
          connect: () =>
            connectSsh(config, {
              secrets: deps.secrets,
              knownHosts,
              askTrust: (fp) => askTrust(terminalId, connectionId, fp),
              ...(options.trustTimeoutMs !== undefined ? { trustTimeoutMs: options.trustTimeoutMs } : {}),
              ...(options.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: options.handshakeTimeoutMs } : {}),
            }),
          emit: (event, payload) => deps.events.emit(event, payload),
          logger: deps.logger,
          onClosed: () => {
            sessions.delete(terminalId);
            const sealed = session.recordingClosed;
            if (sealed) {
              sealing.add(sealed);
              void sealed.finally(() => sealing.delete(sealed));
            }
          },
        });
        sessions.set(terminalId, { session, identityId: identity.id, identity, connectionId });
        deps.logger.info({ terminalId, connectionId, role, identity: identity.id }, 'terminal opened');
        void session.start();
        return { terminalId };
      },
      'terminal.input': async ({ terminalId, data }) => {
        const session = sessionFor(terminalId, true);
        session.input(data);
        return { accepted: session.isOpen };
      },
      'terminal.resize': async ({ terminalId, cols, rows }) => {
        sessionFor(terminalId, true).resize(cols, rows);
        return { resized: true };
      },
      'terminal.close': async ({ terminalId }) => {
        const entry = sessions.get(terminalId);
        entry?.session.close();
        return { closed: entry !== undefined };
      },
      'terminal.acceptHostKey': async ({ connectionId, fingerprint }) => {
        const config = sshConfig(connectionId);
        currentIdentity();
        // Only a key this broker actually presented for this connection can be trusted.
        if (!presented.get(connectionId)?.has(fingerprint)) return { trusted: false };
        const pending = [...(waiters.get(connectionId) ?? [])].filter((w) => w.fingerprint === fingerprint);
        if (pending.length > 0) for (const w of pending) w.resolve(true);
        else if (!config.hostKey) await knownHosts.set(hostKeyId(config.host, config.port), fingerprint);
        deps.logger.info({ connectionId, fingerprint }, 'host key trusted');
        return { trusted: config.hostKey === undefined || config.hostKey === fingerprint };
      },
    },
    async close() {
      for (const set of waiters.values()) for (const w of [...set]) w.resolve(false);
      for (const { session } of [...sessions.values()]) session.close();
      sessions.clear();
      await Promise.allSettled([...sealing]);
    },
  };
}
