import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { BULLET, createMasker, createMaskingTransform, createStreamMasker } from '../../src/masking/index.js';

const masker = createMasker({ detectors: 'all' });
const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '');

/** Feeds chunks, then end(); returns everything emitted. */
function run(chunks: Array<string | Uint8Array>): string {
  const sm = createStreamMasker(masker, { flushMs: 5 });
  let out = '';
  for (const c of chunks) out += sm.write(c);
  return out + sm.end();
}

describe('stream masker: values split across chunks', () => {
  const text = 'paid with 4111 1111 1111 1111 on 2024-01-05, mail jane.doe@example.com ok\n';
  it('every split point of a card and an email is still masked', () => {
    const whole = run([text]);
    expect(whole).toBe(masker.maskText(text).text);
    for (let i = 0; i <= text.length; i++) {
      const out = run([text.slice(0, i), text.slice(i)]);
      expect(out, `split at ${i}`).not.toContain('4111 1111 1111 1111');
      expect(out, `split at ${i}`).not.toContain('jane.doe@example.com');
      expect(out, `split at ${i}`).toBe(whole);
    }
  });

  it('three-way splits and byte-by-byte input', () => {
    for (let i = 10; i < 30; i++) {
      for (let j = i; j < 80; j += 7) {
        expect(run([text.slice(0, i), text.slice(i, j), text.slice(j)])).not.toMatch(/4111 1111 1111 1111|jane\.doe@example/);
      }
    }
    // Byte-by-byte (a slow serial line): letters before '@' pass as keystrokes, but nothing after
    // the '@' and no digit of the card leaves unmasked.
    const bytes = Buffer.from(text);
    const out = run(Array.from(bytes, (b) => Buffer.from([b])));
    expect(out).not.toMatch(/1111 1111 1111 1111|@example|\.com/);
    expect(out).toContain(`${BULLET.repeat(4)} ${BULLET.repeat(4)} ${BULLET.repeat(4)} 1111`);
  });

  it('a PEM block split over many chunks vanishes whole', () => {
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${'MIIEowIBAAKCAQEAx'.repeat(20)}\n-----END RSA PRIVATE KEY-----\n$ `;
    const chunks = pem.match(/[\s\S]{1,37}/g)!;
    const out = run(chunks);
    expect(out).not.toContain('MIIEow');
    expect(out).toContain('[masked:pem-private-key]');
    expect(out.endsWith('$ ')).toBe(true);
  });
});

describe('stream masker: ANSI escapes', () => {
  it('a colour code in the middle of a card does not hide it, and escapes are kept intact', () => {
    const input = 'card 4111 1111 \x1b[31m1111 1111\x1b[0m end';
    const out = run([input]);
    expect(stripAnsi(out)).toBe(`card ${BULLET.repeat(4)} ${BULLET.repeat(4)} ${BULLET.repeat(4)} 1111 end`);
    expect(out).toContain('\x1b[31m');
    expect(out).toContain('\x1b[0m');
  });

  it('never splits an escape sequence, even when the chunk boundary falls inside one', () => {
    const input = 'a \x1b[38;5;196mred\x1b[0m 4111111111111111 \x1b]0;title\x07z';
    for (let i = 0; i <= input.length; i++) {
      const sm = createStreamMasker(masker, {});
      const outs = [sm.write(input.slice(0, i)), sm.write(input.slice(i)), sm.end()];
      for (const o of outs) {
        // Each emitted chunk holds only whole escapes.
        expect(o.replace(/\x1b\[[0-9;]*m|\x1b\][^\x07]*\x07/g, '')).not.toContain('\x1b');
      }
      expect(outs.join('')).toContain('\x1b[38;5;196m');
      expect(outs.join('')).not.toContain('4111111111111111');
    }
  });

  it('masks values inside OSC payloads (titles, hyperlinks) but keeps the sequence', () => {
    const out = run(['\x1b]8;;mailto:jane@example.com\x1b\\link\x1b]8;;\x1b\\ \x1b]0;ssh 10.1.2.3\x07']);
    expect(out).not.toContain('jane@example.com');
    expect(out).not.toContain('10.1.2.3');
    expect(out.startsWith('\x1b]8;;mailto:j')).toBe(true);
    expect(out).toContain('\x1b\\link\x1b]8;;\x1b\\');
  });
});

describe('stream masker: encoding and timing', () => {
  it('handles multi-byte UTF-8 split across Buffer chunks', () => {
    const s = 'Zoë → 🎉 jane@example.com ✓';
    const bytes = Buffer.from(s);
    for (let i = 0; i <= bytes.length; i++) {
      const out = run([bytes.subarray(0, i), bytes.subarray(i)]);
      expect(out).toBe(masker.maskText(s).text);
    }
  });

  it('a single keystroke echo passes through immediately', () => {
    const sm = createStreamMasker(masker, { flushMs: 50 });
    expect(sm.write('l')).toBe('l');
    expect(sm.write('s')).toBe('s');
    expect(sm.write('\r\n')).toBe('\r\n');
    expect(sm.write('$ ')).toBe('$ ');
    expect(sm.pending).toBe(0);
  });

  it('holds only a plausible value prefix and flushes it on a timer, masked', async () => {
    const got: string[] = [];
    const sm = createStreamMasker(masker, { flushMs: 5, onData: (s) => got.push(s) });
    expect(sm.write('total rows: 3\nnext card 4111 1111 1111 1111')).toBe('total rows: 3\nnext card ');
    expect(sm.pending).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 40));
    expect(got.join('')).toBe(`${BULLET.repeat(4)} ${BULLET.repeat(4)} ${BULLET.repeat(4)} 1111`);
    expect(sm.pending).toBe(0);
  });

  it('a value continued after a timer flush still has its remainder masked', async () => {
    const got: string[] = [];
    const sm = createStreamMasker(masker, { flushMs: 2, onData: (s) => got.push(s) });
    got.push(sm.write('mail jane.doe@exa'));
    await new Promise((r) => setTimeout(r, 30));
    got.push(sm.write('mple.com done\n'));
    const out = got.join('');
    expect(out).not.toContain('example.com');
    expect(out).toContain('done');
  });

  it('bounds the held tail by holdBackBytes', () => {
    const sm = createStreamMasker(masker, { holdBackBytes: 64 });
    sm.write('x'.repeat(10_000));
    expect(sm.pending).toBeLessThanOrEqual(64);
  });

  it('works as a Node Transform', async () => {
    const t = createMaskingTransform(masker, { flushMs: 2 });
    const parts: string[] = [];
    t.on('data', (d: Buffer | string) => parts.push(String(d)));
    const done = new Promise((r) => t.on('end', r));
    t.write(Buffer.from('ssn 123-45-'));
    t.write(Buffer.from('6789 and 4111 1111 1111 1111\n'));
    t.end();
    await done;
    const out = parts.join('');
    expect(out).toBe(`ssn ${BULLET.repeat(3)}-${BULLET.repeat(2)}-6789 and ${BULLET.repeat(4)} ${BULLET.repeat(4)} ${BULLET.repeat(4)} 1111\n`);
  });
});
