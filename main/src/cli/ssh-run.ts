// `gatehouse ssh <connection> -c "<command>"`: one guarded, masked command on an SSH connection.
// Exit codes: the remote status; 126 when the guard refused the command; 77 when the role may not
// use the connection; 2 for usage or config errors; 255 when the connection failed (as ssh does).
// `demo-ssh` starts only the demo's SSH target for the one command (not its database).
import { join } from 'node:path';
import {
  ConfigError,
  createLogger,
  DEMO_CONNECTION_IDS,
  DEMO_IDENTITIES,
  openSecretStore,
  JsonFileKnownHosts,
  SecretResolver,
  SecretScrubber,
  defaultAppDataDir,
  effectivePolicy,
  execGuarded,
  loadPolicyFile,
  mayUseConnection,
  startDemoSshTarget,
  type ConnectionConfig,
  type DemoSshTarget,
  type PolicyDocument,
} from '@gatehouse/gateway-core';
import { connectionSource, UnknownConnectionError } from './cli-connections.js';

export interface SshCommandOptions {
  command?: string;
  config?: string;
  as?: string;
  policy?: string;
  /** App-data folder: the known-hosts store, and the demo's log (default: the user app-data folder). */
  dataDir?: string;
}

type Out = Pick<NodeJS.WriteStream, 'write'>;

export async function runSshCommand(connectionId: string, opts: SshCommandOptions, out: Out = process.stdout, err: Out = process.stderr): Promise<number> {
  const fail = (msg: string, code: number): number => {
    err.write(`gatehouse ssh: ${msg}\n`);
    return code;
  };
  if (!opts.command) return fail('give the command with -c "<command>"; interactive shells are in the app\'s terminal', 2);
  let source;
  let policyDoc: PolicyDocument;
  try {
    source = connectionSource(connectionId, DEMO_CONNECTION_IDS.ssh, opts.config);
    policyDoc = loadPolicyFile(opts.policy);
  } catch (e) {
    if (e instanceof ConfigError) return fail(`invalid config: ${e.message}`, 2);
    if (e instanceof UnknownConnectionError) return fail(e.message, 2);
    throw e;
  }
  let config: ConnectionConfig | undefined;
  if (source.kind === 'config') {
    config = source.connections.find((c) => c.id === connectionId);
    if (config?.type !== 'ssh') return fail(`no SSH connection "${connectionId}" in ${source.path}`, 2);
  }
  const identity = DEMO_IDENTITIES.find((i) => i.id === (opts.as ?? 'engineer'));
  if (!identity) return fail(`--as must be one of ${DEMO_IDENTITIES.map((i) => i.id).join(', ')}`, 2);
  let role;
  try {
    role = effectivePolicy(policyDoc, identity);
  } catch (e) {
    return fail((e as Error).message, 77);
  }
  if (!mayUseConnection(role.policy, connectionId)) return fail(`role ${role.role} may not use ${connectionId}`, 77);

  const dataDir = opts.dataDir ?? defaultAppDataDir();
  const scrubber = new SecretScrubber();
  let demo: DemoSshTarget | undefined;
  try {
    if (source.kind === 'demo') {
      const logger = createLogger({ file: join(dataDir, 'logs', 'gatehouse.log'), scrubber });
      demo = await startDemoSshTarget({ logger });
      config = demo.config;
    }
    if (config?.type !== 'ssh') return fail(`no SSH connection "${connectionId}"`, 2); // unreachable: narrowed above
    const result = await execGuarded({
      config,
      command: opts.command,
      role: role.policy,
      secrets: new SecretResolver(demo?.secrets ?? openSecretStore(dataDir), scrubber),
      knownHosts: new JsonFileKnownHosts(join(dataDir, 'known_hosts.json')),
      stdout: (s) => void (s && out.write(s)),
      stderr: (s) => void (s && err.write(s)),
    });
    if (!result.ran) {
      const d = result.decision;
      const what = d.action === 'approve' ? 'needs approval (not available yet)' : 'blocked';
      err.write(`✋ gatehouse: ${what}: ${d.reason}${d.rule ? ` [${d.rule}]` : ''}\n`);
      return 126;
    }
    return result.exitCode ?? 255;
  } catch (e) {
    // Connect errors carry user-safe text; anything else is scrubbed of resolved secrets.
    return fail(scrubber.scrub(e instanceof Error ? e.message : String(e)), 255);
  } finally {
    await demo?.stop();
  }
}
