/**
 * SQL statement guard: classifies SQL text as read / write / dangerous from the real PostgreSQL
 * parser's AST, and decides allow / approve / deny from a role's class policy.
 */
export { classifySql, clearSqlCache, initSqlGuard, isSqlGuardReady, sqlCacheStats, SQL_CACHE_CAPACITY, SQL_CACHE_MAX_TEXT } from './classifier.js';
export {
  decideSql,
  DEFAULT_SQL_ROLE,
  sqlActionSchema,
  sqlClassPolicySchema,
  SUPPORT_SQL_CLASS_POLICY,
  type SqlAction,
  type SqlClassPolicy,
  type SqlDecision,
} from './decision.js';
export { judgeFunction, type FunctionVerdict } from './functions.js';
export {
  maxClass,
  SQL_CLASS_ORDER,
  type ClassifyOptions,
  type SqlClass,
  type SqlClassification,
  type SqlFinding,
  type SqlRange,
  type SqlRefusalReason,
  type SqlStatement,
} from './types.js';
