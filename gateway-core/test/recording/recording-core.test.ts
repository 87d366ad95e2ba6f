// The recording core on its own: format, hash chain, tampering, crash shapes, keyframes, spool.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatehouseError } from '../../src/bridge/gatehouse-error.js';
import { createMasker } from '../../src/masking/index.js';
import { KeyframeModel } from '../../src/recording/keyframes.js';
import { indexPathFor } from '../../src/recording/recording-format.js';
import { readRecording } from '../../src/recording/read-recording.js';
import { Recordings } from '../../src/recording/recordings.js';
import { createSqlRecorder } from '../../src/recording/sql-recorder.js';
import { createTerminalRecorder } from '../../src/recording/terminal-recorder.js';
import { parseIndex, verifyParsed, verifyRecording } from '../../src/recording/verify.js';
import { parseAsciicastStrict, quietLogger, replay } from './recording-helpers.js';

const masker = createMasker({ detectors: 'all', columns: {} });
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gh-rec-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A closed terminal recording with a few events, on a fake clock. */
async function sample(name = 'a.cast', n = 8): Promise<string> {
  let now = 0;
  const rec = createTerminalRecorder({ path: join(dir, name), sessionId: 's1', user: 'engineer', connectionId: 'c1', cols: 80, rows: 24, recordInput: true, masker, logger: quietLogger, now: () => now });
  for (let i = 0; i < n; i++) {
    now += 100;
    rec.output(`line ${i}\r\n`);
  }
  rec.resize(100, 30);
  rec.marker({ type: 'guard', action: 'deny', rule: 'rm-rf', reason: 'recursive delete', command: 'rm -rf /' });
  rec.input('echo 4111 1111 1111 1111\r');
  await rec.close();
  return rec.path;
}

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').slice(0, -1);
}

