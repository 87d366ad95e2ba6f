/**
 * Who `gatehouse connect` acts as, and under which policy:
 * - the connections file names a policy server and $GATEHOUSE_TOKEN holds the user's access token
 *   for it: that person, as the server knows them (/v1/me: subject and roles), under the server's
 *   current policy; recordings are uploaded there, owned by them;
 * - otherwise a demo identity (`--as`) under the local policy file (`--policy` or the bundled one).
 */
import { ApiCallError, BearerIdentityProvider, DemoIdentityProvider, loadPolicyFile, parsePolicyYaml, PolicyServerClient, PolicyStore, type ConnectionsFile, type IdentityProvider } from '@gatehouse/gateway-core';

export interface ConnectIdentity {
  identity: IdentityProvider;
  policy: PolicyStore;
  /** Set when acting as the token's person: the policy server their recordings go to. */
  policyServerUrl: string | null;
  /** One line for the user: who, and which policy. */
  describe: string;
}

export async function connectIdentity(o: { file: Pick<ConnectionsFile, 'policyServer'>; as: string; policyFile?: string; token?: string }): Promise<ConnectIdentity> {
  const url = o.file.policyServer?.url;
  if (!url || !o.token) {
    const identity = new DemoIdentityProvider(o.as);
    return { identity, policy: new PolicyStore(loadPolicyFile(o.policyFile)), policyServerUrl: null, describe: `acting as: ${identity.current().id} (demo identity), policy: ${o.policyFile ?? 'the bundled default'}` };
  }
  const token = o.token;
  const identity = await BearerIdentityProvider.connect({ policyServerUrl: url, token, tokenName: 'the token in $GATEHOUSE_TOKEN' });
  const client = new PolicyServerClient({ baseUrl: url, accessToken: async () => token });
  let policy: PolicyStore;
  let which: string;
  try {
    const current = await client.currentPolicy();
    policy = new PolicyStore(parsePolicyYaml(current.yaml, `policy v${current.version}`));
    which = `v${current.version} from ${url}`;
  } catch (err) {
    // A server that has no policy published yet: the local file governs, as in the app.
    if (!(err instanceof ApiCallError && err.status === 404)) throw err;
    policy = new PolicyStore(loadPolicyFile(o.policyFile));
    which = `${o.policyFile ?? 'the bundled default'} (${url} has none published)`;
  }
  const me = identity.current();
  return { identity, policy, policyServerUrl: url, describe: `acting as: ${me.id} (${me.displayName}; roles ${me.roles.join(', ') || 'none'}), policy: ${which}` };
}
