/** Client byte streams for the parser and fuzz tests. */
import { frame } from '../../src/pg-listener/backend-messages.js';
import * as fe from '../../src/pg-listener/frontend-encode.js';
import { GSSENC_REQUEST_CODE, PROTOCOL_3_0, SSL_REQUEST_CODE } from '../../src/pg-listener/frontend-messages.js';

export function startupPacket(params: Record<string, string>, protocol = PROTOCOL_3_0): Buffer {
  const body = Buffer.concat([...Object.entries(params).flatMap(([k, v]) => [Buffer.from(`${k}\0${v}\0`)]), Buffer.from([0])]);
  const out = Buffer.alloc(8 + body.length);
  out.writeInt32BE(out.length, 0);
  out.writeInt32BE(protocol, 4);
  body.copy(out, 8);
  return out;
}

export function codePacket(code: number, ...ints: number[]): Buffer {
  const out = Buffer.alloc(8 + 4 * ints.length);
  out.writeInt32BE(out.length, 0);
  out.writeInt32BE(code, 4);
  ints.forEach((n, i) => out.writeInt32BE(n, 8 + 4 * i));
  return out;
}

/** A valid session from the client's side: startup, then one of every regular message. */
export function validStream(): Buffer {
  const sasl = Buffer.concat([Buffer.from('SCRAM-SHA-256\0'), Buffer.from([0, 0, 0, 3]), Buffer.from('abc')]);
  return Buffer.concat([
    codePacket(SSL_REQUEST_CODE),
    codePacket(GSSENC_REQUEST_CODE),
    startupPacket({ user: 'erin', database: 'prod-main', application_name: 'psql' }),
    frame('p', sasl),
    fe.encodeQuery('SELECT 1; SELECT \'é\''),
    fe.encodeParse('s1', 'SELECT $1::int', [23]),
    fe.encodeBind('p1', 's1', [0], [Buffer.from('42')], [1]),
    fe.encodeBind('', '', [], [null], []),
    fe.encodeDescribe('S', 's1'),
    fe.encodeDescribe('P', 'p1'),
    fe.encodeExecute('p1', 10),
    fe.encodeClose('P', 'p1'),
    fe.encodeClose('S', 's1'),
    fe.FLUSH,
    fe.SYNC,
    frame('F', Buffer.from([0, 0, 4, 0, 0, 0])),
    frame('d', Buffer.from('1\tx\n')),
    frame('c'),
    frame('f', Buffer.from('stop\0')),
    frame('X'),
  ]);
}

