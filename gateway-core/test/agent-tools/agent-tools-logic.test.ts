// Pure parts of the agent tools: what the model reads for a result, and the bounded wait for a
// human's decision. The tools end to end (real PostgreSQL, sshd, policy server) are tested in
// main/test/mcp through the MCP SDK's client.
import { describe, expect, it } from 'vitest';
import { HeldActions } from '../../src/agent-tools/held-actions.js';
import { CallRecording } from '../../src/agent-tools/call-recording.js';
import { MAX_OUTPUT_CHARS, outcome, runText, withRule, commandText } from '../../src/agent-tools/tool-output.js';
import { createMasker } from '../../src/masking/index.js';

const cell = (v: string | null) => ({ v });

describe('what the agent reads', () => {
  it('shows at most max_rows rows, and says how many more there were and how to see them', () => {
    const rows = Array.from({ length: 30 }, (_, i) => [cell(String(i)), cell(`a|b\nc${i}`)]);
    const { text, data } = runText({ results: [{ status: 'rows', queryId: 'q.1', columns: [{ name: 'id', type: 'int4' }, { name: 'note', type: 'text' }], rows, hasMore: true, rowCount: 30, capped: false, rowCap: 500, durationMs: 1 }], notices: [] }, 10);
    const lines = text.split('\n');
    expect(lines.slice(0, 3)).toEqual(['| id | note |', '| --- | --- |', '| 0 | a\\|b\\nc0 |']);
    expect(lines.filter((l) => l.startsWith('| '))).toHaveLength(12);
    expect(text).toContain('(10 of at least 30 rows shown. Add a LIMIT');
    expect(data).toMatchObject({ status: 'rows', rowsShown: 10, truncated: true });
  });

  it('reports a PostgreSQL error as an error with its SQLSTATE', () => {
    const r = runText({ results: [{ status: 'error', error: { message: 'relation "nope" does not exist', sqlstate: '42P01' }, durationMs: 1 }], notices: [] }, 10);
    expect(r.isError).toBe(true);
    expect(r.text).toBe('PostgreSQL error 42P01: relation "nope" does not exist');
  });

  it('caps any answer, saying how much was left out', () => {
    const long = outcome('x'.repeat(MAX_OUTPUT_CHARS + 123));
    expect(long.text.endsWith(`…[123 more characters not shown]`)).toBe(true);
  });

  it('names the rule once', () => {
    expect(withRule('dangerous denied [rule destructive-ddl]', 'destructive-ddl')).toBe('dangerous denied [rule destructive-ddl]');
    expect(withRule('recursive delete', 'rm-rf')).toBe('recursive delete [rule rm-rf]');
  });

  it('gives a command’s exit status first, then each stream', () => {
    expect(commandText({ exitCode: 2, stdout: '', stderr: 'no such file', stdoutCut: 0, stderrCut: 5 })).toBe('exit status 2\n--- stderr ---\nno such file\n…[5 more characters not shown]');
  });
});

describe('waiting for a decision', () => {
  const recording = () => new CallRecording(undefined, createMasker({ detectors: 'all' }));

  it('reports progress at once, and returns as soon as the request ends', async () => {
    const held = new HeldActions(60_000);
    held.add({ requestId: 'r1', kind: 'sql', connectionId: 'db', state: 'pending', recording: recording() });
    const progress: string[] = [];
    const waiting = held.wait('r1', 600, { progress: (p) => progress.push(p.message) });
    expect(progress).toEqual(['approval request r1 is waiting for a human approver (0 of 600 s)']);
    held.running('r1');
    held.ran('r1', outcome('UPDATE (1 row)'));
    held.settle('r1', 'ran');
    await waiting;
    expect(held.get('r1')).toMatchObject({ state: 'ran', result: { text: 'UPDATE (1 row)' } });
  });

  it('a denial ends the wait with why nothing ran; a settled request is not settled again', async () => {
    const held = new HeldActions();
    held.add({ requestId: 'r2', kind: 'shell', connectionId: 'box', state: 'pending', recording: recording() });
    const waiting = held.wait('r2', 600, {});
    held.settle('r2', 'denied (no ticket); nothing ran');
    await waiting;
    held.settle('r2', 'ran');
    expect(held.get('r2')).toMatchObject({ state: 'not-run', outcome: 'denied (no ticket); nothing ran' });
  });

  it('stops waiting when the caller goes away', async () => {
    const held = new HeldActions();
    held.add({ requestId: 'r3', kind: 'sql', connectionId: 'db', state: 'pending', recording: recording() });
    const abort = new AbortController();
    const waiting = held.wait('r3', 600, { signal: abort.signal });
    abort.abort();
    await waiting;
    expect(held.get('r3')?.state).toBe('pending');
  });
});
