/**
 * `gatehouse sql <connection> -c "<statement>" [--json]`: one statement text through the same
 * gateway path as the editor (guard, read-only transaction, masking), for scripts.
 *
 * With --config (or $GATEHOUSE_CONFIG) it builds a gateway in-process over that file's
 * connections; secrets come from env:/file: references (stored: secrets live in the app's
 * store and are not available here). A demo connection id starts the offline demo and waits for it.
 */
import {
  ConfigError,
  createGateway,
  createLogger,
  defaultAppDataDir,
  DEMO_CONNECTION_IDS,
  DemoIdentityProvider,
  openSecretStore,
  loadPolicyFile,
  PolicyStore,
  SecretResolver,
  SecretScrubber,
  startDemoGateway,
  type Gateway,
  type SqlRunResult,
  type SqlStatementResult,
} from '@gatehouse/gateway-core';
import { readPackageVersion } from '../host/paths.js';
import { connectionSource } from './cli-connections.js';

export interface SqlCommandOptions {
  command: string;
  json?: boolean;
  config?: string;
  as?: 'engineer' | 'admin';
  policy?: string;
  dataDir?: string;
}

type Out = Pick<NodeJS.WriteStream, 'write'>;

export async function runSqlCommand(connectionId: string, opts: SqlCommandOptions, out: Out = process.stdout, err: Out = process.stderr): Promise<number> {
  const fail = (msg: string, code = 1): number => {
    err.write(`gatehouse sql: ${msg}\n`);
    return code;
  };
  let gateway: (Gateway & { ready?: Promise<unknown> }) | undefined;
  try {
    gateway = await openGateway(connectionId, opts);
  } catch (e) {
    if (e instanceof ConfigError) return fail(`invalid config: ${e.message}`, 2);
    return fail(e instanceof Error ? e.message : String(e), 2);
  }
  try {
    const identity = opts.as ?? 'engineer';
    const switched = await gateway.dispatcher.call('identity.switch', { identityId: identity });
    if ('error' in switched) return fail(switched.error.message, 2);
    const opened = await gateway.dispatcher.call('sql.open', { connectionId });
    if ('error' in opened) return fail(opened.error.message);
    const ran = await gateway.dispatcher.call('sql.run', { sessionId: opened.ok.sessionId, text: opts.command });
    if ('error' in ran) return fail(ran.error.message);
    const results = await drain(gateway, ran.ok);
    for (const notice of ran.ok.notices) err.write(`${notice}\n`);
    if (opts.json) out.write(`${JSON.stringify({ results, notices: ran.ok.notices }, null, 2)}\n`);
    else for (const r of results) out.write(render(r));
    const last = results[results.length - 1];
    if (!last) return 0;
    if (last.status === 'refused') {
      const where = last.refusal.location ? ` at ${last.refusal.location.start}-${last.refusal.location.end}` : '';
      return fail(`refused (${last.refusal.action}, class ${last.refusal.class ?? 'none'}, rule ${last.refusal.rule})${where}: ${last.refusal.reason}`);
    }
    if (last.status === 'error') {
      const e = last.error;
      return fail(`${e.sqlstate ? `[${e.sqlstate}] ` : ''}${e.message}${e.detail ? `\nDETAIL: ${e.detail}` : ''}${e.hint ? `\nHINT: ${e.hint}` : ''}`);
    }
    if (last.status === 'cancelled') return fail('cancelled');
    return 0;
  } finally {
    await gateway.close();
  }
}

async function openGateway(connectionId: string, opts: SqlCommandOptions): Promise<Gateway & { ready?: Promise<unknown> }> {
  const source = connectionSource(connectionId, DEMO_CONNECTION_IDS.postgres, opts.config);
  const policy = new PolicyStore(loadPolicyFile(opts.policy));
  if (source.kind === 'config') {
    const scrubber = new SecretScrubber();
    return createGateway({
      appInfo: { version: readPackageVersion(), mode: 'configured', shell: 'browser' },
      connections: source.connections,
      identity: new DemoIdentityProvider(opts.as ?? 'engineer'),
      secrets: new SecretResolver(openSecretStore(opts.dataDir ?? defaultAppDataDir()), scrubber),
      policy,
      logger: createLogger({ scrubber }),
    });
  }
  const demo = startDemoGateway({ dataDir: opts.dataDir ?? defaultAppDataDir(), shell: 'browser', version: readPackageVersion() });
  const env = await demo.ready;
  if (!env) {
    await demo.close();
    throw new Error(`the demo database did not start; see ${demo.logFile}`);
  }
  return demo;
}

/** Pulls every page of the last result (up to the role's cap) so a script gets all rows. */
async function drain(gateway: Gateway, run: SqlRunResult): Promise<SqlStatementResult[]> {
  const results = [...run.results];
  const last = results[results.length - 1];
  if (last?.status !== 'rows' || !last.hasMore) return results;
  const rows = [...last.rows];
  let page = { hasMore: true, capped: last.capped, rowCount: last.rowCount };
  while (page.hasMore) {
    const next = await gateway.dispatcher.call('sql.fetch', { queryId: last.queryId, maxRows: 10_000 });
    if ('error' in next) throw new Error(next.error.message);
    rows.push(...next.ok.rows);
    page = next.ok;
  }
  results[results.length - 1] = { ...last, rows, hasMore: false, capped: page.capped, rowCount: page.rowCount };
  return results;
}

/** Tab-separated rows with a header; NULL as \N, as psql's unaligned output would show it. */
function render(r: SqlStatementResult): string {
  switch (r.status) {
    case 'rows': {
      const lines = [r.columns.map((c) => c.name).join('\t'), ...r.rows.map((row) => row.map((c) => (c.v === null ? '\\N' : c.v.replace(/[\t\n]/g, ' '))).join('\t'))];
      const note = r.capped ? ` (stopped at the row cap of ${r.rowCap})` : '';
      return `${lines.join('\n')}\n(${r.rowCount} row${r.rowCount === 1 ? '' : 's'}${note})\n`;
    }
    case 'done':
      return `${r.command}${r.rowCount === null ? '' : ` ${r.rowCount}`}\n`;
    default:
      return '';
  }
}
