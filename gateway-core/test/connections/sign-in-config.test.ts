import { describe, expect, it } from 'vitest';
import { ConfigError, parseConnectionsYaml } from '../../src/connections/load-connections-file.js';

const CONNECTIONS = `connections:
  - id: prod-db
    name: Production DB
    type: postgres
    host: db.internal
    database: app
    user: support_ro
    secret: env:PROD_DB_PASSWORD
`;

const WITH_SIGN_IN = `signIn:
  issuer: https://login.example.com/realms/acme
  clientId: gatehouse-desktop
  audience: https://policy.example.com
  groupsClaim: roles
policyServer:
  url: https://policy.example.com
${CONNECTIONS}`;

function errorOf(text: string): ConfigError {
  try {
    parseConnectionsYaml(text, 'c.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('connections file: signIn and policyServer', () => {
  it('are optional', () => {
    const file = parseConnectionsYaml(CONNECTIONS);
    expect(file.signIn).toBeUndefined();
    expect(file.policyServer).toBeUndefined();
  });

  it('parse when valid, leaving unset keys to the provider defaults', () => {
    const file = parseConnectionsYaml(WITH_SIGN_IN);
    expect(file.signIn).toEqual({
      issuer: 'https://login.example.com/realms/acme',
      clientId: 'gatehouse-desktop',
      audience: 'https://policy.example.com',
      groupsClaim: 'roles',
    });
    expect(file.policyServer).toEqual({ url: 'https://policy.example.com' });
    expect(file.connections).toHaveLength(1);
  });

  it('accept scopes that include openid', () => {
    const file = parseConnectionsYaml(WITH_SIGN_IN.replace('  groupsClaim: roles\n', '  scopes: [openid, profile, groups]\n'));
    expect(file.signIn?.scopes).toEqual(['openid', 'profile', 'groups']);
  });

  it('allow plain http only to this machine', () => {
    const local = parseConnectionsYaml(WITH_SIGN_IN.replace('https://login.example.com/realms/acme', 'http://127.0.0.1:8080'));
    expect(local.signIn?.issuer).toBe('http://127.0.0.1:8080');
    const e = errorOf(WITH_SIGN_IN.replace('https://login.example.com/realms/acme', 'http://login.example.com'));
    expect(e.line).toBe(2);
    expect(e.reason).toMatch(/^signIn\.issuer: must be an https URL/);
    const p = errorOf(WITH_SIGN_IN.replace('url: https://policy.example.com', 'url: http://policy.example.com'));
    expect(p.line).toBe(7);
    expect(p.reason).toMatch(/^policyServer\.url: must be an https URL/);
  });

  it('reject a bad issuer, a missing clientId and scopes without openid, with the line', () => {
    expect(errorOf(WITH_SIGN_IN.replace('https://login.example.com/realms/acme', 'not a url')).line).toBe(2);
    const missing = errorOf(WITH_SIGN_IN.replace('  clientId: gatehouse-desktop\n', ''));
    expect(missing.reason).toMatch(/^signIn\.clientId: /);
    expect(missing.line).toBe(2); // the signIn block
    const scopes = errorOf(WITH_SIGN_IN.replace('  groupsClaim: roles\n', '  scopes: [profile, email]\n'));
    expect(scopes.reason).toContain('must include "openid"');
    expect(scopes.line).toBe(5);
    const spaced = errorOf(WITH_SIGN_IN.replace('  groupsClaim: roles\n', '  scopes: ["openid profile"]\n'));
    expect(spaced.reason).toContain('must be a scope token');
  });

  it('reject unknown keys inside signIn and policyServer, pointing at the key', () => {
    const e = errorOf(WITH_SIGN_IN.replace('  groupsClaim: roles\n', '  groupsClaim: roles\n  clientSecret: hunter2\n'));
    expect(e.line).toBe(6);
    expect(e.reason).toContain('clientSecret');
    const p = errorOf(WITH_SIGN_IN.replace('  url: https://policy.example.com\n', '  url: https://policy.example.com\n  token: abc\n'));
    expect(p.line).toBe(8);
  });
});
