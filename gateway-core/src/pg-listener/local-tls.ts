/**
 * TLS on the local port, when the user asks for it: an SSLRequest is answered `S` and the client
 * socket is upgraded in place; a client that starts without TLS is refused (28000). Without it
 * (the default) every SSLRequest is answered `N`, as before. GSSENCRequest is always `N`.
 *
 * The upgrade takes only bytes that arrive after the `S`, and those go to the TLS handshake. Any
 * plaintext already received behind the SSLRequest (the same packet, or still buffered) ends the
 * connection before `S` is sent (PostgreSQL's fix for CVE-2021-23214: a man in the middle could
 * otherwise inject a startup packet or queries that would be run as if they came over TLS).
 * Plaintext sent after `S` is not a ClientHello, so the handshake fails and the socket closes.
 *
 * A plaintext CancelRequest is still honoured under TLS, as PostgreSQL does (libpq before 17 sends
 * cancels unencrypted); it carries only Gatehouse's random 64-bit key for the session.
 */
import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import { ProtocolError } from './frame-reader.js';
import type { FrontendMessage } from './frontend-messages.js';
import { RelayFatal } from './response-relay.js';

/** A certificate and key for the listener (PEM), and where the certificate is for clients. */
export interface ListenerTlsMaterial {
  cert: string;
  key: string;
  certFile?: string;
}

export interface ListenerTls {
  context: SecureContext;
  /** SHA-256 fingerprint of the certificate, colon-separated hex (as OpenSSL prints it). */
  fingerprint256: string;
  certFile?: string;
}

export const TLS_REQUIRED_MESSAGE = 'this Gatehouse port requires TLS: connect with sslmode=require, or sslmode=verify-ca with sslrootcert set to the port\'s certificate';

export function listenerTls(m: ListenerTlsMaterial): ListenerTls {
  const context = createSecureContext({ cert: m.cert, key: m.key, minVersion: 'TLSv1.2' });
  return { context, fingerprint256: new X509Certificate(m.cert).fingerprint256, ...(m.certFile ? { certFile: m.certFile } : {}) };
}

/** One connection's encryption state during startup. */
export class StartupEncryption {
  private upgraded = false;

  constructor(private readonly tls: ListenerTls | undefined) {}

  get encrypted(): boolean {
    return this.upgraded;
  }

  /**
   * Checks a batch of startup-phase messages before any is handled: under TLS an SSLRequest must
   * be the last thing received. `bufferedBytes` is what the parser holds of a next message.
   */
  check(messages: readonly FrontendMessage[], bufferedBytes: number): void {
    if (!this.tls || this.upgraded) return;
    const at = messages.findIndex((m) => m.type === 'SSLRequest');
    if (at >= 0 && (at !== messages.length - 1 || bufferedBytes > 0)) throw new ProtocolError('received unencrypted data after SSL request');
  }

  /**
   * Answers an SSLRequest: `N` (no TLS on this port), or `S` and the TLS socket that replaces the
   * raw one (the caller moves its listeners to it).
   */
  answerSslRequest(raw: Socket): TLSSocket | null {
    if (!this.tls) {
      raw.write('N');
      return null;
    }
    if (this.upgraded) throw new ProtocolError('SSLRequest on a connection that is already encrypted');
    // Read from the socket but not yet taken by the parser: plaintext behind the request.
    if (raw.readableLength > 0) throw new ProtocolError('received unencrypted data after SSL request');
    raw.write('S');
    this.upgraded = true;
    // ALPN "postgresql" as PostgreSQL 17 does: a client of another protocol (a browser's h2 or
    // http/1.1) is refused in the handshake; a client that offers no ALPN is served.
    return new TLSSocket(raw, { isServer: true, secureContext: this.tls.context, ALPNProtocols: ['postgresql'] });
  }

  /** A startup packet: refused when this port requires TLS and the connection has none. */
  startup(): void {
    if (this.tls && !this.upgraded) throw new RelayFatal(TLS_REQUIRED_MESSAGE, '28000');
  }
}
