/**
 * `gatehouse server`: the policy server standalone. PGlite in a data directory by default,
 * PostgreSQL with --database-url (or $GATEHOUSE_DATABASE_URL, which keeps the password out of
 * the process list). Prints the URL; Ctrl-C closes it cleanly.
 *
 * Only the command's shape is here; server-run.ts (and with it the policy server) is loaded when
 * it runs (see gatehouse.ts).
 */
import { Option, type Command } from 'commander';
import { parsePortOption } from './cli-options.js';

export interface ServerCommandOptions {
  port: number;
  host: string;
  data?: string;
  databaseUrl?: string;
  recordings?: string;
  issuer?: string;
  audience?: string;
  jwksUri?: string;
  groupsClaim?: string;
  grantIssuer?: string;
  policy?: string;
  logLevel?: string;
}

export interface ServerCommandHooks {
  /** Resolves to stop the server (default: SIGINT / SIGTERM / SIGHUP). */
  stop?: Promise<void>;
  onListening?: (url: string) => void;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

export function registerServerCommand(program: Command): Command {
  return program
    .command('server')
    .description('Run the policy server: policies, approvals and grants, audit, and live events for the apps')
    .option('--port <port>', 'port to listen on', parsePortOption, 8787)
    .option('--host <host>', 'address to bind (127.0.0.1 keeps it on this machine)', '127.0.0.1')
    .option('--data <dir>', 'embedded database (PGlite) directory (default: <app data>/policy-server)')
    .addOption(new Option('--database-url <url>', 'PostgreSQL instead of the embedded database').env('GATEHOUSE_DATABASE_URL'))
    .option('--recordings <dir>', 'where uploaded session recordings are stored (default: <data>/recordings)')
    .option('--issuer <url>', 'OIDC issuer whose bearer tokens are accepted')
    .option('--audience <aud>', 'the audience those tokens must carry')
    .option('--jwks-uri <url>', "the issuer's JWKS (default: from its /.well-known/openid-configuration)")
    .option('--groups-claim <claim>', 'token claim holding the groups', 'groups')
    .option('--grant-issuer <name>', '"iss" of the grants this server signs', 'urn:gatehouse:policy-server')
    .option('--policy <file>', 'policy YAML to seed version 1 with when the database has none (default: the bundled policy)')
    .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug']).default('info'))
    .action(async (opts: ServerCommandOptions) => {
      process.exitCode = await runServerCommand(opts);
    });
}

/** Loads the implementation only now; tests drive the command through here. */
export async function runServerCommand(opts: ServerCommandOptions, hooks: ServerCommandHooks = {}): Promise<number> {
  const impl = await import('./server-run.js');
  return impl.runServerCommand(opts, hooks);
}

