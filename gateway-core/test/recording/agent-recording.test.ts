// An AI agent's MCP tool call recorded as a session of kind `agent`: it verifies, tampering is
// detected, the arguments are masked deeply in the file, every line is checked against the
// format, and the spool refuses (or runs unrecorded) exactly as for SQL sessions.
import { readdir, readFile, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatehouseError } from '../../src/bridge/gatehouse-error.js';
import type { SqlRunResult } from '../../src/contract/sql-schemas.js';
import { createMasker } from '../../src/masking/index.js';
import { createAgentCallRecorder } from '../../src/recording/agent-recorder.js';
import { readRecording, RecordingInvalid } from '../../src/recording/read-recording.js';
import { RECORDING_FORMAT_VERSION, indexPathFor, type AgentEvent } from '../../src/recording/recording-format.js';
import { RecordingWriter } from '../../src/recording/recording-writer.js';
import { Recordings } from '../../src/recording/recordings.js';
import { verifyRecording } from '../../src/recording/verify.js';
import { quietLogger } from './recording-helpers.js';

const masker = createMasker({ detectors: 'all', columns: {} });
const EMAIL = 'jane.doe@example.com';
const CARD = '4111 1111 1111 1111';
const CARD_DIGITS = '4111111111111111';
const OTHER_EMAIL = 'max.mustermann@example.org';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gh-rec-agent-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const result: SqlRunResult = {
  results: [
    {
      status: 'rows',
      queryId: 'q1',
      columns: [
        { name: 'id', type: 'int4' },
        { name: 'email', type: 'text' },
      ],
      rows: [
        [{ v: '1' }, { v: 'j•••@•••.com', m: 'email' }],
        [{ v: '2' }, { v: 'm•••@•••.org', m: 'email' }],
        [{ v: '3' }, { v: null }],
      ],
      hasMore: false,
      rowCount: 3,
      capped: false,
      rowCap: 500,
      durationMs: 2.5,
    },
  ],
  notices: ['a notice'],
};

/** One query tool call, recorded the way the MCP server records it, on a fake clock. */
async function recordQueryCall(path = join(dir, 'call.agent.jsonl')): Promise<string> {
  let now = 0;
  const rec = createAgentCallRecorder({
    path,
    sessionId: 'call-1',
    user: 'agent',
    connectionId: 'demo-postgres',
    tool: 'query',
    client: 'claude-desktop/1.2.0',
    mcpSession: 'mcp-7',
    logger: quietLogger,
    maxRowsPerStatement: 2,
    now: () => (now += 5),
  });
  expect(rec.isRecording).toBe(true);
  rec.input(
    {
      sql: `SELECT id, email FROM customers WHERE email = '${EMAIL}' OR card = '${CARD}'`,
      limit: 10,
      nested: { emails: [OTHER_EMAIL, null, true], card: Number(CARD_DIGITS), [OTHER_EMAIL]: 'as a key' },
      skipped: undefined,
    },
    masker,
  );
  rec.decision({ action: 'approved', class: 'read', rule: 'read', reason: `allowed for ${EMAIL}`, approvalId: 'apr_9' }, masker);
  rec.approval('apr_9', 'used', `requested because ${EMAIL} asked`);
  rec.sqlResult(result);
  rec.output('result', '3 rows');
  rec.exit(0);
  rec.error(`duplicate key value: ${EMAIL}`, masker);
  await rec.close();
  expect(rec.isRecording).toBe(false);
  return rec.path;
}

