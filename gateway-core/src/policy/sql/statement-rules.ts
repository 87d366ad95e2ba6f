/**
 * Statement-level rules. Nested statements (a DELETE in a CTE, the query of COPY / EXPLAIN /
 * DECLARE / PREPARE / CREATE TABLE AS) hit the same handlers, because the walker visits them
 * wherever they occur.
 *
 * | statement                                            | class     | rule                        |
 * |------------------------------------------------------|-----------|-----------------------------|
 * | SELECT, VALUES, TABLE, SHOW, FETCH/MOVE/CLOSE        | read      | -                           |
 * | DECLARE CURSOR                                       | its query | -                           |
 * | LISTEN/UNLISTEN, DEALLOCATE, SET CONSTRAINTS          | read      | -                           |
 * | SELECT INTO, SELECT ... FOR UPDATE/SHARE             | write     | select-into, locking-clause |
 * | INSERT, MERGE, UPDATE/DELETE with a column-based WHERE | write   | insert, merge, update, delete|
 * | UPDATE/DELETE without WHERE (or WHERE with no column)| dangerous | *-without-where             |
 * | DML on pg_* relations (e.g. UPDATE pg_settings)      | dangerous | catalog-modification        |
 * | EXPLAIN                                              | read (dangerous functions still count) |
 * | EXPLAIN ANALYZE                                      | its statement                           |
 * | COPY TO STDOUT / FROM STDIN                          | read / write | copy-from-stdin          |
 * | COPY to/from a file or PROGRAM                       | dangerous | copy-file, copy-program     |
 * | PREPARE                                              | its query (name remembered)             |
 * | EXECUTE                                              | class of the tracked PREPARE, else unclassifiable |
 * | NOTIFY, LOCK (below ACCESS EXCLUSIVE)                | write     | notify, lock                |
 * | LOCK ... ACCESS EXCLUSIVE                            | dangerous | lock-access-exclusive       |
 * | VACUUM, ANALYZE, REFRESH MATERIALIZED VIEW           | write     | maintenance                 |
 * | VACUUM FULL, CLUSTER, REINDEX                        | dangerous | heavy-maintenance           |
 * | CREATE TABLE/INDEX/VIEW/SEQUENCE/TYPE/SCHEMA/DOMAIN, COMMENT, additive ALTER TABLE | write | ddl |
 * | DROP, TRUNCATE, RENAME, SET SCHEMA, OWNER TO, other ALTER TABLE | dangerous | destructive-ddl |
 * | GRANT/REVOKE, roles, policies, default privileges    | dangerous | privilege-change            |
 * | DO, CREATE FUNCTION/PROCEDURE, CALL, triggers, rules | dangerous | code-execution              |
 * | ALTER SYSTEM, CHECKPOINT, LOAD, extensions, FDW, servers, publications, databases, tablespaces | dangerous | server-admin |
 */
import { arr, containsNode, neutral, obj, str, unwrap, type AstObject, type NodeHandler, type WalkContext } from './ast-walk.js';
import { relationName, relationOf } from './expression-rules.js';
import { keywordWithin, type ByteLocation } from './offsets.js';
import { maxClass, type SqlClass } from './types.js';
import { boolValue } from './session-rules.js';

type Effect = Exclude<SqlClass, 'read'>;

function emit(ctx: WalkContext, cls: Effect, rule: string, message: string, loc: ByteLocation = ctx.fallback): void {
  ctx.emit({ class: cls, rule, message, loc, source: 'statement' });
}

/** A keyword inside the current fallback location (the statement, or a CTE). */
function keywordLoc(ctx: WalkContext, words: readonly string[], extra = 0, anyDepth = false): ByteLocation {
  return keywordWithin(ctx.fallback, words, { extra, anyDepth });
}

function isCatalog(rel: AstObject | undefined): boolean {
  if (!rel) return false;
  const schema = (str(rel, 'schemaname') ?? '').toLowerCase();
  return schema === 'pg_catalog' || schema === 'information_schema' || (str(rel, 'relname') ?? '').toLowerCase().startsWith('pg_');
}

const WHERE_TARGETS = new Set(['ColumnRef', 'CurrentOfExpr']);
const SUBQUERY_KEYS = new Set(['subselect']);

