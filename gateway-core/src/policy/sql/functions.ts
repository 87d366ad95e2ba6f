/**
 * Function lists: which calls change state (write) and which reach outside the data the role
 * may see, run arbitrary SQL text, or administer the server (dangerous).
 *
 * Names are matched on the LAST name part, lower-cased, whatever the schema: the parser has already
 * decoded quoted and U&"\XXXX" identifiers, and a same-named function in another schema (or a
 * quoted "PG_READ_FILE") is at least as suspicious as the built-in. Column notation
 * (`('.'::text).pg_ls_dir`) also calls a function in PostgreSQL, so the walker checks those names too.
 */
import type { SqlClass } from './types.js';

export interface FunctionVerdict {
  readonly class: Exclude<SqlClass, 'read'>;
  readonly why: string;
}

const DANGEROUS: Readonly<Record<string, string>> = {
  // Server file system access (bypasses every table-level control).
  pg_read_file: 'reads a file on the database server',
  pg_read_binary_file: 'reads a file on the database server',
  pg_stat_file: 'inspects a file on the database server',
  pg_file_write: 'writes a file on the database server',
  pg_file_rename: 'renames a file on the database server',
  pg_file_unlink: 'deletes a file on the database server',
  pg_file_sync: 'touches a file on the database server',
  pg_file_read: 'reads a file on the database server',
  pg_logdir_ls: 'lists the server log directory',
  lo_import: 'reads a server file into a large object',
  lo_export: 'writes a large object to a server file',
  lo_unlink: 'deletes a large object',
  // Executes an SQL string the guard cannot see, or dumps whole tables past column masking.
  query_to_xml: 'executes an SQL string the guard cannot inspect',
  query_to_xmlschema: 'executes an SQL string the guard cannot inspect',
  query_to_xml_and_xmlschema: 'executes an SQL string the guard cannot inspect',
  cursor_to_xml: 'reads a cursor whose query the guard may not have seen',
  cursor_to_xmlschema: 'reads a cursor whose query the guard may not have seen',
  table_to_xml: 'dumps a whole table as one XML value, past column masking',
  table_to_xmlschema: 'dumps a table definition by name',
  table_to_xml_and_xmlschema: 'dumps a whole table as one XML value, past column masking',
  schema_to_xml: 'dumps a whole schema as one XML value, past column masking',
  schema_to_xmlschema: 'dumps a schema definition',
  schema_to_xml_and_xmlschema: 'dumps a whole schema as one XML value, past column masking',
  database_to_xml: 'dumps the whole database as one XML value, past column masking',
  database_to_xmlschema: 'dumps the database definition',
  database_to_xml_and_xmlschema: 'dumps the whole database as one XML value, past column masking',
  ts_stat: 'executes an SQL string the guard cannot inspect',
  ts_rewrite: 'may execute an SQL string the guard cannot inspect',
  // Other sessions and the server process.
  pg_terminate_backend: 'terminates another session',
  pg_cancel_backend: 'cancels another session\'s query',
  pg_reload_conf: 'reloads the server configuration',
  pg_rotate_logfile: 'rotates the server log',
  pg_rotate_logfile_old: 'rotates the server log',
  pg_promote: 'promotes a standby to primary',
  pg_switch_wal: 'forces a WAL switch',
  pg_switch_xlog: 'forces a WAL switch',
  pg_create_restore_point: 'creates a WAL restore point',
  pg_start_backup: 'starts a server backup',
  pg_stop_backup: 'stops a server backup',
  pg_backup_start: 'starts a server backup',
  pg_backup_stop: 'stops a server backup',
  pg_wal_replay_pause: 'pauses WAL replay',
  pg_wal_replay_resume: 'resumes WAL replay',
  pg_xlog_replay_pause: 'pauses WAL replay',
  pg_xlog_replay_resume: 'resumes WAL replay',
  pg_log_backend_memory_contexts: 'writes into the server log',
  pg_log_standby_snapshot: 'writes into the WAL',
  pg_import_system_collations: 'creates catalog entries',
  pg_extension_config_dump: 'changes extension catalog state',
  pg_truncate_visibility_map: 'truncates a relation\'s visibility map',
  pg_stat_statements_reset: 'erases query statistics',
  // Settings: set_config can turn off the read-only session and the statement timeout.
  set_config: 'changes a server setting (may disable the read-only session)',
  // Raw page access reads tuples past row security and column masking.
  get_raw_page: 'reads raw table pages past masking',
  heap_page_items: 'reads raw tuples past masking',
  heap_page_item_attrs: 'reads raw tuples past masking',
  tuple_data_split: 'decodes raw tuples past masking',
  bt_page_items: 'reads raw index pages past masking',
  brin_page_items: 'reads raw index pages past masking',
  gin_leafpage_items: 'reads raw index pages past masking',
  hash_page_items: 'reads raw index pages past masking',
  page_header: 'reads raw pages',
  fsm_page_contents: 'reads raw pages',
};

