/**
 * One native client connection: startup (SSL/GSSENC answered 'N', options/replication refused),
 * SCRAM-SHA-256 with the one-time password, the upstream link, then the relay: client messages
 * are guarded and forwarded in order, and upstream answers go through the ResponseRelay.
 *
 * Failures end this connection only: a protocol violation or a masking failure sends a FATAL
 * ErrorResponse and closes both sockets.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Masker } from '../masking/masker.js';
import type { SqlClassPolicy } from '../policy/sql/index.js';
import { ResultCatalog, type QueryRunner } from '../postgres/result-masking.js';
import type { RunRecording, SqlRecorder } from '../recording/sql-recorder.js';
import * as be from './backend-messages.js';
import { FrameReader, ProtocolError } from './frame-reader.js';
import * as fe from './frontend-encode.js';
import { FrontendParser, type FrontendMessage } from './frontend-messages.js';
import { RelayFatal, ResponseRelay, type Refusal } from './response-relay.js';
import { ResultCapture } from './result-capture.js';
import { decodeSaslInitial, SCRAM_MECHANISM, ScramServerExchange, scramVerifier, type ScramVerifier } from './scram-server.js';
import { StatementGuard, type GuardVerdict } from './statement-guard.js';
import type { UpstreamLink } from './upstream-link.js';

export interface SessionDeps {
  maxMessageBytes: number;
  upstreamMaxMessageBytes: number;
  authTimeoutMs: number;
  /** The one-time password's verifier for this user name, if it is the listener's user. */
  verifier(user: string): ScramVerifier | undefined;
  acceptsDatabase(database: string): boolean;
  openUpstream(): Promise<UpstreamLink>;
  openCatalog(): Promise<QueryRunner & { close(): Promise<void> }>;
  /** The caller's current SQL class policy and masker; throws (with a safe message) when access ended. */
  policy(): { sql: SqlClassPolicy; masker: Masker };
  /** Gatehouse's own BackendKeyData for this session. */
  registerKey(session: ClientSession): { processId: number; secretKey: number };
  forward(processId: number, secretKey: number): void;
  closed(session: ClientSession): void;
  /** The session's SQL recording (undefined: recording is off); throws when it cannot be recorded. */
  openRecorder(sessionId: string): SqlRecorder | undefined;
}

type State = 'startup' | 'sasl-initial' | 'sasl-final' | 'connecting' | 'ready' | 'closed';

/** A dummy verifier, so that an unknown user costs the same and learns nothing. */
const DUMMY = scramVerifier(randomBytes(24).toString('base64url'));

let refusalCounter = 0;

export class ClientSession {
  private state: State = 'startup';
  private readonly parser: FrontendParser;
  private readonly guard: StatementGuard;
  private readonly relay: ResponseRelay;
  private work: Promise<void> = Promise.resolve();
  private upWork: Promise<void> = Promise.resolve();
  private backlog = 0;
  private user = '';
  private knownUser = false;
  private scram: ScramServerExchange | null = null;
  private upstream: UpstreamLink | null = null;
  private catalog = new ResultCatalog();
  private catalogDb: Promise<QueryRunner & { close(): Promise<void> }> | null = null;
  private authTimer: NodeJS.Timeout;
  private recorder: SqlRecorder | undefined;
  /** Recordings of prepared statements and of the portals bound from them, for Execute's results. */
  private readonly statementRuns = new Map<string, RunRecording | undefined>();
  private readonly portalRuns = new Map<string, RunRecording | undefined>();
  readonly id = randomBytes(8).toString('hex');

