/**
 * The local PG port with TLS required (issue 7): real psql 15 and node-postgres over TLS against a
 * real PostgreSQL 15, certificate pinning (verify-ca / verify-full with sslrootcert), refusal of
 * plaintext clients, and the SSLRequest → TLS upgrade's resistance to injected plaintext.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNotice } from '../../src/pg-listener/backend-messages.js';
import { GSSENC_REQUEST_CODE, SSL_REQUEST_CODE } from '../../src/pg-listener/frontend-messages.js';
import { clientStrings } from '../../src/pg-listener/client-strings.js';
import { loadOrCreateLocalPortCertificate, type LocalPortCertificate } from '../../src/pg-listener/local-cert.js';
import type { PgListener } from '../../src/pg-listener/listener.js';
import { startPostgres, type PostgresServer } from '../../../test-support/postgres/postgres-server.js';
import { codePacket, startupPacket } from './frontend-streams.js';
import { openListener, PSQL, runPsql } from './listener-fixture.js';

let server: PostgresServer;
let listener: PgListener;
let cert: LocalPortCertificate;
let otherCert: LocalPortCertificate;
let dir: string;
let raw: { emails: string[]; ssns: string[] };

beforeAll(async () => {
  server = await startPostgres({ seed: 'demo' });
  const su = new pg.Client({ connectionString: server.superuserUrl });
  await su.connect();
  const c = await su.query<{ email: string; ssn: string }>('SELECT email, ssn FROM public.customers ORDER BY id LIMIT 10');
  raw = { emails: c.rows.map((r) => r.email), ssns: c.rows.map((r) => r.ssn) };
  await su.end();
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-pg-tls-'));
  cert = loadOrCreateLocalPortCertificate(join(dir, 'tls'));
  otherCert = loadOrCreateLocalPortCertificate(join(dir, 'other'));
  listener = await openListener(server, { tls: cert });
}, 120_000);

afterAll(async () => {
  await listener?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function expectNone(text: string, needles: readonly string[]): void {
  for (const n of needles) expect(text.includes(n), `raw value ${n.slice(0, 4)}… leaked`).toBe(false);
}

/** Connects, writes `first`, and collects every byte until the listener closes (or `ms` pass). */
function exchange(first: Buffer, then?: (s: Socket, got: () => Buffer) => void, ms = 5_000): Promise<{ got: Buffer; closed: boolean }> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const s = connect({ host: listener.host, port: listener.port }, () => s.write(first));
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ got, closed: false });
    }, ms);
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      then?.(s, () => got);
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ got, closed: true });
    });
    s.on('error', reject);
  });
}

