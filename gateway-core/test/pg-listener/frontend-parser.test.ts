/** The strict frontend parser: every message type, framing across chunk boundaries, and violations. */
import { describe, expect, it } from 'vitest';
import { frame } from '../../src/pg-listener/backend-messages.js';
import { ProtocolError } from '../../src/pg-listener/frame-reader.js';
import * as fe from '../../src/pg-listener/frontend-encode.js';
import { CANCEL_REQUEST_CODE, FrontendParser, type FrontendMessage } from '../../src/pg-listener/frontend-messages.js';
import { codePacket, startupPacket, validStream } from './frontend-streams.js';

function types(ms: FrontendMessage[]): string[] {
  return ms.map((m) => m.type);
}

const ALL_TYPES = [
  'SSLRequest', 'GSSENCRequest', 'Startup', 'AuthResponse', 'Query', 'Parse', 'Bind', 'Bind', 'Describe', 'Describe', 'Execute',
  'Close', 'Close', 'Flush', 'Sync', 'FunctionCall', 'CopyData', 'CopyDone', 'CopyFail', 'Terminate',
];

describe('FrontendParser', () => {
  it('decodes every message type, whole or one byte at a time', () => {
    const stream = validStream();
    expect(types(new FrontendParser().push(stream))).toEqual(ALL_TYPES);
    const p = new FrontendParser();
    const out: FrontendMessage[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...p.push(stream.subarray(i, i + 1)));
    expect(types(out)).toEqual(ALL_TYPES);
    const startup = out[2] as Extract<FrontendMessage, { type: 'Startup' }>;
    expect(Object.fromEntries(startup.params)).toEqual({ user: 'erin', database: 'prod-main', application_name: 'psql' });
    const bind = out[6] as Extract<FrontendMessage, { type: 'Bind' }>;
    expect(bind).toMatchObject({ portal: 'p1', statement: 's1', paramFormats: [0], resultFormats: [1] });
    expect(bind.params[0]!.toString()).toBe('42');
    expect((out[7] as Extract<FrontendMessage, { type: 'Bind' }>).params).toEqual([null]);
    expect(out[10]).toMatchObject({ type: 'Execute', portal: 'p1', maxRows: 10 });
    // The raw frame, forwarded as it is when nothing needs rewriting.
    expect((out[10] as Extract<FrontendMessage, { type: 'Execute' }>).raw).toEqual(Buffer.from([0x45, 0, 0, 0, 11, 0x70, 0x31, 0, 0, 0, 0, 10]));
  });

  it('gives the same messages and raw frames for any split of the stream into chunks', () => {
    const stream = validStream();
    const whole = new FrontendParser().push(stream);
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 48271) % 2147483647) % n) + 1;
    for (let round = 0; round < 200; round++) {
      const p = new FrontendParser();
      const out: FrontendMessage[] = [];
      for (let i = 0; i < stream.length; ) {
        const n = rand(40);
        out.push(...p.push(stream.subarray(i, i + n)));
        i += n;
      }
      expect(out).toEqual(whole);
      expect(p.hasPartialFrame).toBe(false);
    }
  });

  it('decodes a CancelRequest', () => {
    expect(new FrontendParser().push(codePacket(CANCEL_REQUEST_CODE, 1234, -5))).toEqual([{ type: 'CancelRequest', processId: 1234, secretKey: -5 }]);
  });

  const bad: Array<[string, Buffer]> = [
    ['a startup length below 8', Buffer.from([0, 0, 0, 4, 0, 3, 0, 0])],
    ['a startup packet over 10000 bytes', Buffer.from([0, 0, 0x30, 0, 0, 3, 0, 0])],
    ['protocol 2.0', startupPacket({ user: 'x' }, 0x20000)],
    ['a startup parameter without a value', Buffer.concat([Buffer.from([0, 0, 0, 14, 0, 3, 0, 0]), Buffer.from('user\0\0')])],
    ['a duplicate startup parameter', startupPacket({ user: 'a', ['user\0a\0user']: 'b' })],
    ['trailing bytes in an SSLRequest', Buffer.concat([Buffer.from([0, 0, 0, 9]), Buffer.from([0x04, 0xd2, 0x16, 0x2f, 0])])],
  ];
  for (const [what, bytes] of bad) {
    it(`refuses ${what}`, () => {
      expect(() => new FrontendParser().push(bytes)).toThrow(ProtocolError);
    });
  }

  const afterStartup = startupPacket({ user: 'u' });
  const badRegular: Array<[string, Buffer]> = [
    ['an unknown type', frame('?', Buffer.alloc(0))],
    ['a length below 4', Buffer.from([0x51, 0, 0, 0, 3])],
    ['a negative length', Buffer.from([0x51, 0xff, 0xff, 0xff, 0xf0])],
    ['a huge declared size', Buffer.from([0x51, 0x7f, 0xff, 0xff, 0xff])],
    ['an unterminated Query', frame('Q', Buffer.from('SELECT 1'))],
    ['a Query with trailing bytes', frame('Q', Buffer.from('SELECT 1\0x'))],
    ['invalid UTF-8', frame('Q', Buffer.from([0xc3, 0x28, 0]))],
    ['a Bind with a bad format code', frame('B', Buffer.from([0, 0, 0, 1, 0, 2, 0, 0, 0, 0]))],
    ['a Bind parameter longer than the message', frame('B', Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 1, 0, 0]))],
    ['a Describe of an unknown kind', frame('D', Buffer.from('Xname\0'))],
    ['a non-empty Sync', frame('S', Buffer.from([1]))],
    ['a negative Execute limit', frame('E', Buffer.from([0, 0xff, 0xff, 0xff, 0xff]))],
  ];
  for (const [what, bytes] of badRegular) {
    it(`refuses ${what}, and stays failed`, () => {
      const p = new FrontendParser({ maxMessageBytes: 1024 });
      p.push(afterStartup);
      expect(() => p.push(bytes)).toThrow(ProtocolError);
      expect(() => p.push(fe.SYNC)).toThrow(ProtocolError);
      expect(p.bufferedBytes).toBe(0);
    });
  }

  it('refuses a message over the configured limit before buffering its body', () => {
    const p = new FrontendParser({ maxMessageBytes: 64 });
    p.push(afterStartup);
    expect(() => p.push(fe.encodeQuery('x'.repeat(100)).subarray(0, 5))).toThrow(/exceeds the limit of 64 bytes/);
  });
});
