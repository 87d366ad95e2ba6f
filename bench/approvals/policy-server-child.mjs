// The benchmark's policy server, in its own process so that load generators do not share its
// event loop. Prints its URL on stdout; stops when stdin closes.
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const core = await import(pathToFileURL(`${root}gateway-core/dist/index.js`).href);
const server = await import(pathToFileURL(`${root}policy-server/dist/index.js`).href);
const issuer = await core.DemoIssuer.openOrCreate(process.argv[2]);
const policyServer = await server.startDemoPolicyServer({ issuer: { issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks } });
process.stdout.write(`${policyServer.url}\n`);
process.stdin.resume();
process.stdin.on('end', () => void policyServer.close().then(() => process.exit(0)));
