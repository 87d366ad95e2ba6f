// `gatehouse check-command [--role R] [--json] "<line>"`: the shell guard's decision for a line,
// without connecting anywhere. Exit codes: 0 allow, 1 deny, 3 approve, 2 usage or config error.
import { ConfigError, judgeText, loadPolicyFile } from '@gatehouse/gateway-core';

type Out = Pick<NodeJS.WriteStream, 'write'>;

export async function runCheckCommandCommand(line: string, opts: { role?: string; json?: boolean; policy?: string }, out: Out = process.stdout, err: Out = process.stderr): Promise<number> {
  let doc;
  try {
    doc = loadPolicyFile(opts.policy);
  } catch (e) {
    if (e instanceof ConfigError) {
      err.write(`gatehouse check-command: invalid policy: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const roleName = opts.role ?? 'support';
  const role = doc.roles[roleName];
  if (!role) {
    err.write(`gatehouse check-command: no role "${roleName}" (roles: ${Object.keys(doc.roles).join(', ')})\n`);
    return 2;
  }
  // Judged as the terminal judges a pasted text: every line bash would run.
  const d = judgeText(line, [], role.shell);
  if (opts.json) {
    out.write(`${JSON.stringify({ role: roleName, action: d.action, rule: d.rule ?? null, reason: d.reason, command: d.command ?? null, basis: d.basis, ...(d.opaque ? { opaque: d.opaque } : {}) }, null, 2)}\n`);
  } else {
    out.write(`${d.action.toUpperCase()}${d.rule ? `  rule: ${d.rule}` : ''}\n  reason: ${d.reason}\n${d.command ? `  command: ${d.command}\n` : ''}  role: ${roleName}\n`);
  }
  return d.action === 'allow' ? 0 : d.action === 'deny' ? 1 : 3;
}
