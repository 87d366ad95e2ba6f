import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { GatehouseError } from '../bridge/gatehouse-error.js';

/** A config or policy problem pointing at the line a user must fix. Nothing of the file is applied. */
export class ConfigError extends GatehouseError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super('invalid_input', `${file}${line === undefined ? '' : `:${line}`}: ${reason}`);
    this.name = 'ConfigError';
  }
}

export function readYamlFile<S extends z.ZodType>(path: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(path, undefined, code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? 'error'})`);
  }
  return parseYamlDocument(text, schema, path);
}

/** Parses YAML and validates it whole; the first problem is reported with its line. */
export function parseYamlDocument<S extends z.ZodType>(text: string, schema: S, fileName: string): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0]?.line;
    throw new ConfigError(fileName, line, yamlError.message.split('\n')[0] ?? 'invalid YAML');
  }
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    // For an unknown key, point at the key itself rather than at the object holding it.
    const path = issue.code === 'unrecognized_keys' && issue.keys[0] ? [...issue.path, issue.keys[0]] : issue.path;
    const line = lineOf(doc, lineCounter, path);
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new ConfigError(fileName, line, `${where}${issue.message}`);
  }
  return parsed.data;
}

/** Walks up the issue path until a node with a source position is found. */
function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}
