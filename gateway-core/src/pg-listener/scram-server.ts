/**
 * SCRAM-SHA-256 (RFC 5802 / RFC 7677) server side, as PostgreSQL speaks it, for the listener's
 * one-time passwords. No channel binding is offered (the local port is plain TCP on loopback), so
 * a client asking for it ('p=') is refused, and 'y' (client supports it, server did not offer) is
 * accepted as RFC 5802 says.
 *
 * The password never crosses the socket: the client proves it knows it, and the server's final
 * signature proves to the client that this listener knows it too (so a process that grabbed the
 * port after Gatehouse closed it cannot collect the password).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';
export const SCRAM_ITERATIONS = 4096;

export interface ScramVerifier {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The verifier for a password (the password itself need not be kept afterwards). */
export function scramVerifier(password: string, iterations = SCRAM_ITERATIONS, salt: Buffer = randomBytes(16)): ScramVerifier {
  // One-time passwords are base64url ASCII, for which SASLprep is the identity.
  const salted = pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  return { salt, iterations, storedKey: createHash('sha256').update(clientKey).digest(), serverKey: hmac(salted, 'Server Key') };
}

export class ScramError extends Error {}

/**
 * One exchange. `start` takes the SASLInitialResponse's mechanism and data and returns the
 * server-first message; `finish` takes the client-final message, checks the proof against the
 * verifier, and returns the server-final message. Any deviation throws ScramError.
 */
export class ScramServerExchange {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';
  private done = false;

  constructor(private readonly verifier: ScramVerifier) {}

  start(mechanism: string, clientFirst: string): string {
    if (this.serverFirst !== '') throw new ScramError('SCRAM exchange already started');
    if (mechanism !== SCRAM_MECHANISM) throw new ScramError(`unsupported SASL mechanism "${mechanism.slice(0, 40)}"`);
    const m = /^([ny]),(a=[^,]*)?,(.*)$/.exec(clientFirst);
    if (!m) throw new ScramError('malformed SCRAM client-first message (channel binding is not offered)');
    if (m[2]) throw new ScramError('SCRAM authorization identities are not supported');
    this.gs2Header = `${m[1]},,`;
    this.clientFirstBare = m[3]!;
    const attrs = parseAttributes(this.clientFirstBare);
    // PostgreSQL ignores the SCRAM user name (the startup packet's user is authoritative).
    if (!attrs.has('n')) throw new ScramError('SCRAM client-first message without a user name');
    const clientNonce = attrs.get('r') ?? '';
    if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) throw new ScramError('invalid SCRAM client nonce');
    if (attrs.has('m')) throw new ScramError('SCRAM extensions are not supported');
    this.nonce = clientNonce + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${this.verifier.iterations}`;
    return this.serverFirst;
  }

  finish(clientFinal: string): string {
    if (this.serverFirst === '' || this.done) throw new ScramError('SCRAM exchange out of order');
    this.done = true;
    const m = /^(c=[^,]*,r=[^,]*)((?:,[a-oq-z]=[^,]*)*),p=([A-Za-z0-9+/=]+)$/.exec(clientFinal);
    if (!m) throw new ScramError('malformed SCRAM client-final message');
    const withoutProof = m[1]! + m[2]!;
    const attrs = parseAttributes(m[1]!);
    if (attrs.get('c') !== Buffer.from(this.gs2Header, 'utf8').toString('base64')) throw new ScramError('SCRAM channel binding mismatch');
    if (attrs.get('r') !== this.nonce) throw new ScramError('SCRAM nonce mismatch');
    const proof = Buffer.from(m[3]!, 'base64');
    if (proof.length !== 32) throw new ScramError('invalid SCRAM proof');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.verifier.storedKey, authMessage);
    const clientKey = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const storedKey = createHash('sha256').update(clientKey).digest();
    if (!timingSafeEqual(storedKey, this.verifier.storedKey)) throw new ScramError('password authentication failed');
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }
}

function parseAttributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const m = /^([A-Za-z])=(.*)$/s.exec(part);
    if (!m) throw new ScramError('malformed SCRAM attribute');
    if (out.has(m[1]!)) throw new ScramError('duplicate SCRAM attribute');
    out.set(m[1]!, m[2]!);
  }
  return out;
}

/** Splits a SASLInitialResponse payload: mechanism (cstring), int32 length (-1 = none), data. */
export function decodeSaslInitial(data: Buffer): { mechanism: string; response: string } {
  const end = data.indexOf(0);
  if (end < 0 || data.length < end + 5) throw new ScramError('malformed SASLInitialResponse');
  const mechanism = data.subarray(0, end).toString('utf8');
  const len = data.readInt32BE(end + 1);
  const rest = data.subarray(end + 5);
  if (len === -1 ? rest.length !== 0 : len !== rest.length) throw new ScramError('malformed SASLInitialResponse length');
  return { mechanism, response: rest.toString('utf8') };
}