describe('terminal recordings', () => {
  it('are valid asciicast v2 with Gatehouse metadata, markers, resizes and masked input', async () => {
    const path = await sample();
    const { header, events } = parseAsciicastStrict(path);
    expect(header).toMatchObject({ version: 2, width: 80, height: 24, env: { TERM: 'xterm-256color' }, gatehouse: { sessionId: 's1', user: 'engineer', connectionId: 'c1', kind: 'terminal' } });
    expect(events[0]).toEqual([0.1, 'o', 'line 0\r\n']);
    expect(events.find((e) => e[1] === 'r')).toEqual([0.8, 'r', '100x30']);
    const marker = JSON.parse(events.find((e) => e[1] === 'm')![2]) as Record<string, string>;
    expect(marker).toMatchObject({ type: 'guard', action: 'deny', rule: 'rm-rf', command: 'rm -rf /' });
    const input = events.filter((e) => e[1] === 'i').map((e) => e[2]).join('');
    expect(input).toContain('echo ');
    expect(input).not.toContain('4111 1111 1111 1111');
    const back = await readRecording(path);
    expect(back.kind).toBe('terminal');
    expect(back.verify).toMatchObject({ intact: true, sealed: true, events: events.length + 1 });
  });

  it('verify names the first changed, removed, reordered or inserted event', async () => {
    const path = await sample();
    expect(await verifyRecording(path)).toMatchObject({ intact: true, sealed: true, events: 12 });
    const original = await lines(path);
    const write = (ls: string[]) => writeFile(path, ls.map((l) => `${l}\n`).join(''));

    await write(original.map((l, i) => (i === 3 ? l.replace('line 2', 'line X') : l)));
    expect(await verifyRecording(path)).toMatchObject({ intact: false, firstBrokenEvent: 3, reason: 'changed' });

    await write(original.filter((_, i) => i !== 4));
    expect(await verifyRecording(path)).toMatchObject({ intact: false, firstBrokenEvent: 4, reason: 'removed' });

    const swapped = [...original];
    [swapped[5], swapped[6]] = [swapped[6]!, swapped[5]!];
    await write(swapped);
    expect(await verifyRecording(path)).toMatchObject({ intact: false, firstBrokenEvent: 5, reason: 'reordered' });

    await write([...original.slice(0, 2), '[0.15,"o","injected"]', ...original.slice(2)]);
    expect(await verifyRecording(path)).toMatchObject({ intact: false, firstBrokenEvent: 2, reason: 'inserted' });

    await write(original.slice(0, -2));
    expect(await verifyRecording(path)).toMatchObject({ intact: false, firstBrokenEvent: 10, reason: 'truncated' });

    // A single flipped byte, anywhere in a line (here inside the header's metadata).
    const bytes = Buffer.from(original.map((l) => `${l}\n`).join(''));
    bytes[bytes.indexOf('engineer')] = 'E'.charCodeAt(0);
    await writeFile(path, bytes);
    expect(await verifyRecording(path)).toMatchObject({ intact: false, firstBrokenEvent: 0, reason: 'changed' });

    await write(original);
    expect(await verifyRecording(path)).toMatchObject({ intact: true });
  });

  it('after a crash: accepts a cut last line, unindexed trailing lines, and a lost last batch only', async () => {
    const path = await sample('b.cast');
    const data = await readFile(path);
    const index = parseIndex(await readFile(indexPathFor(path)));
    const unsealed = { ...index, end: undefined };
    // The recording's part of a batch written, the index's not: excluded, not vouched for.
    const behind = { ...unsealed, chain: unsealed.chain.slice(0, 9) };
    expect(verifyParsed(data, behind)).toMatchObject({ intact: true, sealed: false, events: 9, unindexed: 3 });
    // A write cut in the middle of the last line.
    const cut = data.subarray(0, data.length - 5);
    expect(verifyParsed(cut, unsealed)).toMatchObject({ intact: true, events: 11, lost: 1, truncatedBytes: index.chain[11]!.len - 4 });
    // Lines missing from the end: fine only if they were all in the index's last flush batch.
    const lastTwo = data.subarray(0, index.chain[10]!.off);
    const sameBatch = { ...unsealed, chain: unsealed.chain.map((e) => ({ ...e, b: e.seq >= 10 ? 7 : 6 })) };
    expect(verifyParsed(lastTwo, sameBatch)).toMatchObject({ intact: true, events: 10, lost: 2 });
    const twoBatches = { ...unsealed, chain: unsealed.chain.map((e) => ({ ...e, b: e.seq >= 11 ? 7 : 6 })) };
    expect(verifyParsed(lastTwo, twoBatches)).toMatchObject({ intact: false, firstBrokenEvent: 10, reason: 'truncated' });
    // Sealed recordings accept none of it.
    expect(verifyParsed(cut, index)).toMatchObject({ intact: false, reason: 'truncated' });
  });

  it('seeking through the nearest keyframe shows the same screen as replaying from the start', async () => {
    let now = 0;
    const rec = createTerminalRecorder({ path: join(dir, 'k.cast'), sessionId: 's', user: 'u', connectionId: 'c', cols: 40, rows: 10, recordInput: false, masker, logger: quietLogger, now: () => now, keyframeIntervalSec: 5 });
    for (let i = 0; i < 300; i++) {
      now += 250;
      rec.output(i % 37 === 0 ? '\x1b[2J\x1b[H' : `\x1b[3${i % 8}mrow ${i} ${'#'.repeat(i % 50)}\x1b[0m\r\n`);
      if (i === 120) rec.resize(60, 12);
      if (i === 200) rec.output('\x1b[?1049hin the alternate screen\r\n');
      if (i === 230) rec.output('\x1b[?1049l');
    }
    // close() lets snapshots still being parsed finish, so the last keyframes are kept.
    await rec.close();
    const back = await readRecording(rec.path);
    if (back.kind !== 'terminal') throw new Error('kind');
    expect(back.keyframes.length).toBeGreaterThanOrEqual(10);
    const events = back.events.map((e) => [e[0], e[1], e[2]] as const);
    for (const target of [7.3, 31, 50.1, 55.9, 74]) {
      // Events are lines 1..n of the file; keyframe.seq is a line number.
      const upTo = events.filter((e) => e[0] <= target);
      const full = await replay(40, 10, upTo);
      const kf = [...back.keyframes].reverse().find((k) => k.t <= target)!;
      const seeked = await replay(kf.cols, kf.rows, events.slice(kf.seq, upTo.length), kf.screen);
      expect(seeked, `seek to ${target}s via keyframe at ${kf.t}s`).toEqual(full);
    }
  });


  it('gives up keyframes (not the recording) when bulk output outruns the screen model', async () => {
    const model = new KeyframeModel(80, 24, 1000);
    const snap = model.snapshot();
    for (let i = 0; i < 30; i++) model.write('x'.repeat(100));
    expect(model.active).toBe(false);
    expect(await snap).toBeUndefined();
    expect(await model.snapshot()).toBeUndefined();
  });
});