  constructor(
    readonly socket: Socket,
    private readonly deps: SessionDeps,
  ) {
    this.parser = new FrontendParser({ maxMessageBytes: deps.maxMessageBytes });
    this.guard = new StatementGuard(() => deps.policy());
    this.relay = new ResponseRelay({
      masker: () => deps.policy().masker,
      catalog: async (fields) => {
        if (fields.some((f) => f.tableID !== 0)) await this.catalog.load(fields as never, { query: (t, v) => this.catalogRunner().then((db) => db.query(t, v)) });
        return this.catalog;
      },
      send: (buf) => this.send(buf),
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onClientData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
    this.authTimer = setTimeout(() => this.fatal('08P01', 'authentication timed out'), deps.authTimeoutMs);
    this.authTimer.unref();
  }

  /** Forwards a cancel for this session to the upstream server (with the upstream's own key). */
  cancelUpstream(): void {
    void this.upstream?.cancel();
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.authTimer);
    this.socket.destroy();
    this.upstream?.close();
    void this.catalogDb?.then((db) => db.close()).catch(() => undefined);
    void this.recorder?.close();
    this.deps.closed(this);
  }

  // --- client → Gatehouse ----------------------------------------------------------------------

  private onClientData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    let messages: FrontendMessage[];
    try {
      messages = this.parser.push(chunk);
    } catch (err) {
      return this.fatal(err instanceof ProtocolError ? err.sqlstate : '08P01', err instanceof Error ? err.message : 'invalid message');
    }
    for (const m of messages) {
      this.backlog++;
      this.work = this.work
        .then(() => (this.state === 'closed' ? undefined : this.onMessage(m)))
        .catch((err: unknown) => this.failWith(err))
        .finally(() => {
          if (--this.backlog === 0 && this.socket.isPaused() && !this.upstream?.socket.writableNeedDrain) this.socket.resume();
        });
    }
    if (this.backlog > 256) this.socket.pause();
  }

  private async onMessage(m: FrontendMessage): Promise<void> {
    switch (this.state) {
      case 'startup':
        return this.onStartup(m);
      case 'sasl-initial':
      case 'sasl-final':
        return this.onAuth(m);
      case 'ready':
        return this.onReady(m);
      default:
        throw new ProtocolError(`unexpected message ${m.type} during connection setup`);
    }
  }

  private onStartup(m: FrontendMessage): void {
    switch (m.type) {
      case 'SSLRequest':
      case 'GSSENCRequest':
        // Plain TCP on loopback only; a client that insists on encryption gives up here.
        this.socket.write('N');
        return;
      case 'CancelRequest':
        this.deps.forward(m.processId, m.secretKey);
        return this.close();
      case 'Startup': {
        if (m.params.has('replication')) throw new RelayFatal('replication connections are not available through Gatehouse', '0A000');
        if (m.params.has('options')) throw new RelayFatal('the startup "options" parameter is not accepted by Gatehouse (server settings are fixed by the gateway)', '0A000');
        const user = m.params.get('user') ?? '';
        if (user === '') throw new RelayFatal('no PostgreSQL user name specified in startup packet', '28000');
        const database = m.params.get('database') ?? user;
        if (!this.deps.acceptsDatabase(database)) throw new RelayFatal(`database "${database.slice(0, 63)}" is not served on this port`, '3D000');
        this.user = user;
        const verifier = this.deps.verifier(user);
        this.knownUser = verifier !== undefined;
        this.scram = new ScramServerExchange(verifier ?? DUMMY);
        this.state = 'sasl-initial';
        this.send(be.authenticationSasl([SCRAM_MECHANISM]));
        return;
      }
      default:
        throw new ProtocolError(`unexpected ${m.type} before the startup packet`);
    }
  }

  private async onAuth(m: FrontendMessage): Promise<void> {
    if (m.type !== 'AuthResponse') throw new ProtocolError(`unexpected ${m.type} during authentication`);
    const failed = (): RelayFatal => new RelayFatal(`password authentication failed for user "${this.user.slice(0, 63)}"`, '28P01');
    if (this.state === 'sasl-initial') {
      let serverFirst: string;
      try {
        const { mechanism, response } = decodeSaslInitial(m.data);
        serverFirst = this.scram!.start(mechanism, response);
      } catch {
        throw failed();
      }
      this.state = 'sasl-final';
      this.send(be.authenticationSaslContinue(serverFirst));
      return;
    }
    let serverFinal: string;
    try {
      serverFinal = this.scram!.finish(m.data.toString('utf8'));
    } catch {
      throw failed();
    }
    if (!this.knownUser) throw failed();
    this.state = 'connecting';
    try {
      this.recorder = this.deps.openRecorder(this.id);
    } catch {
      throw new RelayFatal('this session cannot be recorded (the recording spool is full or not writable), so it was not opened', '53100');
    }
    this.send(be.authenticationSaslFinal(serverFinal));
    this.send(be.authenticationOk());
    clearTimeout(this.authTimer);
    await this.connectUpstream();
  }