/** Prefix families: each member shares the threat of the family. */
const DANGEROUS_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['dblink', 'opens a connection to another database and runs SQL there'],
  ['pg_ls_', 'lists a directory on the database server'],
  ['pg_read_', 'reads a file on the database server'],
  ['pg_file_', 'touches a file on the database server'],
  ['pg_logical_', 'reads or writes logical replication state (may expose every table\'s changes)'],
  ['pg_replication_origin_', 'changes replication state'],
  ['pg_stat_reset', 'erases server statistics'],
  ['binary_upgrade_', 'manipulates catalogs for pg_upgrade'],
];

const DANGEROUS_INFIXES: ReadonlyArray<readonly [string, string]> = [
  ['replication_slot', 'creates, drops or advances a replication slot'],
];

const WRITE: Readonly<Record<string, string>> = {
  nextval: 'advances a sequence',
  setval: 'sets a sequence',
  txid_current: 'assigns a transaction id',
  pg_current_xact_id: 'assigns a transaction id',
  pg_notify: 'sends a notification to other sessions',
  lo_create: 'creates a large object',
  lo_creat: 'creates a large object',
  lo_from_bytea: 'creates a large object',
  lo_put: 'writes into a large object',
  lo_write: 'writes into a large object',
  lowrite: 'writes into a large object',
  lo_truncate: 'truncates a large object',
  lo_truncate64: 'truncates a large object',
  lo_open: 'opens a large object (possibly for writing)',
  pg_set_relation_stats: 'overwrites planner statistics',
  pg_set_attribute_stats: 'overwrites planner statistics',
  pg_restore_relation_stats: 'overwrites planner statistics',
  pg_restore_attribute_stats: 'overwrites planner statistics',
  pg_clear_relation_stats: 'clears planner statistics',
  pg_clear_attribute_stats: 'clears planner statistics',
};

const WRITE_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['pg_advisory_', 'takes or releases an advisory lock held beyond the statement'],
  ['pg_try_advisory_', 'takes an advisory lock held beyond the statement'],
];

/** Verdict for a function name (any case, any schema); null when the call is a plain read. */
export function judgeFunction(name: string): FunctionVerdict | null {
  const n = name.toLowerCase();
  const exact = DANGEROUS[n];
  if (exact !== undefined) return { class: 'dangerous', why: exact };
  for (const [prefix, why] of DANGEROUS_PREFIXES) if (n.startsWith(prefix)) return { class: 'dangerous', why };
  for (const [infix, why] of DANGEROUS_INFIXES) if (n.includes(infix)) return { class: 'dangerous', why };
  const write = WRITE[n];
  if (write !== undefined) return { class: 'write', why: write };
  for (const [prefix, why] of WRITE_PREFIXES) if (n.startsWith(prefix)) return { class: 'write', why };
  return null;
}

/** `a.b.c` from a funcname list of String nodes; unknown node shapes yield null (caller fails closed). */
export function qualifiedName(parts: unknown): { full: string; last: string } | null {
  if (!Array.isArray(parts) || parts.length === 0) return null;
  const names: string[] = [];
  for (const part of parts) {
    const sval = (part as { String?: { sval?: unknown } } | null)?.String?.sval;
    if (typeof sval !== 'string') return null;
    names.push(sval);
  }
  return { full: names.join('.'), last: names[names.length - 1]! };
}