/**
 * A WHERE that references no column of its own query (outside subqueries) is all-or-nothing:
 * `WHERE true`, `WHERE 1 = 1`, `WHERE $1`. Treat it like a missing WHERE.
 */
function filtersRows(where: unknown): boolean {
  return where !== undefined && containsNode(where, WHERE_TARGETS, SUBQUERY_KEYS);
}

function dml(verb: 'INSERT' | 'UPDATE' | 'DELETE' | 'MERGE'): NodeHandler {
  const rule = verb.toLowerCase();
  return (node, ctx) => {
    const rel = verb === 'MERGE' ? obj(node, 'relation') : relationOf(node);
    const name = relationName(rel);
    if (isCatalog(rel)) {
      emit(ctx, 'dangerous', 'catalog-modification', `${verb} on ${name} changes a system catalog or setting`);
    } else if ((verb === 'UPDATE' || verb === 'DELETE') && !filtersRows(node['whereClause'])) {
      const effect = verb === 'DELETE' ? 'removes every row of' : 'changes every row of';
      const how = node['whereClause'] === undefined ? 'without WHERE' : 'with a WHERE that references no column';
      emit(ctx, 'dangerous', `${rule}-without-where`, `${verb} ${how} ${effect} ${name}`);
    } else {
      emit(ctx, 'write', rule, `${verb} ${verb === 'INSERT' ? 'into' : 'on'} ${name} modifies data`);
    }
    ctx.walkChildren(node);
  };
}

const select: NodeHandler = (node, ctx) => {
  const into = obj(node, 'intoClause');
  if (into) {
    const rel = obj(into, 'rel');
    const at = rel?.['location'];
    const loc: ByteLocation = typeof at === 'number' && at >= 0 ? { kind: 'token', start: at, limit: ctx.limit } : ctx.fallback;
    emit(ctx, 'write', 'select-into', `SELECT INTO creates the table ${relationName(rel)}`, loc);
  }
  if (arr(node, 'lockingClause').length > 0) {
    emit(ctx, 'write', 'locking-clause', 'SELECT ... FOR UPDATE/SHARE locks rows until the transaction ends',
      keywordLoc(ctx, ['FOR', 'UPDATE|SHARE|NO|KEY'], 0, true));
  }
  ctx.walkChildren(node);
};

/** EXPLAIN plans without running; only ANALYZE executes the wrapped statement. */
const explain: NodeHandler = (node, ctx) => {
  let analyze = false;
  for (const item of arr(node, 'options')) {
    const def = unwrap(item, 'DefElem');
    if (def && str(def, 'defname') === 'analyze') {
      // A missing argument means true; an unreadable one is taken as true (fail closed).
      analyze = def['arg'] === undefined || boolValue(def['arg']) !== false;
    }
  }
  if (analyze) return ctx.walkChildren(node);
  const outer = ctx.suppressStatementEffects;
  ctx.suppressStatementEffects = true;
  try {
    ctx.walkChildren(node);
  } finally {
    ctx.suppressStatementEffects = outer;
  }
};

const copy: NodeHandler = (node, ctx) => {
  const target = node['is_from'] === true ? 'FROM' : 'TO';
  if (node['is_program'] === true) {
    emit(ctx, 'dangerous', 'copy-program', `COPY ${target} PROGRAM runs a shell command on the database server`,
      keywordLoc(ctx, ['PROGRAM'], 1));
  } else if (typeof node['filename'] === 'string') {
    emit(ctx, 'dangerous', 'copy-file', `COPY ${target} a server file ${target === 'TO' ? 'writes' : 'reads'} ${node['filename']}`,
      keywordLoc(ctx, [target], 1));
  } else if (target === 'FROM') {
    emit(ctx, 'write', 'copy-from-stdin', `COPY FROM STDIN loads rows into ${relationName(relationOf(node))}`);
  }
  ctx.walkChildren(node);
};

const prepare: NodeHandler = (node, ctx) => {
  const before = ctx.findings.length;
  ctx.walkChildren(node);
  let cls: SqlClass = 'read';
  for (const f of ctx.findings.slice(before)) cls = maxClass(cls, f.class);
  const name = str(node, 'name');
  if (name !== undefined) ctx.prepared.set(name, cls);
};

