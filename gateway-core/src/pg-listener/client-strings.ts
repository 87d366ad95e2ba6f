/**
 * How a native client reaches a local port: the URL, a libpq conninfo and a psql command line,
 * shown by the app and printed by `gatehouse connect` (one place, so they never disagree).
 *
 * Under TLS the strings say `sslmode=verify-ca` with the port's certificate as sslrootcert: the
 * file is on this machine, so pinning costs the user nothing, and verify-ca (not verify-full)
 * works with clients whose libpq predates IP-address checks. `sslmode=require` works too.
 */
import type { PgListener } from './listener.js';

export interface ClientStrings {
  sslmode: 'disable' | 'verify-ca' | 'require';
  /** postgresql://user:password@host:port/database?sslmode=… */
  url: string;
  /** host=… port=… user=… dbname=… sslmode=… (no password; the certificate in PGSSLROOTCERT). */
  conninfo: string;
  /** PGPASSWORD=… [PGSSLROOTCERT=…] psql '<conninfo>' */
  psql: string;
}

export function clientStrings(l: Pick<PgListener, 'host' | 'port' | 'user' | 'password' | 'database' | 'tls'>): ClientStrings {
  const certFile = l.tls?.certFile;
  // Without a file to pin (a listener given only PEM text), TLS is still required: sslmode=require.
  const sslmode = !l.tls ? 'disable' : certFile ? 'verify-ca' : 'require';
  const enc = encodeURIComponent;
  const url = `postgresql://${enc(l.user)}:${enc(l.password)}@${l.host}:${l.port}/${enc(l.database)}?sslmode=${sslmode}${certFile ? `&sslrootcert=${enc(certFile)}` : ''}`;
  const conninfo = `host=${l.host} port=${l.port} user=${conninfoValue(l.user)} dbname=${conninfoValue(l.database)} sslmode=${sslmode}`;
  const psql = `PGPASSWORD=${shellWord(l.password)}${certFile ? ` PGSSLROOTCERT=${shellWord(certFile)}` : ''} psql ${shellWord(conninfo)}`;
  return { sslmode, url, conninfo, psql };
}

/** A conninfo value: bare when plain, else single-quoted with \ and ' escaped (libpq's rules). */
function conninfoValue(v: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(v) ? v : `'${v.replace(/[\\']/g, '\\$&')}'`;
}

/** A POSIX shell word: bare when plain, else single-quoted. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
