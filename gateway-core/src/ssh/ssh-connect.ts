// Opening an ssh2 connection for a configured SSH connection: the credential is resolved here,
// inside gateway-core, and handed only to ssh2; the host key is checked against the pinned
// fingerprint or the known-hosts store before authentication starts.
import ssh2 from 'ssh2';
import type { Client as ClientType, ConnectConfig } from 'ssh2';
import type { SshConnectionConfig } from '../connections/connection-config.js';
import type { SecretResolver } from '../connections/secret-resolver.js';
import { fingerprintOf, hostKeyId, type KnownHostsStore } from './known-hosts.js';

const { Client } = ssh2;

export type HostKeyFailure = 'pinned-mismatch' | 'changed' | 'not-trusted';

/** A connection that failed for a reason the user may see; the message never holds a secret. */
export class SshConnectError extends Error {
  constructor(
    message: string,
    readonly kind: HostKeyFailure | 'auth' | 'network',
  ) {
    super(message);
    this.name = 'SshConnectError';
  }
}

export interface ConnectOptions {
  secrets: Pick<SecretResolver, 'resolve'>;
  knownHosts: KnownHostsStore;
  /**
   * Asked when the host key is neither pinned nor known: resolve true once the user trusted it
   * (the caller then records it), false to refuse. Without it, an unknown key is refused.
   */
  askTrust?: (fingerprint: string) => Promise<boolean>;
  /** How long the handshake may take, not counting the wait for the user's answer. */
  handshakeTimeoutMs?: number;
  trustTimeoutMs?: number;
}

export interface SshConnection {
  client: ClientType;
  fingerprint: string;
  /** Every secret value used, so callers can scrub them from any message they show. */
  secretValues: readonly string[];
}

export async function connectSsh(config: SshConnectionConfig, options: ConnectOptions): Promise<SshConnection> {
  const auth: Partial<ConnectConfig> = {};
  const secretValues: string[] = [];
  if (config.auth.method === 'key') {
    auth.privateKey = await options.secrets.resolve(config.auth.privateKey);
    secretValues.push(auth.privateKey as string);
    if (config.auth.passphrase) {
      auth.passphrase = await options.secrets.resolve(config.auth.passphrase);
      secretValues.push(auth.passphrase);
    }
  } else {
    auth.password = await options.secrets.resolve(config.auth.password);
    secretValues.push(auth.password);
  }

  const client = new Client();
  const hostId = hostKeyId(config.host, config.port);
  let fingerprint = '';
  let hostKeyError: SshConnectError | undefined;

  const checkHostKey = async (fp: string): Promise<boolean> => {
    if (config.hostKey) {
      if (fp === config.hostKey) return true;
      throw new SshConnectError(
        `Host key verification failed for ${config.name}: the configured fingerprint is ${config.hostKey}, but the server presented ${fp}. The connection was refused; the server may be impersonated.`,
        'pinned-mismatch',
      );
    }
    const known = await options.knownHosts.get(hostId);
    if (known === fp) return true;
    if (known !== undefined) {
      throw new SshConnectError(
        `WARNING: the host key of ${config.name} (${hostId}) has CHANGED. Expected ${known}, but the server presented ${fp}. The connection was refused; someone may be intercepting it. If the key was rotated on purpose, an administrator must update the trusted key.`,
        'changed',
      );
    }
    if (!options.askTrust || !(await options.askTrust(fp))) {
      throw new SshConnectError(`The host key ${fp} of ${config.name} was not trusted, so the connection was not made.`, 'not-trusted');
    }
    await options.knownHosts.set(hostId, fp);
    return true;
  };

  const trustMs = options.askTrust ? (options.trustTimeoutMs ?? 120_000) : 0;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error): void => {
      client.removeAllListeners('ready');
      client.end();
      reject(err);
    };
    client.once('ready', () => {
      client.removeAllListeners('error');
      client.on('error', () => undefined); // later errors surface as 'close' to the session
      resolve();
    });
    client.once('error', (err: Error & { level?: string }) => {
      if (hostKeyError) return fail(hostKeyError);
      const kind = err.level === 'client-authentication' ? 'auth' : 'network';
      const msg =
        kind === 'auth'
          ? `Authentication to ${config.name} as ${config.user} failed: the server refused the configured credential.`
          : `Could not connect to ${config.name} (${hostId}): ${scrub(err.message, secretValues)}`;
      fail(new SshConnectError(msg, kind));
    });
    client.connect({
      host: config.host,
      port: config.port,
      username: config.user,
      ...auth,
      readyTimeout: (options.handshakeTimeoutMs ?? 20_000) + trustMs,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 3,
      // Not an async function: ssh2 treats any returned value as the answer.
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void): void => {
        fingerprint = fingerprintOf(key);
        checkHostKey(fingerprint).then(verify, (err: unknown) => {
          hostKeyError = err instanceof SshConnectError ? err : new SshConnectError('Host key verification failed', 'not-trusted');
          verify(false);
        });
      },
    });
  });
  return { client, fingerprint, secretValues };
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4 && out.includes(s)) out = out.split(s).join('[REDACTED]');
  return out;
}