describe('agent call recordings', () => {
  it('record a call as verifiable JSONL: header, call, decision, approval, results, output, exit', async () => {
    const path = await recordQueryCall();
    expect(await verifyRecording(path)).toMatchObject({ intact: true, sealed: true, events: 10 });
    const back = await readRecording(path);
    if (back.kind !== 'agent') throw new Error(`kind ${back.kind}`);
    expect(back.header).toMatchObject({
      format: 'gatehouse-agent',
      version: RECORDING_FORMAT_VERSION,
      gatehouse: { sessionId: 'call-1', user: 'agent', connectionId: 'demo-postgres', kind: 'agent', agent: { tool: 'query', client: 'claude-desktop/1.2.0', mcpSession: 'mcp-7' } },
    });
    expect(back.events.map((e) => e.type)).toEqual(['call', 'decision', 'approval', 'columns', 'rows', 'notice', 'output', 'exit', 'error']);
    expect(back.events[1]).toMatchObject({ type: 'decision', action: 'approved', class: 'read', rule: 'read', approvalId: 'apr_9' });
    expect(back.events[2]).toMatchObject({ type: 'approval', requestId: 'apr_9', status: 'used' });
    // The rows are the agent's, masked already, capped at 2 with the full count.
    expect(back.events[4]).toMatchObject({ type: 'rows', run: 0, index: 0, rowCount: 3, rows: [[{ v: '1' }, { v: 'j•••@•••.com', m: 'email' }], [{ v: '2' }, { v: 'm•••@•••.org', m: 'email' }]] });
    expect(back.events[7]).toEqual({ t: expect.any(Number), type: 'exit', code: 0 });
    const times = back.events.map((e) => e.t);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('masks the arguments deeply (strings, keys, numbers a detector knows), reasons, approval details and errors', async () => {
    const path = await recordQueryCall();
    const back = await readRecording(path);
    const call = back.events[0] as Extract<AgentEvent, { type: 'call' }>;
    expect(call.input.sql).toBe("SELECT id, email FROM customers WHERE email = 'j•••@•••.com' OR card = '•••• •••• •••• 1111'");
    expect(call.input.limit).toBe(10);
    const nested = call.input.nested as Record<string, unknown>;
    expect(nested.emails).toEqual(['m•••@•••.org', null, true]);
    expect(typeof nested.card).toBe('string');
    expect(nested.card).toContain('•');
    expect(Object.keys(nested)).toContain('m•••@•••.org');
    expect('skipped' in call.input).toBe(false);

    const all = (await readFile(path, 'utf8')) + (await readFile(indexPathFor(path), 'utf8'));
    for (const raw of [EMAIL, CARD, CARD_DIGITS, OTHER_EMAIL]) expect(all.includes(raw), raw).toBe(false);
    expect(all).toContain('allowed for j•••@•••.com');
    expect(all).toContain('requested because j•••@•••.com asked');
    expect(all).toContain('duplicate key value: j•••@•••.com');
  });

  it('detects a tampered line, and refuses a line that breaks the format even with a good chain', async () => {
    const path = await recordQueryCall();
    const original = await readFile(path, 'utf8');
    const lines = original.split('\n');
    lines[7] = lines[7]!.replace('3 rows', '0 rows');
    await writeFile(path, lines.join('\n'));
    expect(await verifyRecording(path)).toMatchObject({ intact: false, firstBrokenEvent: 7, reason: 'changed' });
    await expect(readRecording(path)).rejects.toBeInstanceOf(RecordingInvalid);

    // A well-chained recording whose event has a field the format does not know.
    const bad = new RecordingWriter({ path: join(dir, 'bad.agent.jsonl'), logger: quietLogger });
    bad.append(lines[0]!);
    bad.append(JSON.stringify({ t: 0, type: 'call', tool: 'query', input: {}, password: 'x' }));
    await bad.close();
    expect(await verifyRecording(bad.path)).toMatchObject({ intact: true });
    await expect(readRecording(bad.path)).rejects.toThrow(/line 2/);
  });

  it('caps long output with a note of what was left out, and keeps an exit signal', async () => {
    const rec = createAgentCallRecorder({ path: join(dir, 'out.agent.jsonl'), sessionId: 'c2', user: 'agent', connectionId: 'demo-ssh', tool: 'run_command', logger: quietLogger, maxOutputChars: 10 });
    rec.input({ command: 'cat big.log' }, masker);
    rec.output('stdout', 'x'.repeat(25));
    rec.output('stderr', 'short');
    rec.exit(Number.NaN, 'SIGTERM');
    await rec.close();
    const back = await readRecording(rec.path);
    expect(back.events.slice(1)).toMatchObject([
      { type: 'output', stream: 'stdout', text: `${'x'.repeat(10)}…[15 more characters]` },
      { type: 'output', stream: 'stderr', text: 'short' },
      { type: 'exit', code: -1, signal: 'SIGTERM' },
    ]);
    if (back.kind !== 'agent') throw new Error('kind');
    expect(back.header.gatehouse.agent).toEqual({ tool: 'run_command' });
  });
});

describe('agent calls in the spool', () => {
  it('are spooled as .agent.jsonl; a full spool refuses them, or runs them unrecorded', async () => {
    const recordings = new Recordings({ dir, maxBytes: 4000, flushIntervalMs: 10 }, quietLogger);
    const stopped: string[] = [];
    const rec = recordings.agentCall({ sessionId: 'call/1', user: 'agent', connectionId: '-', tool: 'list_connections', onStopped: (r) => stopped.push(r) })!;
    expect(rec.path).toMatch(/-agent-call_1\.agent\.jsonl$/);
    (recordings.spool as unknown as { overflow: number }).overflow = 2000;
    rec.input({}, masker);
    for (let i = 0; i < 100 && rec.isRecording; i++) {
      rec.output('result', 'y'.repeat(200));
      await new Promise((r) => setTimeout(r, 15));
    }
    expect(stopped).toEqual(['spool-full']);
    expect(() => recordings.agentCall({ sessionId: 'call-2', user: 'agent', connectionId: '-', tool: 'list_connections' })).toThrow(GatehouseError);
    await rec.close();
    const back = await readRecording(rec.path);
    expect(back.verify).toMatchObject({ intact: true, sealed: true });
    expect(back.events.at(-1)).toMatchObject({ type: 'marker', label: 'recording stopped: spool-full' });
    expect((await readdir(join(dir, 'spool'))).sort()).toEqual([rec.path.split('/').at(-1), `${rec.path.split('/').at(-1)}.index.jsonl`].sort());

    const unrecorded = new Recordings({ dir, maxBytes: 10, whenFull: 'unrecorded' }, quietLogger);
    expect(unrecorded.agentCall({ sessionId: 'call-3', user: 'agent', connectionId: '-', tool: 'list_connections' })).toBeUndefined();
  });
});
