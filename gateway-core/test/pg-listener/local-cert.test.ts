/** The local port's certificate: made once, kept 0600 in the app-data folder, renewed when due. */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_CERT_RENEW_DAYS, LOCAL_CERT_VALIDITY_DAYS, loadOrCreateLocalPortCertificate, localCertFiles } from '../../src/pg-listener/local-cert.js';

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'gatehouse-local-cert-')), 'local-port-tls');
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

const DAY = 86_400_000;

describe('local port certificate', () => {
  it('is a self-signed P-256 server certificate for 127.0.0.1 and localhost, not a CA, valid two years', () => {
    const now = new Date();
    const c = loadOrCreateLocalPortCertificate(dir, now);
    const x = new X509Certificate(readFileSync(c.certFile));
    expect(x.subject).toBe('CN=Gatehouse local port');
    expect(x.issuer).toBe(x.subject);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.ca).toBe(false);
    expect(x.publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.checkHost('example.com')).toBeUndefined();
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(x.fingerprint256).toBe(c.fingerprint256);
    const days = (new Date(x.validTo).getTime() - now.getTime()) / DAY;
    expect(Math.round(days)).toBe(LOCAL_CERT_VALIDITY_DAYS);
    expect(new Date(x.validFrom).getTime()).toBeLessThanOrEqual(now.getTime());
  });

  it('keeps the key 0600 in a 0700 folder, and the certificate readable for clients', () => {
    const c = loadOrCreateLocalPortCertificate(dir);
    expect(statSync(c.keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(c.certFile).mode & 0o077).not.toBe(0);
    expect(readFileSync(c.keyFile, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('is reused on the next launch (the fingerprint a client pinned stays)', () => {
    const first = loadOrCreateLocalPortCertificate(dir);
    const again = loadOrCreateLocalPortCertificate(dir, new Date(Date.now() + 300 * DAY));
    expect(again.fingerprint256).toBe(first.fingerprint256);
    expect(again.cert).toBe(first.cert);
  });

  it(`is replaced ${LOCAL_CERT_RENEW_DAYS} days before it expires`, () => {
    const first = loadOrCreateLocalPortCertificate(dir);
    const later = new Date(first.notAfter.getTime() - (LOCAL_CERT_RENEW_DAYS - 1) * DAY);
    const renewed = loadOrCreateLocalPortCertificate(dir, later);
    expect(renewed.fingerprint256).not.toBe(first.fingerprint256);
    expect(renewed.notAfter.getTime()).toBeGreaterThan(first.notAfter.getTime());
    expect(loadOrCreateLocalPortCertificate(dir, later).fingerprint256).toBe(renewed.fingerprint256);
  });

  it('is replaced when its files are damaged or do not belong together', () => {
    const first = loadOrCreateLocalPortCertificate(dir);
    writeFileSync(first.certFile, 'not a certificate');
    const second = loadOrCreateLocalPortCertificate(dir);
    expect(second.fingerprint256).not.toBe(first.fingerprint256);
    // Another folder's key beside this certificate: they do not match.
    const other = loadOrCreateLocalPortCertificate(join(dir, '..', 'other'));
    writeFileSync(second.keyFile, other.key, { mode: 0o600 });
    const third = loadOrCreateLocalPortCertificate(dir);
    expect(third.fingerprint256).not.toBe(second.fingerprint256);
    expect(new X509Certificate(third.cert).checkPrivateKey(createPrivateKey(third.key))).toBe(true);
  });

  it('refuses a key file other users can read, saying how to fix it', () => {
    const { keyFile } = localCertFiles(dir);
    loadOrCreateLocalPortCertificate(dir);
    chmodSync(keyFile, 0o644);
    expect(() => loadOrCreateLocalPortCertificate(dir)).toThrow(/TLS key .*local-port\.key can be read by other users \(mode 644\); run chmod 600 on it/);
  });
});
