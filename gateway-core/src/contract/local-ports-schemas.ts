/**
 * Local PostgreSQL ports (issue 7) on the bridge: open one for a connection, list them, close one.
 * The password here is the port's own one-time password, made for this user and connection and
 * dead when the port closes; the connection's real credential never crosses the bridge.
 */
import { z } from 'zod';

const Id = z.string().min(1).max(100);

export const LocalPortView = z.object({
  connectionId: Id,
  connectionName: z.string(),
  host: z.literal('127.0.0.1'),
  port: z.number().int().min(1).max(65_535),
  user: z.string(),
  password: z.string(),
  database: z.string(),
  /** The libpq sslmode a client uses: disable (plain TCP on loopback), verify-ca (TLS required, certificate pinned) or require. */
  sslmode: z.enum(['disable', 'verify-ca', 'require']),
  /** When TLS is required: the port's certificate (what clients pass as sslrootcert) and its SHA-256 fingerprint. */
  tls: z.object({ certFile: z.string(), fingerprint256: z.string() }).nullable(),
  /** `postgresql://user:password@127.0.0.1:port/database?sslmode=…` (with sslrootcert under TLS). */
  url: z.string(),
  /** A psql command line with the password in PGPASSWORD (and the certificate in PGSSLROOTCERT under TLS). */
  psql: z.string(),
  /** Client connections open now. */
  clients: z.number().int().nonnegative(),
  openedAt: z.string(),
});
export type LocalPortView = z.infer<typeof LocalPortView>;

export const localPortsMethods = {
  'localPorts.list': { input: z.object({}).strict(), output: z.object({ ports: z.array(LocalPortView) }) },
  /**
   * Opens the connection's port (or returns the one already open); `port` 0 or absent: a free one.
   * `tls`: clients must connect with TLS, to a certificate kept in the app-data folder.
   */
  'localPorts.open': { input: z.object({ connectionId: Id, port: z.number().int().min(0).max(65_535).optional(), tls: z.boolean().optional() }).strict(), output: LocalPortView },
  'localPorts.close': { input: z.object({ connectionId: Id }).strict(), output: z.object({ closed: z.boolean() }) },
} as const;

export const localPortsEvents = {
  /** A port opened or closed (not sent for client counts; the list has those). */
  'localPorts.changed': z.object({ ports: z.array(LocalPortView) }),
} as const;
