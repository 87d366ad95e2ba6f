import type { SqlSchema } from '@gatehouse/gateway-core/contract';
import { monaco, SQL_LANGUAGE } from './monaco-setup';
import { quoteIdent } from './quote-ident';

type Relation = SqlSchema['schemas'][number]['relations'][number];

/**
 * Completion providers are global per language in Monaco, while each editor tab talks to its own
 * connection; so the provider looks up the schema of the model it is asked about.
 */
const schemaByModel = new Map<string, SqlSchema>();

export function setModelSchema(model: monaco.editor.ITextModel, schema: SqlSchema | null): void {
  if (schema) schemaByModel.set(model.uri.toString(), schema);
  else schemaByModel.delete(model.uri.toString());
}

const KEYWORDS = [
  'SELECT', 'FROM', 'WHERE', 'JOIN', 'LEFT JOIN', 'INNER JOIN', 'ON', 'GROUP BY', 'ORDER BY', 'HAVING',
  'LIMIT', 'OFFSET', 'DISTINCT', 'AS', 'AND', 'OR', 'NOT', 'IN', 'IS NULL', 'IS NOT NULL', 'ILIKE', 'LIKE',
  'COUNT(*)', 'WITH', 'UNION ALL', 'EXPLAIN', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'DESC', 'ASC',
];

const unquote = (id: string): string => (id.startsWith('"') && id.endsWith('"') ? id.slice(1, -1).replaceAll('""', '"') : id.toLowerCase());

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const FROM_CLAUSE = new RegExp(String.raw`\b(?:from|join)\s+(${IDENT}(?:\s*\.\s*${IDENT})?)(?:\s+(?:as\s+)?(${IDENT}))?`, 'gi');
const NOT_ALIAS = new Set(['where', 'join', 'left', 'right', 'inner', 'outer', 'full', 'cross', 'on', 'group', 'order', 'limit', 'natural', 'using', 'union', 'offset', 'window']);

function findRelation(schema: SqlSchema, qualified: string): Relation | undefined {
  const parts = qualified.split(/\s*\.\s*/).map(unquote);
  const [a, b] = parts;
  if (b !== undefined) return schema.schemas.find((s) => s.name === a)?.relations.find((r) => r.name === b);
  // Unqualified: search_path is usually public first, then any schema.
  const inPublic = schema.schemas.find((s) => s.name === 'public')?.relations.find((r) => r.name === a);
  return inPublic ?? schema.schemas.flatMap((s) => s.relations).find((r) => r.name === a);
}

/** Relations named in FROM/JOIN clauses, by table name and by alias. */
function relationsInText(schema: SqlSchema, text: string): Map<string, Relation> {
  const found = new Map<string, Relation>();
  for (const match of text.matchAll(FROM_CLAUSE)) {
    const rel = match[1] ? findRelation(schema, match[1]) : undefined;
    if (!rel) continue;
    found.set(rel.name, rel);
    const alias = match[2] ? unquote(match[2]) : undefined;
    if (alias && !NOT_ALIAS.has(alias)) found.set(alias, rel);
  }
  return found;
}

function provide(model: monaco.editor.ITextModel, position: monaco.Position): monaco.languages.CompletionList {
  const schema = schemaByModel.get(model.uri.toString());
  const word = model.getWordUntilPosition(position);
  const range = new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn);
  const K = monaco.languages.CompletionItemKind;
  const before = model.getValueInRange(new monaco.Range(position.lineNumber, 1, position.lineNumber, word.startColumn));
  const qualifier = new RegExp(String.raw`(${IDENT})\s*\.\s*$`).exec(before)?.[1];
  if (!schema) return { suggestions: [] };

  if (qualifier) {
    const name = unquote(qualifier);
    const inSchema = schema.schemas.find((s) => s.name === name);
    if (inSchema) {
      return {
        suggestions: inSchema.relations.map((r) => ({ label: r.name, kind: K.Struct, detail: r.kind, insertText: quoteIdent(r.name), range })),
      };
    }
    const rel = relationsInText(schema, model.getValue()).get(name) ?? findRelation(schema, qualifier);
    return {
      suggestions: (rel?.columns ?? []).map((c) => ({ label: c.name, kind: K.Field, detail: c.type, insertText: quoteIdent(c.name), range })),
    };
  }

  const suggestions: monaco.languages.CompletionItem[] = [];
  // Columns of the tables the statement already names come first: that is what one types most.
  const seen = new Set<string>();
  for (const rel of relationsInText(schema, model.getValue()).values()) {
    for (const c of rel.columns) {
      if (seen.has(c.name)) continue;
      seen.add(c.name);
      suggestions.push({ label: c.name, kind: K.Field, detail: `${rel.name}.${c.name} ${c.type}`, insertText: quoteIdent(c.name), range, sortText: `0${c.name}` });
    }
  }
  for (const s of schema.schemas) {
    suggestions.push({ label: s.name, kind: K.Module, detail: 'schema', insertText: quoteIdent(s.name), range, sortText: `2${s.name}` });
    for (const r of s.relations) {
      const insertText = s.name === 'public' ? quoteIdent(r.name) : `${quoteIdent(s.name)}.${quoteIdent(r.name)}`;
      suggestions.push({ label: s.name === 'public' ? r.name : `${s.name}.${r.name}`, kind: K.Struct, detail: r.kind, insertText, range, sortText: `1${r.name}` });
    }
  }
  for (const k of KEYWORDS) suggestions.push({ label: k, kind: K.Keyword, insertText: k, range, sortText: `3${k}` });
  return { suggestions };
}

let registered = false;
export function registerSqlCompletion(): void {
  if (registered) return;
  registered = true;
  monaco.languages.registerCompletionItemProvider(SQL_LANGUAGE, { triggerCharacters: ['.'], provideCompletionItems: provide });
}
