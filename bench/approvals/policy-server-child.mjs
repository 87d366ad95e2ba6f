// The benchmark's policy server, in its own process so that load generators do not share its
// event loop. argv: the demo issuer's key file, then optionally a PostgreSQL URL (else PGlite in
// memory). Prints its URL on stdout; stops when stdin closes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const core = await import(pathToFileURL(`${root}gateway-core/dist/index.js`).href);
const server = await import(pathToFileURL(`${root}policy-server/dist/index.js`).href);
const issuer = await core.DemoIssuer.openOrCreate(process.argv[2]);
const databaseUrl = process.argv[3];
const policyServer = await server.startPolicyServer({
  database: databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'memory' },
  issuers: [{ issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks }],
  recordingsDir: mkdtempSync(join(tmpdir(), 'gatehouse-bench-recordings-')),
  host: '127.0.0.1',
});
process.stdout.write(`${policyServer.url}\n`);
process.stdin.resume();
process.stdin.on('end', () => void policyServer.close().then(() => process.exit(0)));
