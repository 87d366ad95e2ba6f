// Run by crash.test.ts in a child process (bundled with esbuild): records a terminal and an SQL
// session, appending an event every few ms and saying so on stdout, until it is killed.
import { createMasker } from '../../src/masking/index.js';
import { createSqlRecorder } from '../../src/recording/sql-recorder.js';
import { createTerminalRecorder } from '../../src/recording/terminal-recorder.js';
import type { Logger } from '../../src/logging/logger.js';

const [terminalPath, sqlPath] = process.argv.slice(2) as [string, string];
const logger = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;
const masker = createMasker({ detectors: 'all', columns: {} });
const term = createTerminalRecorder({ path: terminalPath, sessionId: 'crash', user: 'u', connectionId: 'c', cols: 80, rows: 24, recordInput: false, masker, logger, flushIntervalMs: 100 });
const sql = createSqlRecorder({ path: sqlPath, sessionId: 'crash-sql', user: 'u', connectionId: 'db', logger, flushIntervalMs: 100 });
let i = 0;
setInterval(() => {
  term.output(`event ${i}\r\n`);
  const run = sql.statement(`SELECT ${i}`, masker);
  sql.decision(run, { action: 'allow', class: 'read', rule: 'read', reason: 'reads' }, masker);
  // Pipes are synchronous on Linux: what is printed was appended before any later kill.
  process.stdout.write(`${i} ${Date.now()}\n`);
  i++;
}, 4);
