// The demo "production" PostgreSQL: persistent PGlite, served by pglite-socket, behind a small
// authenticating front door.
//
// Why the front door: pglite-socket performs no authentication at all. It hands the startup
// message to PGlite, which answers AuthenticationOk for any user, password and database, and the
// session is always postgres/postgres. A demo that accepts any password would hide bugs in the
// gateway's credential handling. So pglite-socket listens on a private Unix socket, and the TCP
// port on 127.0.0.1 is this front, which requires the demo user, database and password (cleartext
// password auth, acceptable on loopback) before splicing the connection through.
import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { readSeedVersion, seedDatabase, SEED_VERSION } from './seed.js';
import type { DemoLogger } from './types.js';

export interface DemoPostgresInfo {
  host: '127.0.0.1';
  port: number;
  database: string;
  user: string;
  password: string;
}

export interface DemoPostgres {
  info: DemoPostgresInfo;
  /** True when this start (re)built the data; false when an existing seeded directory was reused. */
  seeded: boolean;
  stop(): Promise<void>;
}

// PGlite has exactly one database and one role; the front insists on these names so a client
// configured with the wrong database fails here the way it would against a real server.
const DB_USER = 'postgres';
const DB_NAME = 'postgres';

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

export async function startDemoPostgres(opts: {
  pgDataDir: string;
  reset: boolean;
  onProgress: (msg: string) => void;
  logger?: DemoLogger;
  /** Fixes the password instead of a random one, so a leak test can search for it. */
  password?: string;
}): Promise<DemoPostgres> {
  const { pgDataDir, onProgress, logger } = opts;
  if (opts.reset && existsSync(pgDataDir)) {
    onProgress('Deleting the demo database');
    await rm(pgDataDir, { recursive: true, force: true });
  }
  onProgress(existsSync(pgDataDir) ? 'Opening the demo database' : 'Creating the demo database');
  let db: PGlite;
  try {
    db = await PGlite.create({ dataDir: pgDataDir });
  } catch (err) {
    // A half-written or foreign directory: the demo data is disposable, so rebuild rather than fail.
    logger?.warn({ err: String(err), pgDataDir }, 'demo database unreadable; rebuilding');
    await rm(pgDataDir, { recursive: true, force: true });
    db = await PGlite.create({ dataDir: pgDataDir });
  }

  let seeded = false;
  let sockDir: string | undefined;
  let socketServer: PGLiteSocketServer | undefined;
  let front: Server | undefined;
  try {
    const version = await readSeedVersion(db);
    if (version !== SEED_VERSION) {
      logger?.info({ found: version, want: SEED_VERSION }, 'seeding demo database');
      const stats = await seedDatabase(db, onProgress);
      logger?.info(stats, 'demo database seeded');
      seeded = true;
    }

    sockDir = await mkdtemp(join(tmpdir(), 'gatehouse-demo-pg-'));
    const sockPath = join(sockDir, '.s.PGSQL.5432');
    // maxConnections defaults to 1, which silently drops a second client (the SQL editor and a
    // psql through the guarded port at once). PGlite still runs one query at a time.
    socketServer = new PGLiteSocketServer({ db, path: sockPath, maxConnections: 32 });
    await socketServer.start();

    const password = opts.password ?? randomBytes(18).toString('base64url');
    const conns = new Set<Socket>();
    front = createServer((client) => handleClient(client, sockPath, password, conns, logger));
    const port = await listen(front);
    onProgress(`Demo PostgreSQL listening on 127.0.0.1:${port}`);

    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopped ??= (async () => {
        for (const s of conns) s.destroy();
        await new Promise<void>((resolve) => front?.close(() => resolve()));
        await socketServer?.stop();
        await db.close();
        if (sockDir) await rm(sockDir, { recursive: true, force: true });
      })();
      return stopped;
    };
    return { info: { host: '127.0.0.1', port, database: DB_NAME, user: DB_USER, password }, seeded, stop };
  } catch (err) {
    front?.close();
    await socketServer?.stop().catch(() => undefined);
    await db.close().catch(() => undefined);
    if (sockDir) await rm(sockDir, { recursive: true, force: true });
    throw err;
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      if (addr === null || typeof addr === 'string') reject(new Error('no TCP address'));
      else resolve(addr.port);
    });
  });
}

/** Runs the startup/auth exchange itself, then splices the client to pglite-socket. */
function handleClient(client: Socket, sockPath: string, password: string, conns: Set<Socket>, logger?: DemoLogger): void {
  conns.add(client);
  client.on('close', () => conns.delete(client));
  client.on('error', () => client.destroy());
  let buf = Buffer.alloc(0);
  let startup: Buffer | undefined;
  let user = '';

  const splice = (first: Buffer): void => {
    client.removeListener('data', onData);
    const upstream = createConnection(sockPath);
    conns.add(upstream);
    upstream.on('close', () => {
      conns.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    upstream.write(first);
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const onData = (chunk: Buffer): void => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (!startup) {
        if (buf.length < 8) return;
        const len = buf.readInt32BE(0);
        const code = buf.readInt32BE(4);
        if (len < 8 || len > 10_000) return void client.destroy();
        if (buf.length < len) return;
        const msg = buf.subarray(0, len);
        buf = buf.subarray(len);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          client.write('N'); // no TLS on loopback; the client then sends a plain startup
          continue;
        }
        if (code === CANCEL_REQUEST) return splice(Buffer.concat([msg, buf]));
        if (code !== PROTOCOL_3) return fatal(client, '08P01', 'unsupported frontend protocol');
        const params = parseStartup(msg);
        user = params.get('user') ?? '';
        const database = params.get('database') ?? user;
        if (user !== DB_USER) return fatal(client, '28000', `role "${user}" does not exist`);
        if (database !== DB_NAME) return fatal(client, '3D000', `database "${database}" does not exist`);
        startup = Buffer.from(msg);
        client.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
        continue;
      }
      if (buf.length < 5) return;
      const len = buf.readInt32BE(1);
      if (buf.length < len + 1) return;
      if (buf[0] !== 0x70) return fatal(client, '08P01', 'expected password message');
      const given = buf.subarray(5, len).toString('utf8').replace(/\0$/, '');
      buf = buf.subarray(len + 1);
      if (!sameSecret(given, password)) {
        logger?.info({ user }, 'demo postgres: password authentication failed');
        return fatal(client, '28P01', `password authentication failed for user "${user}"`);
      }
      // pglite-socket answers the forwarded startup with AuthenticationOk, ParameterStatus and
      // ReadyForQuery, which is exactly what the client expects after sending its password.
      return splice(Buffer.concat([startup, buf]));
    }
  };
  client.on('data', onData);
}

function parseStartup(msg: Buffer): Map<string, string> {
  const parts = msg.subarray(8).toString('utf8').split('\0');
  const params = new Map<string, string>();
  for (let i = 0; i + 1 < parts.length && parts[i] !== ''; i += 2) params.set(parts[i] ?? '', parts[i + 1] ?? '');
  return params;
}

function sameSecret(a: string, b: string): boolean {
  // Hash first so timingSafeEqual gets equal lengths and the comparison leaks nothing about length.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

function fatal(client: Socket, code: string, message: string): void {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`, 'utf8');
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(fields.length + 4, 1);
  client.end(Buffer.concat([head, fields]));
}
