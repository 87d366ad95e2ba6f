import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConnectionsFile, parseConnectionsYaml } from '../../src/connections/load-connections-file.js';

const GOOD = `connections:
  - id: prod-db
    name: Production DB
    type: postgres
    host: db.internal
    database: app
    user: support_ro
    secret: env:PROD_DB_PASSWORD
    tls: { mode: verify-full, ca: file:/etc/ssl/db-ca.pem }
  - id: web-1
    name: Web 1
    type: ssh
    host: web-1.internal
    user: deploy
    auth: { method: key, privateKey: file:/home/me/.ssh/id_ed25519 }
`;

function errorOf(text: string): ConfigError {
  try {
    parseConnectionsYaml(text, 'c.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('connections file', () => {
  it('parses a valid file and fills defaults', () => {
    const file = parseConnectionsYaml(GOOD);
    expect(file.connections.map((c) => [c.id, c.type, c.port])).toEqual([
      ['prod-db', 'postgres', 5432],
      ['web-1', 'ssh', 22],
    ]);
  });

  it('rejects an inline password, naming the line', () => {
    const e = errorOf(GOOD.replace('secret: env:PROD_DB_PASSWORD', 'secret: hunter2hunter2'));
    expect(e.line).toBe(8);
    expect(e.message).toMatch(/^c\.yaml:8: connections\.0\.secret: must be a secret reference/);
    expect(e.message).not.toContain('hunter2');
  });

  it('rejects verify-full without a CA', () => {
    const e = errorOf(GOOD.replace('{ mode: verify-full, ca: file:/etc/ssl/db-ca.pem }', '{ mode: verify-full }'));
    expect(e.reason).toContain('verify-full needs a ca');
    expect(e.line).toBe(9);
  });

  it('rejects unknown keys, duplicate ids and bad YAML with the line', () => {
    expect(errorOf(GOOD.replace('    user: deploy', '    user: deploy\n    colour: blue')).line).toBe(15);
    expect(errorOf(GOOD.replace('id: web-1', 'id: prod-db')).reason).toContain('duplicate connection id "prod-db"');
    const bad = errorOf('connections:\n  - id: [unclosed\n');
    expect(bad.line).toBeGreaterThanOrEqual(2);
  });

  it('reports a missing file plainly', () => {
    expect(() => loadConnectionsFile('/nonexistent/gatehouse.yaml')).toThrow(/gatehouse\.yaml: file not found/);
    const dir = mkdtempSync(join(tmpdir(), 'gh-cfg-'));
    writeFileSync(join(dir, 'c.yaml'), GOOD);
    expect(loadConnectionsFile(join(dir, 'c.yaml')).connections).toHaveLength(2);
  });
});
