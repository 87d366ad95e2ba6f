import { createHash } from 'node:crypto';

export type ActionKind = 'sql' | 'shell' | 'access';

/**
 * The text a grant is bound to. Only differences that cannot change what runs are removed:
 * CRLF line endings and whitespace around the whole text. Anything else (a changed literal, an
 * extra clause, different spacing inside the statement) is a different action.
 */
export function normaliseAction(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

/** SHA-256 (hex) over the kind and the normalised text, so a shell line never passes as SQL. */
export function actionHash(kind: ActionKind, text: string): string {
  return createHash('sha256').update(`${kind}\n${normaliseAction(text)}`).digest('hex');
}