const execute: NodeHandler = (node, ctx) => {
  const name = str(node, 'name') ?? '';
  let cls = ctx.prepared.get(name);
  if (cls === undefined) {
    ctx.dependsOnSession = true;
    cls = ctx.preparedLookup?.(name);
  }
  if (cls === undefined) {
    ctx.fail(`EXECUTE ${name} runs a prepared statement the guard has not seen`);
    return;
  }
  if (cls !== 'read') emit(ctx, cls, 'execute-prepared', `EXECUTE ${name} runs a prepared statement classified ${cls}`);
  ctx.walkChildren(node);
};

const vacuum: NodeHandler = (node, ctx) => {
  const full = arr(node, 'options').some((o) => {
    const def = unwrap(o, 'DefElem');
    return def !== undefined && str(def, 'defname') === 'full' && boolValue(def['arg'] ?? { Boolean: { boolval: true } }) !== false;
  });
  if (full) emit(ctx, 'dangerous', 'heavy-maintenance', 'VACUUM FULL rewrites tables under an exclusive lock');
  else emit(ctx, 'write', 'maintenance', `${node['is_vacuumcmd'] === true ? 'VACUUM' : 'ANALYZE'} runs maintenance on the server`);
  ctx.walkChildren(node);
};

const ACCESS_EXCLUSIVE = 8;
const lock: NodeHandler = (node, ctx) => {
  if (node['mode'] === ACCESS_EXCLUSIVE) {
    emit(ctx, 'dangerous', 'lock-access-exclusive', 'LOCK ... ACCESS EXCLUSIVE blocks every reader of the table');
  } else {
    emit(ctx, 'write', 'lock', 'LOCK holds a table lock until the transaction ends');
  }
  ctx.walkChildren(node);
};

/** ALTER TABLE subcommands that only add to a table; anything else may destroy or loosen it. */
const ADDITIVE_ALTERS = new Set([
  'AT_AddColumn', 'AT_ColumnDefault', 'AT_AddConstraint', 'AT_ValidateConstraint',
  'AT_SetStatistics', 'AT_SetNotNull', 'AT_AddIndex', 'AT_AddIdentity', 'AT_CookedColumnDefault',
]);
const alterTable: NodeHandler = (node, ctx) => {
  const subtypes = arr(node, 'cmds').map((c) => str(unwrap(c, 'AlterTableCmd') ?? {}, 'subtype') ?? '?');
  const risky = subtypes.filter((s) => !ADDITIVE_ALTERS.has(s));
  const name = relationName(relationOf(node));
  if (risky.length > 0) {
    emit(ctx, 'dangerous', 'destructive-ddl', `ALTER on ${name} (${risky.map((s) => s.replace(/^AT_/, '')).join(', ')}) may destroy data or weaken it`);
  } else {
    emit(ctx, 'write', 'ddl', `ALTER on ${name} adds to its definition`);
  }
  ctx.walkChildren(node);
};

function fixed(cls: Effect, rule: string, message: (node: AstObject) => string): NodeHandler {
  return (node, ctx) => {
    emit(ctx, cls, rule, message(node));
    ctx.walkChildren(node);
  };
}

const objectKind = (node: AstObject, key: string): string =>
  (str(node, key) ?? 'OBJECT').replace(/^OBJECT_/, '').replace(/_/g, ' ');