describe('local PG port with TLS required', () => {
  it('reports the certificate it serves', () => {
    expect(listener.tls).toEqual({ fingerprint256: cert.fingerprint256, certFile: cert.certFile });
    expect(cert.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('serves psql with sslmode=require over TLS, masked', async () => {
    const r = await runPsql(listener, '\\conninfo\nSELECT email, ssn FROM public.customers ORDER BY id LIMIT 10;\n', [], { PGSSLMODE: 'require' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/SSL connection \(protocol: TLSv1\.3/);
    expect(r.stdout).toMatch(/\(10 rows\)/);
    expect(r.stdout).toContain('\u2022');
    expectNone(r.stdout, [...raw.emails, ...raw.ssns]);
  });

  it('lets psql pin the certificate: verify-ca and verify-full with sslrootcert', async () => {
    for (const mode of ['verify-ca', 'verify-full']) {
      const r = await runPsql(listener, '\\conninfo\nSELECT 41 + 1 AS answer;\n', [], { PGSSLMODE: mode, PGSSLROOTCERT: cert.certFile });
      expect(r.stderr, mode).toBe('');
      expect(r.stdout).toMatch(/SSL connection/);
      expect(r.stdout).toMatch(/answer\s*\n-+\s*\n\s*42/);
    }
    // Pinned to another certificate, psql refuses to talk to this port.
    const wrong = await runPsql(listener, 'SELECT 1;\n', [], { PGSSLMODE: 'verify-ca', PGSSLROOTCERT: otherCert.certFile });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/certificate verify failed/);
  });

  it('refuses psql with sslmode=disable, saying TLS is required', async () => {
    const r = await runPsql(listener, 'SELECT 1;\n', [], { PGSSLMODE: 'disable' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/FATAL: {2}this Gatehouse port requires TLS: connect with sslmode=require/);
    expect(r.stdout).toBe('');
  });

  it('serves node-postgres over TLS with the pinned certificate, extended protocol and refusals included', async () => {
    const c = new pg.Client({ host: listener.host, port: listener.port, user: listener.user, password: listener.password, database: listener.database, ssl: { ca: cert.cert } });
    await c.connect();
    try {
      const stream = (c as unknown as { connection: { stream: unknown } }).connection.stream;
      expect(stream).toBeInstanceOf(TLSSocket);
      const tls = stream as TLSSocket;
      expect(tls.authorized).toBe(true);
      expect(tls.getProtocol()).toBe('TLSv1.3');
      expect(tls.getPeerX509Certificate()?.fingerprint256).toBe(cert.fingerprint256);
      const { rows } = await c.query<{ email: string }>('SELECT email FROM public.customers WHERE id = $1', [1]);
      expect(rows[0]!.email).toContain('\u2022');
      expectNone(rows[0]!.email, raw.emails);
      await expect(c.query('DROP TABLE public.customers')).rejects.toMatchObject({ code: '42501' });
      expect((await c.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 });
    } finally {
      await c.end();
    }
  });

  it('cancels a TLS session’s query on psql’s Ctrl-C (its CancelRequest is plaintext, as PostgreSQL allows)', async () => {
    const started = Date.now();
    const r = await new Promise<{ stderr: string }>((resolve, reject) => {
      const child = spawn(PSQL, ['-X', '-h', listener.host, '-p', String(listener.port), '-U', listener.user, '-d', listener.database, '-c', 'SELECT pg_sleep(30)'], {
        env: { PATH: process.env.PATH ?? '', PGPASSWORD: listener.password, PGSSLMODE: 'require', LC_ALL: 'C.UTF-8' },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', () => resolve({ stderr }));
      setTimeout(() => child.kill('SIGINT'), 1_000);
    });
    expect(r.stderr).toMatch(/canceling statement due to user request/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('answers GSSENCRequest N, then SSLRequest S, and speaks the protocol only inside TLS', async () => {
    const authRequest = await new Promise<Buffer>((resolve, reject) => {
      const s = connect({ host: listener.host, port: listener.port }, () => s.write(codePacket(GSSENC_REQUEST_CODE)));
      s.on('error', reject);
      let step = 0;
      s.on('data', (d: Buffer) => {
        if (step === 0) {
          expect(d.toString()).toBe('N');
          step = 1;
          s.write(codePacket(SSL_REQUEST_CODE));
          return;
        }
        expect(d.toString()).toBe('S');
        s.removeAllListeners('data');
        const t = tlsConnect({ socket: s, ca: cert.cert, servername: 'localhost', ALPNProtocols: ['postgresql'] }, () => {
          expect(t.alpnProtocol).toBe('postgresql');
          t.write(startupPacket({ user: listener.user, database: listener.database }));
        });
        t.once('data', (reply: Buffer) => {
          t.destroy();
          resolve(reply);
        });
        t.on('error', reject);
      });
    });
    expect(String.fromCharCode(authRequest[0]!)).toBe('R');
    expect(authRequest.subarray(9).toString()).toContain('SCRAM-SHA-256');
  });

  it('refuses plaintext sent behind an SSLRequest in the same packet, before answering S', async () => {
    const { got, closed } = await exchange(Buffer.concat([codePacket(SSL_REQUEST_CODE), startupPacket({ user: listener.user, database: listener.database })]));
    expect(closed).toBe(true);
    expect(String.fromCharCode(got[0]!)).toBe('E');
    const fields = decodeNotice(got.subarray(5));
    expect(fields.get('C')).toBe('08P01');
    expect(fields.get('M')).toBe('received unencrypted data after SSL request');
    expect(got.includes(Buffer.from('SCRAM-SHA-256'))).toBe(false);
  });

  it('refuses an SSLRequest followed by a partial plaintext packet', async () => {
    const { got, closed } = await exchange(Buffer.concat([codePacket(SSL_REQUEST_CODE), Buffer.from([0, 0, 0])]));
    expect(closed).toBe(true);
    expect(String.fromCharCode(got[0]!)).toBe('E');
    expect(decodeNotice(got.subarray(5)).get('M')).toBe('received unencrypted data after SSL request');
  });

  it('never reads plaintext sent after the S as protocol: the handshake fails and the connection closes', async () => {
    let sent = false;
    const { got, closed } = await exchange(codePacket(SSL_REQUEST_CODE), (s, all) => {
      if (sent || all()[0] !== 0x53) return;
      sent = true;
      s.write(startupPacket({ user: listener.user, database: listener.database }));
    });
    expect(closed).toBe(true);
    expect(got.subarray(0, 1).toString()).toBe('S');
    // No AuthenticationSASL (or anything of the protocol) came back: at most a TLS alert record.
    expect(got.includes(Buffer.from('SCRAM-SHA-256'))).toBe(false);
    if (got.length > 1) expect(got[1]).toBe(0x15);
  });

  it('gives a psql line and URL that work as printed, with the certificate in a folder with spaces and quotes', async () => {
    const awkward = loadOrCreateLocalPortCertificate(join(dir, "Application Support", "it's here"));
    const l = await openListener(server, { tls: awkward });
    try {
      const s = clientStrings(l);
      expect(s.sslmode).toBe('verify-ca');
      expect(s.psql).toContain(`PGSSLROOTCERT='${join(dir, 'Application Support', "it'\\''s here", 'local-port.crt')}'`);
      // The line as a user pastes it into a shell (psql by its full path here).
      const line = `${s.psql.replace(/ psql /, ` ${PSQL} `)} -X -At -c 'SELECT 6 * 7'`;
      const r = await new Promise<{ out: string; code: number | null }>((resolve, reject) => {
        const sh = spawn('/bin/sh', ['-c', line], { env: { PATH: process.env.PATH ?? '', LC_ALL: 'C.UTF-8' } });
        let out = '';
        sh.stdout.on('data', (d: Buffer) => (out += d.toString()));
        sh.stderr.on('data', (d: Buffer) => (out += d.toString()));
        sh.on('error', reject);
        sh.on('close', (code) => resolve({ out, code }));
      });
      expect(r).toEqual({ out: '42\n', code: 0 });
      // node-postgres reads sslrootcert from the URL (and verifies the certificate with it).
      const c = new pg.Client({ connectionString: s.url });
      await c.connect();
      try {
        expect((c as unknown as { connection: { stream: TLSSocket } }).connection.stream.getPeerX509Certificate()?.fingerprint256).toBe(awkward.fingerprint256);
      } finally {
        await c.end();
      }
    } finally {
      await l.close();
    }
  });

  it('still serves clients after the refusals', async () => {
    const r = await runPsql(listener, 'SELECT 41 + 1 AS answer;\n', [], { PGSSLMODE: 'require' });
    expect(r.stdout).toMatch(/answer\s*\n-+\s*\n\s*42/);
    for (let i = 0; i < 50 && listener.clients > 0; i++) await new Promise((res) => setTimeout(res, 50));
    expect(listener.clients).toBe(0);
  });
});
