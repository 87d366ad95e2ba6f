/** DataRow rewriting in place: replaced values, NULLs and untouched bytes, lengths recomputed. */
import { describe, expect, it } from 'vitest';
import { frame, rewriteDataRow } from '../../src/pg-listener/backend-messages.js';

function dataRow(values: (string | null)[]): Buffer {
  const parts: Buffer[] = [Buffer.from([values.length >> 8, values.length & 0xff])];
  for (const v of values) {
    const len = Buffer.alloc(4);
    if (v === null) {
      len.writeInt32BE(-1, 0);
      parts.push(len);
    } else {
      const b = Buffer.from(v, 'utf8');
      len.writeInt32BE(b.length, 0);
      parts.push(len, b);
    }
  }
  return frame('D', Buffer.concat(parts));
}

describe('rewriteDataRow', () => {
  it('replaces, nulls and keeps values with the right lengths', () => {
    const raw = dataRow(['ada@example.com', null, '', 'été', '123-45-6789']);
    const out = rewriteDataRow(raw, ['a••@example.com', undefined, undefined, null, '••••••']);
    expect(out).toEqual(dataRow(['a••@example.com', null, '', null, '••••••']));
    expect(rewriteDataRow(raw, new Array(5))).toEqual(raw);
  });
});