export function statementHandlers(): Array<[string, NodeHandler]> {
  const W = (rule: string, m: string): NodeHandler => fixed('write', rule, () => m);
  const D = (rule: string, m: string): NodeHandler => fixed('dangerous', rule, () => m);
  const code = (what: string): NodeHandler => D('code-execution', `${what} runs code the guard cannot inspect`);
  const admin = (what: string): NodeHandler => D('server-admin', `${what} administers the server`);
  const priv = (what: string): NodeHandler => D('privilege-change', `${what} changes who may do what`);
  const ddl = (what: string): NodeHandler => W('ddl', `${what} changes the schema`);
  return [
    ['SelectStmt', select],
    ['InsertStmt', dml('INSERT')],
    ['UpdateStmt', dml('UPDATE')],
    ['DeleteStmt', dml('DELETE')],
    ['MergeStmt', dml('MERGE')],
    ['ExplainStmt', explain],
    ['CopyStmt', copy],
    ['PrepareStmt', prepare],
    ['ExecuteStmt', execute],
    ['DeallocateStmt', neutral],
    ['DeclareCursorStmt', neutral],
    ['FetchStmt', neutral],
    ['ClosePortalStmt', neutral],
    ['ListenStmt', neutral],
    ['UnlistenStmt', neutral],
    ['NotifyStmt', W('notify', 'NOTIFY sends a message to other sessions')],
    ['LockStmt', lock],
    ['VacuumStmt', vacuum],
    ['RefreshMatViewStmt', W('maintenance', 'REFRESH MATERIALIZED VIEW rewrites the view\'s data')],
    ['ClusterStmt', D('heavy-maintenance', 'CLUSTER rewrites a table under an exclusive lock')],
    ['ReindexStmt', D('heavy-maintenance', 'REINDEX rebuilds indexes under heavy locks')],
    ['CheckPointStmt', admin('CHECKPOINT')],
    ['LoadStmt', D('code-execution', 'LOAD loads a shared library into the server')],
    ['DoStmt', code('DO')],
    ['CreateFunctionStmt', code('CREATE FUNCTION/PROCEDURE')],
    ['CallStmt', code('CALL')],
    ['CreateTrigStmt', code('CREATE TRIGGER')],
    ['CreateEventTrigStmt', code('CREATE EVENT TRIGGER')],
    ['AlterEventTrigStmt', code('ALTER EVENT TRIGGER')],
    ['RuleStmt', code('CREATE RULE')],
    ['CreatePLangStmt', code('CREATE LANGUAGE')],
    ['CreateCastStmt', code('CREATE CAST')],
    ['CreateTransformStmt', code('CREATE TRANSFORM')],
    ['CreateConversionStmt', code('CREATE CONVERSION')],
    ['DefineStmt', code('CREATE AGGREGATE/OPERATOR/TYPE/COLLATION')],
    ['CreateOpClassStmt', code('CREATE OPERATOR CLASS')],
    ['CreateOpFamilyStmt', code('CREATE OPERATOR FAMILY')],
    ['AlterOpFamilyStmt', code('ALTER OPERATOR FAMILY')],
    ['AlterOperatorStmt', code('ALTER OPERATOR')],
    ['AlterFunctionStmt', code('ALTER FUNCTION')],
    ['AlterTypeStmt', code('ALTER TYPE ... SET')],
    ['CreateAmStmt', code('CREATE ACCESS METHOD')],
    ['AlterSystemStmt', admin('ALTER SYSTEM')],
    ['CreateExtensionStmt', admin('CREATE EXTENSION')],
    ['AlterExtensionStmt', admin('ALTER EXTENSION')],
    ['AlterExtensionContentsStmt', admin('ALTER EXTENSION')],
    ['ImportForeignSchemaStmt', admin('IMPORT FOREIGN SCHEMA')],
    ['CreateFdwStmt', admin('CREATE FOREIGN DATA WRAPPER')],
    ['AlterFdwStmt', admin('ALTER FOREIGN DATA WRAPPER')],
    ['CreateForeignServerStmt', admin('CREATE SERVER')],
    ['AlterForeignServerStmt', admin('ALTER SERVER')],
    ['CreateForeignTableStmt', admin('CREATE FOREIGN TABLE')],
    ['CreateUserMappingStmt', admin('CREATE USER MAPPING')],
    ['AlterUserMappingStmt', admin('ALTER USER MAPPING')],
    ['DropUserMappingStmt', admin('DROP USER MAPPING')],
    ['CreateTableSpaceStmt', admin('CREATE TABLESPACE')],
    ['DropTableSpaceStmt', admin('DROP TABLESPACE')],
    ['AlterTableSpaceOptionsStmt', admin('ALTER TABLESPACE')],
    ['AlterTableMoveAllStmt', admin('ALTER TABLE ALL IN TABLESPACE')],
    ['CreatedbStmt', admin('CREATE DATABASE')],
    ['AlterDatabaseStmt', admin('ALTER DATABASE')],
    ['AlterDatabaseSetStmt', admin('ALTER DATABASE ... SET')],
    ['AlterDatabaseRefreshCollStmt', admin('ALTER DATABASE REFRESH COLLATION')],
    ['DropdbStmt', admin('DROP DATABASE')],
    ['CreatePublicationStmt', admin('CREATE PUBLICATION')],
    ['AlterPublicationStmt', admin('ALTER PUBLICATION')],
    ['CreateSubscriptionStmt', admin('CREATE SUBSCRIPTION')],
    ['AlterSubscriptionStmt', admin('ALTER SUBSCRIPTION')],
    ['DropSubscriptionStmt', admin('DROP SUBSCRIPTION')],
    ['AlterCollationStmt', admin('ALTER COLLATION')],
    ['AlterTSDictionaryStmt', admin('ALTER TEXT SEARCH DICTIONARY')],
    ['AlterTSConfigurationStmt', admin('ALTER TEXT SEARCH CONFIGURATION')],
    ['ReplicaIdentityStmt', admin('REPLICA IDENTITY')],
    ['SecLabelStmt', admin('SECURITY LABEL')],
    ['GrantStmt', fixed('dangerous', 'privilege-change', (n) => `${n['is_grant'] === true ? 'GRANT' : 'REVOKE'} changes who may do what`)],
    ['GrantRoleStmt', priv('GRANT/REVOKE role')],
    ['AlterDefaultPrivilegesStmt', priv('ALTER DEFAULT PRIVILEGES')],
    ['CreateRoleStmt', priv('CREATE ROLE')],
    ['AlterRoleStmt', priv('ALTER ROLE')],
    ['AlterRoleSetStmt', priv('ALTER ROLE ... SET')],
    ['DropRoleStmt', priv('DROP ROLE')],
    ['CreatePolicyStmt', priv('CREATE POLICY')],
    ['AlterPolicyStmt', priv('ALTER POLICY')],
    ['DropOwnedStmt', priv('DROP OWNED')],
    ['ReassignOwnedStmt', priv('REASSIGN OWNED')],
    ['DropStmt', fixed('dangerous', 'destructive-ddl', (n) => `DROP ${objectKind(n, 'removeType')} destroys objects and their data`)],
    ['TruncateStmt', fixed('dangerous', 'destructive-ddl', () => 'TRUNCATE removes every row')],
    ['RenameStmt', fixed('dangerous', 'destructive-ddl', (n) => `RENAME of a ${objectKind(n, 'renameType')} breaks everything that uses the old name`)],
    ['AlterObjectSchemaStmt', D('destructive-ddl', 'ALTER ... SET SCHEMA moves an object away from its users')],
    ['AlterOwnerStmt', priv('ALTER ... OWNER TO')],
    ['AlterObjectDependsStmt', D('destructive-ddl', 'ALTER ... DEPENDS ON EXTENSION ties an object to an extension\'s lifetime')],
    ['AlterTableStmt', alterTable],
    ['CreateStmt', fixed('write', 'ddl', (n) => `CREATE TABLE ${relationName(relationOf(n))} changes the schema`)],
    ['CreateTableAsStmt', fixed('write', 'ddl', (n) => `CREATE ${objectKind(n, 'objtype')} AS creates ${relationName(obj(obj(n, 'into') ?? {}, 'rel'))} from a query`)],
    ['IndexStmt', ddl('CREATE INDEX')],
    ['ViewStmt', ddl('CREATE VIEW')],
    ['CreateSeqStmt', ddl('CREATE SEQUENCE')],
    ['AlterSeqStmt', ddl('ALTER SEQUENCE')],
    ['CreateSchemaStmt', ddl('CREATE SCHEMA')],
    ['CreateDomainStmt', ddl('CREATE DOMAIN')],
    ['AlterDomainStmt', ddl('ALTER DOMAIN')],
    ['CompositeTypeStmt', ddl('CREATE TYPE')],
    ['CreateEnumStmt', ddl('CREATE TYPE ... AS ENUM')],
    ['CreateRangeStmt', ddl('CREATE TYPE ... AS RANGE')],
    ['AlterEnumStmt', ddl('ALTER TYPE ... VALUE')],
    ['CreateStatsStmt', ddl('CREATE STATISTICS')],
    ['AlterStatsStmt', ddl('ALTER STATISTICS')],
    ['CommentStmt', ddl('COMMENT ON')],
  ];
}
