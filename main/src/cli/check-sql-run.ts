/**
 * `gatehouse check-sql [--role R] [--json] [--policy FILE] "<statement>"`: the guard's decision
 * for a statement text under a role's policy, without connecting anywhere. Exit code 0 when the
 * role may run it, 1 when it is denied or needs approval, 2 on a usage or policy error.
 */
import { ConfigError, DEFAULT_SQL_ROLE, initSqlGuard, loadPolicyFile, planRun, type PolicyDocument } from '@gatehouse/gateway-core';

export interface CheckSqlOptions {
  role?: string;
  json?: boolean;
  policy?: string;
}

type Out = Pick<NodeJS.WriteStream, 'write'>;

export async function runCheckSqlCommand(text: string, opts: CheckSqlOptions, out: Out = process.stdout, err: Out = process.stderr): Promise<number> {
  let doc: PolicyDocument;
  try {
    doc = loadPolicyFile(opts.policy);
  } catch (e) {
    err.write(`gatehouse check-sql: ${e instanceof ConfigError ? `invalid policy: ${e.message}` : String(e)}\n`);
    return 2;
  }
  const roleName = opts.role ?? DEFAULT_SQL_ROLE;
  const role = doc.roles[roleName];
  if (!role) {
    err.write(`gatehouse check-sql: no role "${roleName}" in the policy (roles: ${Object.keys(doc.roles).join(', ')})\n`);
    return 2;
  }
  await initSqlGuard();
  const plan = planRun(text, role.sql);
  const refusal = plan.kind === 'refused' ? plan.refusal : plan.action === 'approve' ? plan.refusalIfNotApproved : undefined;
  const decision = refusal
    ? { action: refusal.action, class: refusal.class, rule: refusal.rule, reason: refusal.reason, location: refusal.location }
    : plan.kind === 'run'
      ? { action: 'allow' as const, class: plan.class, rule: plan.rule, reason: plan.reason, location: undefined }
      : undefined;
  if (!decision) return 2; // unreachable: a refused plan always carries its refusal
  const statements = plan.kind === 'run' ? plan.statements.map((s) => ({ class: s.class, type: s.statementType, location: s.location })) : undefined;
  if (opts.json) {
    out.write(`${JSON.stringify({ role: roleName, ...decision, ...(statements ? { statements } : {}) }, null, 2)}\n`);
  } else {
    out.write(`decision: ${decision.action}\nclass:    ${decision.class ?? '(unclassified)'}\nrule:     ${decision.rule}\nreason:   ${decision.reason}\n`);
    if (decision.location) {
      const { start, end } = decision.location;
      out.write(`location: ${start}-${end} "${text.slice(start, end).slice(0, 200)}"\n`);
    }
  }
  return decision.action === 'allow' ? 0 : 1;
}
