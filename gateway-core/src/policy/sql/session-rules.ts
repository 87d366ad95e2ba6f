/**
 * SET / RESET / SHOW / transaction control.
 *
 * The upstream session is read-only with a statement timeout unless a write was approved (brief,
 * invariant 3). Anything that could switch that off, change identity, or change how the gateway
 * decodes results is dangerous. SET is otherwise judged against an allowlist: an unknown
 * parameter (including extension GUCs like `anon.*` or `pgaudit.*`) is dangerous, not read.
 *
 * | statement                                   | class     | why                                         |
 * |---------------------------------------------|-----------|---------------------------------------------|
 * | SET ROLE / SESSION AUTHORIZATION, RESET ROLE | dangerous | changes identity                            |
 * | SET/RESET read-only, timeouts, RESET ALL    | dangerous | disables the defence-in-depth session       |
 * | SET default_transaction_read_only = on      | read      | only tightens                               |
 * | SET client_encoding / NAMES                 | dangerous | gateway decodes and masks in that encoding  |
 * | SET search_path                             | write     | redirects table and function resolution for |
 * |                                             |           | the rest of the session; an approver looks  |
 * | SET of an allowlisted cosmetic/planner GUC  | read      |                                             |
 * | SET of anything else                        | dangerous | fail closed                                 |
 * | BEGIN/START/SET TRANSACTION READ WRITE      | dangerous | leaves the read-only session                |
 * | BEGIN, COMMIT, ROLLBACK, SAVEPOINT, ...     | read      | transaction control                         |
 * | PREPARE TRANSACTION, COMMIT/ROLLBACK PREPARED| dangerous | two-phase state outlives the session        |
 * | DISCARD ALL / TEMP / PLANS, SEQUENCES       | dangerous / write / read                                |
 */
import { arr, neutral, str, unwrap, type AstObject, type NodeHandler, type WalkContext } from './ast-walk.js';

const READ_SETTINGS = new Set([
  'application_name', 'datestyle', 'intervalstyle', 'timezone', 'extra_float_digits',
  'bytea_output', 'xmloption', 'xmlbinary', 'lc_messages', 'lc_monetary', 'lc_numeric', 'lc_time',
  'default_text_search_config', 'client_min_messages', 'work_mem', 'hash_mem_multiplier',
  'temp_buffers', 'random_page_cost', 'seq_page_cost', 'effective_cache_size',
  'effective_io_concurrency', 'plan_cache_mode', 'from_collapse_limit', 'join_collapse_limit',
  'max_parallel_workers_per_gather', 'parallel_setup_cost', 'parallel_tuple_cost',
  'cursor_tuple_fraction', 'default_statistics_target', 'constraint_exclusion', 'geqo',
  'geqo_threshold', 'jit', 'recursive_worktree_factor', 'default_transaction_isolation',
  'default_transaction_deferrable', 'transaction_isolation', 'transaction_deferrable',
  'escape_string_warning', 'quote_all_identifiers',
  'array_nulls', 'gin_fuzzy_search_limit', 'enable_partition_pruning',
]);
const READ_SETTING_PREFIXES = ['enable_', 'cpu_', 'jit_', 'geqo_'];

const READ_ONLY_SETTINGS = new Set(['default_transaction_read_only', 'transaction_read_only']);

const PROTECTED_SETTINGS: Readonly<Record<string, string>> = {
  role: 'changes the session\'s role',
  session_authorization: 'changes the session\'s user',
  statement_timeout: 'changes the statement timeout that bounds every query',
  lock_timeout: 'changes a timeout that bounds every query',
  idle_in_transaction_session_timeout: 'changes a timeout that bounds open transactions',
  idle_session_timeout: 'changes a timeout that bounds the session',
  transaction_timeout: 'changes a timeout that bounds every transaction',
  session_replication_role: 'can disable triggers and foreign keys',
  row_security: 'changes row-level security enforcement',
  client_encoding: 'changes the encoding the gateway decodes and masks results in',
};

/** PostgreSQL's boolean spellings; undefined when the value is not a literal we can read. */
export function boolValue(arg: unknown): boolean | undefined {
  const c = unwrap(arg, 'A_Const');
  const node = c ?? (arg as AstObject | undefined);
  if (!node || typeof node !== 'object') return undefined;
  const ival = unwrap(node, 'ival') ?? unwrap(node, 'Integer');
  if (ival) return typeof ival['ival'] === 'number' ? ival['ival'] !== 0 : false;
  const bval = unwrap(node, 'boolval') ?? unwrap(node, 'Boolean');
  if (bval) return bval['boolval'] === true;
  const sval = unwrap(node, 'sval') ?? unwrap(node, 'String');
  if (sval && typeof sval['sval'] === 'string') {
    const s = sval['sval'].toLowerCase();
    if (['on', 'true', 'yes', '1', 't', 'y', 'tr', 'tru', 'ye'].includes(s)) return true;
    if (['off', 'false', 'no', '0', 'f', 'n', 'of', 'fa', 'fal', 'fals'].includes(s)) return false;
  }
  return undefined;
}

function dangerous(ctx: WalkContext, rule: string, message: string): void {
  ctx.emit({ class: 'dangerous', rule, message, loc: ctx.fallback, source: 'statement' });
}

