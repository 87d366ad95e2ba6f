// `gatehouse check-sql` and `gatehouse check-command`: the guards' decisions without connecting.
import { describe, expect, it } from 'vitest';
import { gatehouse } from './run-cli.js';

describe('gatehouse check-sql', () => {
  it('refuses DROP TABLE as dangerous, naming the rule and where it is, with exit 1', async () => {
    const r = await gatehouse(['check-sql', 'DROP TABLE customers']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^decision: deny$/m);
    expect(r.stdout).toMatch(/^class: +dangerous$/m);
    expect(r.stdout).toMatch(/^rule: +destructive-ddl$/m);
    expect(r.stdout).toMatch(/^location: 0-20 "DROP TABLE customers"$/m);
  });

  it('prints the decision as JSON', async () => {
    const r = await gatehouse(['check-sql', '--json', 'DROP TABLE customers']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      role: 'support',
      action: 'deny',
      class: 'dangerous',
      rule: 'destructive-ddl',
      reason: expect.stringContaining('DROP TABLE destroys objects and their data'),
      location: { start: 0, end: 20 },
    });
  });

  it('allows SELECT 1 with exit 0, and lists the statements in JSON', async () => {
    const text = await gatehouse(['check-sql', 'SELECT 1']);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^decision: allow$/m);
    expect(text.stdout).toMatch(/^class: +read$/m);
    const json = await gatehouse(['check-sql', '--json', 'SELECT 1']);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ action: 'allow', class: 'read', statements: [{ class: 'read', type: 'SelectStmt' }] });
  });

  it('applies the role: dangerous SQL is denied for support, needs approval for admin', async () => {
    const support = JSON.parse((await gatehouse(['check-sql', '--json', 'DROP TABLE customers'])).stdout) as { action: string };
    const admin = await gatehouse(['check-sql', '--json', '--role', 'admin', 'DROP TABLE customers']);
    expect(support.action).toBe('deny');
    expect(admin.status).toBe(1); // approvals do not exist yet, so approve is not "allowed" either
    expect(JSON.parse(admin.stdout)).toMatchObject({ role: 'admin', action: 'approve', class: 'dangerous', rule: 'destructive-ddl' });
    // Reads are allowed for both.
    expect((await gatehouse(['check-sql', '--role', 'admin', 'SELECT 1'])).status).toBe(0);
  });

  it("refuses text the parser rejects, with the parser's message", async () => {
    const r = await gatehouse(['check-sql', 'SELEC 1 FROM']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^rule: +parse-error$/m);
    expect(r.stdout).toContain('syntax error at or near "SELEC"');
    const json = JSON.parse((await gatehouse(['check-sql', '--json', 'SELEC 1 FROM'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ action: 'deny', class: null, rule: 'parse-error', location: { start: 0, end: 5 } });
  });

  it('names the roles when given an unknown one (exit 2)', async () => {
    const r = await gatehouse(['check-sql', '--role', 'nobody', 'SELECT 1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no role "nobody" in the policy \(roles: .*support/);
  });
});

describe('gatehouse check-command', () => {
  it('denies rm -rf / with the rule (exit 1)', async () => {
    const r = await gatehouse(['check-command', 'rm -rf /']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^DENY +rule: rm-recursive-system-path$/m);
    expect(r.stdout).toContain('command: rm -rf /');
  });

  it('allows a line that only mentions rm -rf inside quotes (exit 0)', async () => {
    const r = await gatehouse(['check-command', "grep 'rm -rf' notes.txt"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ALLOW$/m);
  });

  it('prints the decision as JSON', async () => {
    const deny = await gatehouse(['check-command', '--json', 'rm -rf /']);
    expect(JSON.parse(deny.stdout)).toEqual({
      role: 'support',
      action: 'deny',
      rule: 'rm-recursive-system-path',
      reason: expect.stringContaining('recursive delete'),
      command: 'rm -rf /',
      basis: 'rule',
    });
    const allow = await gatehouse(['check-command', '--json', "grep 'rm -rf' notes.txt"]);
    expect(allow.status).toBe(0);
    expect(JSON.parse(allow.stdout)).toMatchObject({ action: 'allow', rule: null, basis: 'default' });
  });

  it('judges every line of a multi-line text, and exits 3 for approve', async () => {
    const r = await gatehouse(['check-command', '--json', 'echo ok\napt-get install curl']);
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ action: 'approve', rule: 'no-package-changes' });
    expect((await gatehouse(['check-command', '--role', 'admin', 'apt-get install curl'])).status).toBe(0);
  });
});