describe('SQL recordings', () => {
  it('record statement, decision, columns, capped rows with the count, errors and cancels', async () => {
    const rec = createSqlRecorder({ path: join(dir, 'q.sql.jsonl'), sessionId: 'q', user: 'engineer', connectionId: 'db', logger: quietLogger, maxRowsPerStatement: 2 });
    const run = rec.statement("SELECT * FROM customers WHERE email = 'jane.doe@example.com'", masker);
    rec.decision(run, { action: 'allow', class: 'read', rule: 'read', reason: 'reads only' }, masker);
    rec.result(run, {
      results: [{ status: 'rows', queryId: 'x.1', columns: [{ name: 'id', type: 'int4' }], rows: [[{ v: '1' }], [{ v: '2' }], [{ v: '3' }]], hasMore: false, rowCount: 3, capped: false, rowCap: 10, durationMs: 1 }],
      notices: [],
    });
    const r2 = rec.statement('DROP TABLE customers', masker);
    rec.decision(r2, { action: 'deny', class: 'dangerous', rule: 'dangerous', reason: 'drops a table' }, masker);
    rec.result(r2, { results: [{ status: 'error', error: { message: 'boom', sqlstate: '23505' }, durationMs: 2 }], notices: ['hello'] });
    rec.cancel();
    await rec.close();
    const back = await readRecording(rec.path);
    if (back.kind !== 'sql') throw new Error('kind');
    expect(back.header.gatehouse).toMatchObject({ sessionId: 'q', user: 'engineer', connectionId: 'db', kind: 'sql' });
    expect(back.events.map((e) => e.type)).toEqual(['statement', 'decision', 'columns', 'rows', 'statement', 'decision', 'error', 'notice', 'cancel']);
    expect(back.events[0]).toMatchObject({ type: 'statement', run: 0, via: 'editor' });
    expect(JSON.stringify(back.events[0])).not.toContain('jane.doe@example.com');
    expect(back.events[3]).toMatchObject({ type: 'rows', rows: [[{ v: '1' }], [{ v: '2' }]], rowCount: 3, more: false });
    expect(await verifyRecording(rec.path)).toMatchObject({ intact: true, events: 10 });
  });
});

describe('the spool', () => {
  it('refuses new sessions when full, and stops running ones past the overflow with a marker', async () => {
    const recordings = new Recordings({ dir, maxBytes: 4000, flushIntervalMs: 10 }, quietLogger);
    const warnings: string[] = [];
    recordings.onWarning((w) => warnings.push(w.level));
    const stopped: string[] = [];
    const rec = recordings.terminal({ sessionId: 't', user: 'u', connectionId: 'c', cols: 80, rows: 24, recordInput: false, masker, onStopped: (r) => stopped.push(r) })!;
    (recordings.spool as unknown as { overflow: number }).overflow = 2000;
    for (let i = 0; i < 100 && rec.isRecording; i++) {
      rec.output(`${'x'.repeat(100)}\r\n`);
      await new Promise((r) => setTimeout(r, 15));
    }
    expect(stopped).toEqual(['spool-full']);
    expect(warnings).toEqual(['nearly-full', 'full']);
    expect(() => recordings.sql({ sessionId: 'q', user: 'u', connectionId: 'c' })).toThrow(GatehouseError);
    await rec.close();
    const back = await readRecording(rec.path);
    expect(back.verify).toMatchObject({ intact: true, sealed: true });
    expect(back.events.at(-1)).toMatchObject([expect.any(Number), 'm', expect.stringContaining('spool-full')]);
    const idx = (await readFile(indexPathFor(rec.path), 'utf8')).trim().split('\n');
    expect(JSON.parse(idx.at(-1)!)).toMatchObject({ k: 'end', reason: 'spool-full' });
    expect(recordings.status()).toMatchObject({ level: 'full' });
    const unrecorded = new Recordings({ dir, maxBytes: 10, whenFull: 'unrecorded' }, quietLogger);
    expect(unrecorded.sql({ sessionId: 'q2', user: 'u', connectionId: 'c' })).toBeUndefined();
  });
});