/** Transaction characteristics: only READ ONLY, isolation, deferrable and snapshot are harmless. */
function checkTransactionOptions(options: readonly unknown[], ctx: WalkContext, what: string): void {
  for (const item of options) {
    const def = unwrap(item, 'DefElem');
    const name = def ? str(def, 'defname') : undefined;
    if (name === 'transaction_read_only') {
      if (boolValue(def?.['arg']) !== true) {
        dangerous(ctx, 'transaction-read-write', `${what} READ WRITE leaves the read-only session`);
      }
    } else if (name !== 'transaction_isolation' && name !== 'transaction_deferrable') {
      dangerous(ctx, 'transaction-option', `${what} with an option the guard does not know (${name ?? '?'})`);
    }
  }
}

const variableSet: NodeHandler = (node, ctx) => {
  const kind = str(node, 'kind');
  const rawName = str(node, 'name') ?? '';
  const name = rawName.toLowerCase();
  const args = arr(node, 'args');
  if (kind === 'VAR_RESET_ALL') {
    dangerous(ctx, 'reset-all', 'RESET ALL restores every setting, including the read-only session and timeouts');
  } else if (kind === 'VAR_SET_MULTI') {
    if (name === 'transaction' || name === 'session characteristics') {
      checkTransactionOptions(args, ctx, `SET ${rawName}`);
    } else if (name !== 'transaction snapshot') {
      dangerous(ctx, 'set-unlisted-setting', `SET ${rawName} is not a setting the guard knows to be harmless`);
    }
  } else if (name === 'role' || name === 'session_authorization') {
    dangerous(ctx, 'set-role', `${kind === 'VAR_RESET' ? 'RESET' : 'SET'} ${name.toUpperCase().replace('_', ' ')} changes the session identity`);
  } else if (READ_ONLY_SETTINGS.has(name)) {
    // Turning the read-only default ON only tightens the session; anything else may loosen it.
    if (kind !== 'VAR_SET_VALUE' || args.length !== 1 || boolValue(args[0]) !== true) {
      dangerous(ctx, 'set-protected-setting', `changing ${name} can switch off the read-only session`);
    }
  } else if (name === 'standard_conforming_strings') {
    // The guard parses literals with standard strings on; with them off the server reads `\'` as
    // an escaped quote, so `SELECT 'a\' , ' ; SELECT …' ` is one harmless SELECT to the guard and
    // two statements to the server. Only turning it (back) on is harmless.
    if (kind !== 'VAR_SET_VALUE' || args.length !== 1 || boolValue(args[0]) !== true) {
      dangerous(ctx, 'set-protected-setting', 'turning standard_conforming_strings off makes the server read string literals differently from the guard');
    }
  } else if (PROTECTED_SETTINGS[name] !== undefined) {
    dangerous(ctx, 'set-protected-setting', `changing ${name} ${PROTECTED_SETTINGS[name]}`);
  } else if (name === 'search_path') {
    ctx.emit({
      class: 'write',
      rule: 'set-search-path',
      message: 'SET search_path changes which tables and functions unqualified names resolve to',
      loc: ctx.fallback,
      source: 'statement',
    });
  } else if (!READ_SETTINGS.has(name) && !READ_SETTING_PREFIXES.some((p) => name.startsWith(p))) {
    dangerous(ctx, 'set-unlisted-setting', `${rawName} is not a setting the guard knows to be harmless`);
  }
  ctx.walkChildren(node);
};

const transaction: NodeHandler = (node, ctx) => {
  const kind = str(node, 'kind') ?? '';
  switch (kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      checkTransactionOptions(arr(node, 'options'), ctx, kind === 'TRANS_STMT_BEGIN' ? 'BEGIN' : 'START TRANSACTION');
      break;
    case 'TRANS_STMT_COMMIT':
    case 'TRANS_STMT_ROLLBACK':
    case 'TRANS_STMT_SAVEPOINT':
    case 'TRANS_STMT_RELEASE':
    case 'TRANS_STMT_ROLLBACK_TO':
      break;
    case 'TRANS_STMT_PREPARE':
    case 'TRANS_STMT_COMMIT_PREPARED':
    case 'TRANS_STMT_ROLLBACK_PREPARED':
      dangerous(ctx, 'two-phase-commit', 'two-phase commit state outlives the session and can finish other sessions\' work');
      break;
    default:
      ctx.fail(`transaction statement of unknown kind ${kind}`);
  }
  ctx.walkChildren(node);
};

const discard: NodeHandler = (node, ctx) => {
  const target = str(node, 'target');
  if (target === 'DISCARD_ALL') {
    dangerous(ctx, 'reset-all', 'DISCARD ALL resets every setting, including the read-only session and timeouts');
  } else if (target === 'DISCARD_TEMP') {
    ctx.emit({ class: 'write', rule: 'discard-temp', message: 'DISCARD TEMP drops temporary tables', loc: ctx.fallback, source: 'statement' });
  } else if (target !== 'DISCARD_PLANS' && target !== 'DISCARD_SEQUENCES') {
    ctx.fail(`DISCARD of unknown target ${target ?? '?'}`);
  }
};

export function sessionHandlers(): Array<[string, NodeHandler]> {
  return [
    ['VariableSetStmt', variableSet],
    ['VariableShowStmt', neutral],
    ['TransactionStmt', transaction],
    ['DiscardStmt', discard],
    ['ConstraintsSetStmt', neutral],
  ];
}