  private async connectUpstream(): Promise<void> {
    let link: UpstreamLink;
    try {
      this.deps.policy();
      link = await this.deps.openUpstream();
    } catch (err) {
      // GatehouseError messages are built to be shown; anything else is not.
      const msg = err instanceof Error && err.name === 'GatehouseError' ? err.message : 'Gatehouse could not connect to the database';
      throw new RelayFatal(msg, '08006');
    }
    if (this.state === 'closed') return link.close();
    this.upstream = link;
    const reader = new FrameReader({ maxMessageBytes: this.deps.upstreamMaxMessageBytes });
    link.socket.on('data', (chunk: Buffer) => this.onUpstreamData(reader, chunk));
    link.socket.on('close', () => this.fatal('57P01', 'the database server closed the connection'));
    link.socket.on('error', () => undefined);
    link.socket.on('drain', () => {
      if (this.backlog <= 256) this.socket.resume();
    });
    this.socket.on('drain', () => link.socket.resume());
    for (const [name, value] of link.parameters) this.send(be.parameterStatus(name, value));
    const key = this.deps.registerKey(this);
    this.send(be.backendKeyData(key.processId, key.secretKey));
    this.state = 'ready';
    this.send(be.readyForQuery('I'));
  }

  private onReady(m: FrontendMessage): void {
    switch (m.type) {
      case 'Query': {
        const verdict = this.guard.check(m.sql);
        const rec = this.record(m.sql, verdict);
        const capture = rec && verdict.ok ? new ResultCapture(rec) : undefined;
        return this.forwardGuarded(m.sql, verdict, (sql) => fe.encodeQuery(sql), (refusal) => (refusal ? { kind: 'query', refusal } : capture ? { kind: 'query', capture } : { kind: 'query' }));
      }
      case 'FunctionCall': {
        const verdict = this.guard.functionCall();
        this.record(`-- FunctionCall (function oid ${m.oid})`, verdict);
        return this.forwardGuarded('', verdict, (sql) => fe.encodeQuery(sql), (refusal) => ({ kind: 'query', refusal }));
      }
      case 'Parse': {
        const verdict = this.guard.check(m.sql);
        this.statementRuns.set(m.name, this.record(m.sql, verdict));
        return this.forwardGuarded(
          m.sql,
          verdict,
          (sql, refused) => fe.encodeParse(m.name, sql, refused ? [] : m.paramTypes),
          (refusal) => ({ kind: 'parse', refusal }),
        );
      }
      case 'Bind':
        this.portalRuns.set(m.portal, this.statementRuns.get(m.statement));
        // Every result column in text format: the masker reads text, and a masked value has no
        // binary form. Describe after Bind reports the text format, as the server decides it.
        this.relay.expect({ kind: 'bind' });
        return this.toUpstream(fe.encodeBind(m.portal, m.statement, m.paramFormats, m.params, []));
      case 'Describe':
        this.relay.expect({ kind: 'describe', target: m.kind, internal: false });
        return this.toUpstream(fe.encodeDescribe(m.kind, m.name));
      case 'Execute': {
        // Gatehouse's own Describe first, so the rows are masked with their portal's columns.
        this.relay.expect({ kind: 'describe', target: 'P', internal: true });
        const rec = this.portalRuns.get(m.portal);
        this.relay.expect(rec ? { kind: 'execute', capture: new ResultCapture(rec) } : { kind: 'execute' });
        return this.toUpstream(Buffer.concat([fe.encodeDescribe('P', m.portal), fe.encodeExecute(m.portal, m.maxRows)]));
      }
      case 'Close':
        (m.kind === 'S' ? this.statementRuns : this.portalRuns).delete(m.name);
        this.relay.expect({ kind: 'close' });
        return this.toUpstream(fe.encodeClose(m.kind, m.name));
      case 'Sync':
        this.relay.expect({ kind: 'sync' });
        return this.toUpstream(fe.SYNC);
      case 'Flush':
        return this.toUpstream(fe.FLUSH);
      case 'Terminate':
        return this.close();
      case 'CopyData':
      case 'CopyDone':
      case 'CopyFail':
        // COPY FROM STDIN is refused, so the server never waits for these; ignored as the server would.
        return;
      default:
        throw new ProtocolError(`unexpected ${m.type} in an established session`);
    }
  }

