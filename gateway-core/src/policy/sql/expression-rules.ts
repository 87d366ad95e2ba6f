/**
 * Handlers for expression-level and structural parse nodes.
 *
 * Only node types that can occur in a RAW parse tree are listed; analysed-tree nodes (Var, Query,
 * Aggref, ...) are deliberately absent so that, should one ever appear, the walker fails closed.
 */
import { arr, neutral, obj, str, type AstObject, type NodeHandler, type WalkContext } from './ast-walk.js';
import { judgeFunction, qualifiedName } from './functions.js';
import { keywordWithin, type ByteLocation } from './offsets.js';

/** Nodes whose only risk is in their children. */
const NEUTRAL_NODES = [
  // literals and lists
  'Integer', 'Float', 'Boolean', 'String', 'BitString', 'List', 'A_Const', 'A_Star',
  // expressions
  'A_Expr', 'A_Indices', 'A_ArrayExpr', 'ParamRef', 'TypeCast', 'CollateClause', 'TypeName',
  'BoolExpr', 'NullTest', 'BooleanTest', 'CaseExpr', 'CaseWhen', 'CoalesceExpr', 'MinMaxExpr',
  'SQLValueFunction', 'XmlExpr', 'XmlSerialize', 'RowExpr', 'GroupingSet', 'GroupingFunc',
  'SetToDefault', 'CurrentOfExpr', 'NamedArgExpr', 'MergeSupportFunc', 'MultiAssignRef',
  'JsonFormat', 'JsonReturning', 'JsonValueExpr', 'JsonOutput', 'JsonArgument', 'JsonFuncExpr',
  'JsonTablePathSpec', 'JsonTable', 'JsonTableColumn', 'JsonKeyValue', 'JsonParseExpr',
  'JsonScalarExpr', 'JsonSerializeExpr', 'JsonObjectConstructor', 'JsonArrayConstructor',
  'JsonArrayQueryConstructor', 'JsonAggConstructor', 'JsonObjectAgg', 'JsonArrayAgg',
  'JsonBehavior', 'JsonIsPredicate',
  // query structure
  'ResTarget', 'SortBy', 'WindowDef', 'RangeSubselect', 'RangeFunction', 'RangeTableFunc',
  'RangeTableFuncCol', 'RangeTableSample', 'RangeVar', 'Alias', 'JoinExpr', 'WithClause',
  'CTESearchClause', 'CTECycleClause', 'LockingClause', 'IntoClause', 'OnConflictClause',
  'InferClause', 'MergeWhenClause', 'ReturningClause', 'ReturningOption',
  // DDL pieces (the statement that owns them carries the class)
  'IndexElem', 'DefElem', 'RoleSpec', 'ColumnDef', 'Constraint', 'TableLikeClause',
  'PartitionElem', 'PartitionSpec', 'PartitionBoundSpec', 'PartitionRangeDatum', 'PartitionCmd',
  'AlterTableCmd', 'ATAlterConstraint', 'ObjectWithArgs', 'AccessPriv', 'FunctionParameter',
  'VacuumRelation', 'StatsElem', 'PublicationTable', 'PublicationObjSpec', 'CreateOpClassItem',
  'TriggerTransition',
  // only inside function bodies, which are already dangerous
  'ReturnStmt', 'PLAssignStmt',
] as const;

function reportFunction(ctx: WalkContext, name: string, full: string, loc: ByteLocation, how: string): void {
  const verdict = judgeFunction(name);
  if (!verdict) return;
  ctx.emit({
    class: verdict.class,
    rule: verdict.class === 'dangerous' ? 'dangerous-function' : 'state-changing-function',
    message: `${how} ${full}() ${verdict.why}`,
    loc,
    source: 'function',
  });
}

/** The field name token after the node's start (quoted spellings match too; U& ones fall back). */
function fieldLoc(ctx: WalkContext, node: AstObject, name: string): ByteLocation {
  const own = ctx.locOf(node);
  return keywordWithin(own.kind === 'token' ? { kind: 'range', start: own.start, end: ctx.limit } : own, [name.toUpperCase()], {
    anyDepth: true,
  });
}

const funcCall: NodeHandler = (node, ctx) => {
  const name = qualifiedName(node['funcname']);
  if (!name) {
    ctx.fail('a function call whose name the guard cannot read', ctx.locOf(node, 'call'));
    return;
  }
  reportFunction(ctx, name.last, name.full, ctx.locOf(node, 'call'), 'calling');
  ctx.walkChildren(node);
};

/**
 * PostgreSQL accepts `x.f` / `(expr).f` as f(x): `SELECT ('.'::text).pg_ls_dir` lists the data
 * directory. So field names after a qualifier are checked against the function lists too.
 */
const columnRef: NodeHandler = (node, ctx) => {
  const fields = arr(node, 'fields');
  if (fields.length >= 2) {
    const last = qualifiedName(fields.slice(-1));
    if (last) reportFunction(ctx, last.last, last.last, fieldLoc(ctx, node, last.last), 'column notation calls');
  }
  ctx.walkChildren(node);
};

const indirection: NodeHandler = (node, ctx) => {
  for (const part of arr(node, 'indirection')) {
    const field = qualifiedName([part]);
    if (field) reportFunction(ctx, field.last, field.last, fieldLoc(ctx, node, field.last), 'column notation calls');
  }
  ctx.walkChildren(node);
};

/** A data-modifying CTE body has no location of its own; point findings at the CTE. */
const commonTableExpr: NodeHandler = (node, ctx) => {
  const at = node['location'];
  const loc = typeof at === 'number' && at >= 0 ? ({ kind: 'cte', start: at, limit: ctx.limit } as const) : ctx.fallback;
  ctx.within(loc, () => ctx.walkChildren(node));
};

const subLink: NodeHandler = (node, ctx) => {
  const at = node['location'];
  if (typeof at !== 'number' || at < 0) return ctx.walkChildren(node);
  ctx.within({ kind: 'call', start: at, limit: ctx.limit }, () => ctx.walkChildren(node));
};

export function expressionHandlers(): Array<[string, NodeHandler]> {
  const out: Array<[string, NodeHandler]> = NEUTRAL_NODES.map((t) => [t, neutral]);
  out.push(
    ['FuncCall', funcCall],
    ['ColumnRef', columnRef],
    ['A_Indirection', indirection],
    ['CommonTableExpr', commonTableExpr],
    ['SubLink', subLink],
  );
  return out;
}

/** `schema.name` of an inline RangeVar, for messages. */
export function relationName(rel: AstObject | undefined): string {
  if (!rel) return 'a table';
  const schema = str(rel, 'schemaname');
  const name = str(rel, 'relname') ?? '?';
  return schema ? `${schema}.${name}` : name;
}

export function relationOf(node: AstObject): AstObject | undefined {
  return obj(node, 'relation');
}
