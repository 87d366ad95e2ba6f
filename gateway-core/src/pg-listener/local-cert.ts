/**
 * The local port's TLS certificate: made once per app-data folder and kept there
 * (`<dataDir>/local-port-tls/local-port.crt` and `local-port.key`), shared by the app and
 * `gatehouse connect`.
 *
 * Why kept rather than made per launch: a client that verifies (psql `sslmode=verify-ca
 * sslrootcert=<the .crt>`, a DBeaver connection with the certificate pinned) keeps working across
 * restarts; a certificate that changed at every launch would teach users to turn verification off.
 * It is valid for two years and replaced 30 days before it expires, or when its files are damaged
 * or do not match; the fingerprint is shown wherever a port is, so a replaced one is seen.
 *
 * The key is written 0600 in a 0700 folder, and a key file others can read is refused (as the
 * secret key file is): anyone who can read it can impersonate the port to clients that pinned it.
 */
import { X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { GatehouseError } from '../bridge/gatehouse-error.js';
import { createSelfSignedCertificate } from './self-signed-cert.js';

export const LOCAL_CERT_VALIDITY_DAYS = 730;
export const LOCAL_CERT_RENEW_DAYS = 30;
const DAY = 86_400_000;

export interface LocalPortCertificate {
  /** PEM certificate and PKCS#8 private key. */
  cert: string;
  key: string;
  /** Where the certificate is: what clients pass as sslrootcert. */
  certFile: string;
  keyFile: string;
  /** SHA-256 of the certificate's DER, as `openssl x509 -fingerprint -sha256` prints it. */
  fingerprint256: string;
  notAfter: Date;
}

export function localCertFiles(dir: string): { certFile: string; keyFile: string } {
  return { certFile: join(dir, 'local-port.crt'), keyFile: join(dir, 'local-port.key') };
}

/** The folder's certificate if it is sound and not near its end; a new one otherwise. */
export function loadOrCreateLocalPortCertificate(dir: string, now: Date = new Date()): LocalPortCertificate {
  const { certFile, keyFile } = localCertFiles(dir);
  if (existsSync(certFile) && existsSync(keyFile)) {
    checkKeyMode(keyFile);
    const kept = readKept(certFile, keyFile, now);
    if (kept) return kept;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const made = createSelfSignedCertificate({
    commonName: 'Gatehouse local port',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    // An hour back: a client whose clock is a little behind still accepts it.
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + LOCAL_CERT_VALIDITY_DAYS * DAY),
  });
  // Key first: a reader that sees the new certificate finds its key (a mismatch is made anew).
  writeAtomically(keyFile, made.keyPem, 0o600);
  writeAtomically(certFile, made.certPem, 0o644);
  const x = new X509Certificate(made.certPem);
  return { cert: made.certPem, key: made.keyPem, certFile, keyFile, fingerprint256: x.fingerprint256, notAfter: new Date(x.validTo) };
}

function checkKeyMode(keyFile: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(keyFile).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new GatehouseError(
      'forbidden',
      `The local port's TLS key ${keyFile} can be read by other users (mode ${mode.toString(8)}); run chmod 600 on it, or delete it and Gatehouse makes a new certificate`,
    );
  }
}

function readKept(certFile: string, keyFile: string, now: Date): LocalPortCertificate | null {
  try {
    const cert = readFileSync(certFile, 'utf8');
    const key = readFileSync(keyFile, 'utf8');
    const x = new X509Certificate(cert);
    const notAfter = new Date(x.validTo);
    const sound = x.checkPrivateKey(createPrivateKey(key)) && x.checkIP('127.0.0.1') !== undefined && notAfter.getTime() - now.getTime() > LOCAL_CERT_RENEW_DAYS * DAY && new Date(x.validFrom) <= now;
    return sound ? { cert, key, certFile, keyFile, fingerprint256: x.fingerprint256, notAfter } : null;
  } catch {
    // Damaged or not ours: replaced below.
    return null;
  }
}

function writeAtomically(file: string, text: string, mode: number): void {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  // 'wx' with the mode: the file is never, even briefly, readable more widely than `mode`.
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(tmp, mode);
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone.
    }
    throw err;
  }
}
