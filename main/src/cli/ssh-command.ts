// `gatehouse ssh <connection> -c "<command>"`: one guarded, masked command on an SSH connection.
// Exit codes: the remote status; 126 when the guard refused the command; 77 when the role may not
// use the connection; 2 for usage or config errors; 255 when the connection failed (as ssh does).
import { join } from 'node:path';
import {
  ConfigError,
  DEMO_IDENTITIES,
  InMemorySecretStore,
  JsonFileKnownHosts,
  SecretResolver,
  SecretScrubber,
  defaultAppDataDir,
  effectivePolicy,
  execGuarded,
  loadConnectionsFile,
  loadPolicyFile,
  mayUseConnection,
} from '@gatehouse/gateway-core';

export interface SshCommandOptions {
  command?: string;
  config?: string;
  as?: string;
  policy?: string;
}

type Out = Pick<NodeJS.WriteStream, 'write'>;

export async function runSshCommand(connectionId: string, opts: SshCommandOptions, out: Out = process.stdout, err: Out = process.stderr): Promise<number> {
  if (!opts.command) {
    err.write('gatehouse ssh: give the command with -c "<command>"; interactive shells are in the app\'s terminal\n');
    return 2;
  }
  const configPath = opts.config ?? (process.env.GATEHOUSE_CONFIG || undefined);
  if (!configPath) {
    err.write('gatehouse ssh: no connections file; pass --config FILE or set GATEHOUSE_CONFIG\n');
    return 2;
  }
  let connections;
  let policyDoc;
  try {
    connections = loadConnectionsFile(configPath).connections;
    policyDoc = loadPolicyFile(opts.policy);
  } catch (e) {
    if (e instanceof ConfigError) {
      err.write(`gatehouse ssh: invalid config: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const config = connections.find((c) => c.id === connectionId);
  if (!config || config.type !== 'ssh') {
    err.write(`gatehouse ssh: no SSH connection "${connectionId}" in ${configPath}\n`);
    return 2;
  }
  const identity = DEMO_IDENTITIES.find((i) => i.id === (opts.as ?? 'engineer'));
  if (!identity) {
    err.write(`gatehouse ssh: --as must be one of ${DEMO_IDENTITIES.map((i) => i.id).join(', ')}\n`);
    return 2;
  }
  let role;
  try {
    role = effectivePolicy(policyDoc, identity);
  } catch (e) {
    err.write(`gatehouse ssh: ${(e as Error).message}\n`);
    return 77;
  }
  if (!mayUseConnection(role.policy, connectionId)) {
    err.write(`gatehouse ssh: role ${role.role} may not use ${connectionId}\n`);
    return 77;
  }
  const scrubber = new SecretScrubber();
  try {
    const result = await execGuarded({
      config,
      command: opts.command,
      role: role.policy,
      secrets: new SecretResolver(new InMemorySecretStore(), scrubber),
      knownHosts: new JsonFileKnownHosts(join(defaultAppDataDir(), 'known_hosts.json')),
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
    err.write(`gatehouse ssh: ${scrubber.scrub(e instanceof Error ? e.message : String(e))}\n`);
    return 255;
  }
}