  /**
   * Forwards an allowed text, or in its place a deliberate syntax error carrying a token: the
   * server then aborts the transaction and discards until Sync exactly as for a real error, and
   * the relay swaps that error for the refusal.
   */
  private forwardGuarded(
    text: string,
    verdict: GuardVerdict,
    encode: (sql: string, refused: boolean) => Buffer,
    expectation: (refusal?: Refusal) => Parameters<ResponseRelay['expect']>[0],
  ): void {
    if (verdict.ok) {
      this.relay.expect(expectation());
      return this.toUpstream(encode(text, false));
    }
    const token = `gatehouse_refused_${++refusalCounter}`;
    this.relay.expect(expectation({ token, error: verdict.error }));
    this.toUpstream(encode(token, true));
  }

  /** The statement and the guard's decision go into the recording before anything runs. */
  private record(text: string, verdict: GuardVerdict): RunRecording | undefined {
    if (!this.recorder) return undefined;
    const masker = this.deps.policy().masker;
    const rec = this.recorder.begin(text, masker, 'editor');
    rec.decision({ action: verdict.ok ? 'allow' : verdict.action === 'approve' ? 'approve' : 'deny', class: verdict.class, rule: verdict.rule, reason: verdict.reason });
    return rec;
  }

  private toUpstream(buf: Buffer): void {
    const up = this.upstream;
    if (!up || this.state !== 'ready') return;
    if (!up.socket.write(buf)) this.socket.pause();
  }

  // --- upstream → client -----------------------------------------------------------------------

  private onUpstreamData(reader: FrameReader, chunk: Buffer): void {
    if (this.state === 'closed') return;
    let frames;
    try {
      frames = reader.push(chunk);
    } catch (err) {
      return this.fatal('08P01', `invalid message from the database server (${err instanceof Error ? err.message : 'framing'})`);
    }
    if (frames.length === 0) return;
    const up = this.upstream!.socket;
    up.pause();
    this.upWork = this.upWork
      .then(async () => {
        // One write per upstream chunk rather than one per row (a syscall per DataRow dominated).
        this.socket.cork();
        try {
          for (const f of frames) {
            if (this.state === 'closed') return;
            await this.relay.handle(f);
          }
        } finally {
          this.socket.uncork();
        }
      })
      .then(() => {
        if (!this.socket.writableNeedDrain) up.resume();
      })
      .catch((err: unknown) => this.failWith(err));
  }

  private catalogRunner(): Promise<QueryRunner & { close(): Promise<void> }> {
    this.catalogDb ??= this.deps.openCatalog();
    return this.catalogDb;
  }

  // --- helpers ---------------------------------------------------------------------------------

  private send(buf: Buffer): void {
    if (this.state !== 'closed') this.socket.write(buf);
  }

  private failWith(err: unknown): void {
    if (err instanceof RelayFatal || err instanceof ProtocolError) return this.fatal(err.sqlstate, err.message);
    // Access ended or the policy cannot be applied: GatehouseError messages are safe to show.
    if (err instanceof Error && err.name === 'GatehouseError') return this.fatal('42501', err.message);
    this.fatal('XX000', 'internal error in Gatehouse (see its log)');
  }

  private fatal(sqlstate: string, message: string): void {
    if (this.state === 'closed') return;
    this.socket.write(be.errorResponse('FATAL', sqlstate, message));
    this.socket.end();
    this.state = 'closed';
    clearTimeout(this.authTimer);
    this.upstream?.close();
    void this.catalogDb?.then((db) => db.close()).catch(() => undefined);
    void this.recorder?.close();
    this.deps.closed(this);
    setTimeout(() => this.socket.destroy(), 1_000).unref();
  }
}
