import { DEMO_CONNECTIONS, loadConnectionsFile, ConfigError, type ConnectionConfig } from '@gatehouse/gateway-core';

interface Row {
  id: string;
  name: string;
  type: string;
  target: string;
}

export async function runConnectionsCommand(opts: { json?: boolean; config?: string }, out = process.stdout, err = process.stderr): Promise<number> {
  const configPath = opts.config ?? (process.env.GATEHOUSE_CONFIG || undefined);
  let rows: Row[];
  try {
    rows = configPath ? loadConnectionsFile(configPath).connections.map(toRow) : demoRows();
  } catch (e) {
    if (e instanceof ConfigError) {
      err.write(`gatehouse: invalid config: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (opts.json) {
    out.write(`${JSON.stringify({ source: configPath ?? 'demo', connections: rows }, null, 2)}\n`);
    return 0;
  }
  out.write(`Connections (${configPath ?? 'offline demo'}):\n`);
  const width = Math.max(...rows.map((r) => r.id.length), 2);
  for (const r of rows) out.write(`  ${r.id.padEnd(width)}  ${r.type.padEnd(8)}  ${r.name}  (${r.target})\n`);
  return 0;
}

function toRow(c: ConnectionConfig): Row {
  const target = c.type === 'postgres' ? `${c.host}:${c.port}/${c.database}` : `${c.user}@${c.host}:${c.port}`;
  return { id: c.id, name: c.name, type: c.type, target };
}

function demoRows(): Row[] {
  return [
    { ...pick(DEMO_CONNECTIONS.postgres), target: 'embedded PGlite, started by gatehouse demo' },
    { ...pick(DEMO_CONNECTIONS.ssh), target: 'embedded SSH target, started by gatehouse demo' },
  ];
}

function pick(c: { id: string; name: string; type: string }): Omit<Row, 'target'> {
  return { id: c.id, name: c.name, type: c.type };
}
