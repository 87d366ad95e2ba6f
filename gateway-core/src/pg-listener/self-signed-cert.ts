/**
 * A self-signed X.509 certificate (ECDSA P-256, SHA-256) for the local port's TLS, built with
 * node:crypto and a small DER encoder.
 *
 * Why not a library: node:crypto makes the key, exports its SubjectPublicKeyInfo and signs; only
 * the certificate's DER envelope is missing, and that is a fixed shape of a dozen fields. The
 * well-known generators (`@peculiar/x509`, `selfsigned` on top of it) need the `reflect-metadata`
 * global polyfill, which would patch `Reflect` in the Electron main process for one file made
 * once. What is built here is checked by OpenSSL itself: node's X509Certificate parses and
 * verifies it in the tests, and psql connects with `sslmode=verify-full` against it.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';

export interface SelfSignedOptions {
  commonName: string;
  dnsNames: readonly string[];
  /** IPv4 addresses only (the listener binds 127.0.0.1). */
  ipAddresses: readonly string[];
  notBefore: Date;
  notAfter: Date;
}

export interface SelfSigned {
  certPem: string;
  keyPem: string;
  privateKey: KeyObject;
}

// --- DER -----------------------------------------------------------------------------------------

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

const seq = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]): Buffer => tlv(0x31, Buffer.concat(parts));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bits = (b: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
const explicit = (n: number, content: Buffer): Buffer => tlv(0xa0 + n, content);
const TRUE = Buffer.from([0x01, 0x01, 0xff]);

/** A non-negative INTEGER from big-endian bytes (a 0x00 is prepended when the top bit is set). */
function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && b[i + 1]! < 0x80) i++;
  const v = b.subarray(i);
  return tlv(0x02, v[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const base128: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) base128.unshift(0x80 | (v & 0x7f));
    out.push(...base128);
  }
  return tlv(0x06, Buffer.from(out));
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, 'ascii')) : tlv(0x18, Buffer.from(`${iso}Z`, 'ascii'));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), TRUE, octets(value)) : seq(oid(id), octets(value));
}

// --- the certificate -------------------------------------------------------------------------------

const ECDSA_WITH_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

export function createSelfSignedCertificate(o: SelfSignedOptions): SelfSigned {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const name = seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(o.commonName, 'utf8')))));
  // The subject key identifier: SHA-1 of the public key's bits (RFC 5280 4.2.1.2, method 1).
  const keyBits = spki.subarray(spki.length - 65);
  const sans = [
    ...o.dnsNames.map((n) => tlv(0x82, Buffer.from(n, 'ascii'))),
    ...o.ipAddresses.map((ip) => {
      if (!isIPv4(ip)) throw new RangeError(`not an IPv4 address: ${ip}`);
      return tlv(0x87, Buffer.from(ip.split('.').map(Number)));
    }),
  ];
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    ECDSA_WITH_SHA256,
    name,
    seq(time(o.notBefore), time(o.notAfter)),
    name,
    spki,
    explicit(
      3,
      seq(
        // An end-entity certificate that clients pin as their only trust anchor (sslrootcert):
        // not a CA, so it cannot vouch for any other certificate.
        extension('2.5.29.19', true, seq()),
        extension('2.5.29.15', true, bits(Buffer.from([0x80]), 7)), // digitalSignature
        extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // serverAuth
        extension('2.5.29.17', false, seq(...sans)),
        extension('2.5.29.14', false, octets(createHash('sha1').update(keyBits).digest())),
      ),
    ),
  );
  const signature = sign('sha256', tbs, privateKey); // DER ECDSA-Sig-Value, as X.509 wants
  const der = seq(tbs, ECDSA_WITH_SHA256, bits(signature));
  const certPem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
  return { certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), privateKey };
}
