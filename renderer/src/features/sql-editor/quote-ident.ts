/** Identifiers the way PostgreSQL needs them: bare when plain lower-case, otherwise double-quoted. */
export const quoteIdent = (id: string): string => (/^[a-z_][a-z0-9_$]*$/.test(id) ? id : `"${id.replaceAll('"', '""')}"`);
