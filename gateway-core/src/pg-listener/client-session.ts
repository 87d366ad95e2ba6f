/**
 * One native client connection: startup (TLS per local-tls.ts, options/replication refused),
 * SCRAM-SHA-256 with the one-time password, the upstream link, then the relay: client messages
 * are guarded and forwarded in order, and upstream answers go through the ResponseRelay.
 *
 * Failures end this connection only: a protocol violation or a masking failure sends a FATAL
 * ErrorResponse and closes both sockets.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import * as be from './backend-messages.js';
import { resolveCopyColumns } from './copy-resolve.js';
import type { CopyRequest } from './copy-plan.js';
import { FrameReader, ProtocolError, type Frame } from './frame-reader.js';
import * as fe from './frontend-encode.js';
import { FrontendParser, type FrontendMessage } from './frontend-messages.js';
import { StartupEncryption } from './local-tls.js';
import { OrderedPump } from './ordered-pump.js';
import { RelayFatal, ResponseRelay, type Refusal } from './response-relay.js';
import { SessionLogin } from './session-login.js';
import { SessionRecording } from './session-recording.js';
import { StatementGuard, type GuardVerdict } from './statement-guard.js';
import type { SessionDeps } from './session-deps.js';
import { SessionCatalog, type UpstreamLink } from './upstream-link.js';

export type { SessionDeps };

type State = 'startup' | 'sasl-initial' | 'sasl-final' | 'connecting' | 'ready' | 'closed';

let refusalCounter = 0;

const DESCRIBE_UNNAMED_PORTAL = fe.encodeDescribe('P', '');

export class ClientSession {
  private state: State = 'startup';
  private readonly parser: FrontendParser;
  private readonly guard: StatementGuard;
  private readonly relay: ResponseRelay;
  /** Client messages, handled in order (synchronously when possible); server messages have their own pump. */
  private readonly fromClient: OrderedPump<FrontendMessage>;
  private readonly login: SessionLogin;
  private readonly encryption: StartupEncryption;
  /** The client's socket: the accepted one, or the TLS socket over it after an upgrade. */
  private socket: Socket;
  private upstream: UpstreamLink | null = null;
  private readonly catalog: SessionCatalog;
  private authTimer: NodeJS.Timeout;
  private readonly recording: SessionRecording;
  /** Extended-protocol messages were forwarded since the last Sync (Gatehouse must not Sync for them). */
  private unsynced = false;
  /**
   * What each direction's current batch produced, written once per batch: one write for the
   * client's Bind/Execute/Sync, one for all the rows of a server chunk (a write per message
   * dominated the time per pgbench transaction).
   */
  private upOut: Buffer[] = [];
  private clientOut: Buffer[] = [];
  readonly id = randomBytes(8).toString('hex');
  /** Settles once the session's recording is sealed on disk (after it closed). */
  recordingSealed: Promise<void> = Promise.resolve();

  constructor(
    private readonly raw: Socket,
    private readonly deps: SessionDeps,
  ) {
    this.socket = raw;
    this.encryption = new StartupEncryption(deps.tls);
    this.parser = new FrontendParser({ maxMessageBytes: deps.maxMessageBytes });
    this.login = new SessionLogin(deps);
    this.recording = new SessionRecording(() => deps.policy().masker);
    this.catalog = new SessionCatalog(() => deps.openCatalog());
    this.fromClient = new OrderedPump((m) => (this.state === 'closed' ? undefined : this.onMessage(m)), {
      beforeWait: () => this.flush(),
      afterBatch: () => this.flush(),
      idle: () => {
        if (this.socket.isPaused() && !this.upstream?.socket.writableNeedDrain) this.socket.resume();
      },
      fail: (err) => this.failWith(err),
    });
    this.guard = new StatementGuard(() => deps.policy());
    this.relay = new ResponseRelay({
      masker: () => deps.policy().masker,
      catalog: (fields) => this.catalog.load(fields),
      send: (buf) => this.send(buf),
    });
    this.attach(raw);
    this.authTimer = setTimeout(() => this.fatal('08P01', 'authentication timed out'), deps.authTimeoutMs);
    this.authTimer.unref();
  }

  /** Forwards a cancel for this session to the upstream server (with the upstream's own key). */
  cancelUpstream(): void {
    void this.upstream?.cancel();
  }

  close(): void {
    if (this.state === 'closed') return;
    this.socket.destroy();
    this.raw.destroy();
    this.teardown();
  }

  private attach(socket: Socket): void {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onClientData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  private teardown(): void {
    this.state = 'closed';
    clearTimeout(this.authTimer);
    this.upstream?.close();
    this.catalog.close();
    this.recordingSealed = this.recording.seal();
    this.deps.closed(this);
  }

  // --- client → Gatehouse ----------------------------------------------------------------------

  private onClientData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    let messages: FrontendMessage[];
    try {
      messages = this.parser.push(chunk);
      if (this.state === 'startup') this.encryption.check(messages, this.parser.bufferedBytes);
    } catch (err) {
      return this.fatal(err instanceof ProtocolError ? err.sqlstate : '08P01', err instanceof Error ? err.message : 'invalid message');
    }
    this.fromClient.push(messages);
    if (this.fromClient.queued > 256) this.socket.pause();
  }

  private onMessage(m: FrontendMessage): void | Promise<void> {
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
      case 'SSLRequest': {
        const secure = this.encryption.answerSslRequest(this.socket);
        if (secure) {
          // From here on the client is read and written through TLS only.
          this.socket.removeAllListeners('data');
          this.socket = secure;
          this.attach(secure);
        }
        return;
      }
      case 'GSSENCRequest':
        this.socket.write('N');
        return;
      case 'CancelRequest':
        this.deps.forward(m.processId, m.secretKey);
        return this.close();
      case 'Startup':
        this.encryption.startup();
        this.send(this.login.startup(m.params));
        this.state = 'sasl-initial';
        return;
      default:
        throw new ProtocolError(`unexpected ${m.type} before the startup packet`);
    }
  }

  private async onAuth(m: FrontendMessage): Promise<void> {
    if (m.type !== 'AuthResponse') throw new ProtocolError(`unexpected ${m.type} during authentication`);
    const { reply, authenticated } = this.login.respond(m.data);
    if (!authenticated) {
      this.state = 'sasl-final';
      return this.send(reply[0]!);
    }
    this.state = 'connecting';
    this.recording.open(() => this.deps.openRecorder(this.id));
    for (const r of reply) this.send(r);
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
    const fromServer = new OrderedPump<Frame>((f) => (this.state === 'closed' ? undefined : this.relay.handle(f)), {
      beforeWait: () => {
        // A catalog look-up is pending: hold the server's data until the rows can be masked.
        link.socket.pause();
        this.flush();
      },
      afterBatch: () => {
        this.flush();
        if (this.socket.writableNeedDrain) link.socket.pause();
      },
      idle: () => {
        if (!this.socket.writableNeedDrain) link.socket.resume();
      },
      fail: (err) => this.failWith(err),
    });
    link.socket.on('data', (chunk: Buffer) => {
      if (this.state === 'closed') return;
      try {
        fromServer.push(reader.push(chunk));
      } catch (err) {
        this.fatal('08P01', `invalid message from the database server (${err instanceof Error ? err.message : 'framing'})`);
      }
    });
    link.socket.on('close', () => this.fatal('57P01', 'the database server closed the connection'));
    link.socket.on('error', () => undefined);
    link.socket.on('drain', () => {
      if (this.fromClient.queued <= 256) this.socket.resume();
    });
    this.socket.on('drain', () => {
      if (!fromServer.busy) link.socket.resume();
    });
    if (link.parameters.some(([name, value]) => name === 'standard_conforming_strings' && value !== 'on')) {
      // The guard lexes string literals as this setting's "on" does (see statement-guard.ts).
      throw new RelayFatal('the database server runs with standard_conforming_strings off, which the Gatehouse guard cannot follow', '0A000');
    }
    for (const [name, value] of link.parameters) this.send(be.parameterStatus(name, value));
    const key = this.deps.registerKey(this);
    this.send(be.backendKeyData(key.processId, key.secretKey));
    this.state = 'ready';
    this.send(be.readyForQuery('I'));
  }

  private onReady(m: FrontendMessage): void | Promise<void> {
    if (m.type === 'Parse' || m.type === 'Bind' || m.type === 'Describe' || m.type === 'Execute' || m.type === 'Close') this.unsynced = true;
    else if (m.type === 'Sync') this.unsynced = false;
    switch (m.type) {
      case 'Query': {
        const verdict = this.guard.check(m.sql);
        if (verdict.ok && verdict.copy) return this.copyOut(m.sql, verdict, verdict.copy);
        const capture = this.recording.query(m.sql, verdict);
        return this.forwardGuarded(m.sql, verdict, (sql) => fe.encodeQuery(sql), (refusal) => (refusal ? { kind: 'query', refusal } : capture ? { kind: 'query', capture } : { kind: 'query' }));
      }
      case 'FunctionCall': {
        const verdict = this.guard.functionCall();
        this.recording.statement(`-- FunctionCall (function oid ${m.oid})`, verdict);
        return this.forwardGuarded('', verdict, (sql) => fe.encodeQuery(sql), (refusal) => ({ kind: 'query', refusal }));
      }
      case 'Parse': {
        let verdict = this.guard.check(m.sql);
        // Resolving a COPY's columns needs a Sync of Gatehouse's own, which a pipeline cannot take.
        if (verdict.ok && verdict.copy) verdict = this.guard.copyRefusal('COPY through the extended query protocol is not available on the Gatehouse local port; send it as a simple query (as psql does)');
        this.recording.parse(m.name, m.sql, verdict);
        return this.forwardGuarded(
          m.sql,
          verdict,
          (sql, refused) => fe.encodeParse(m.name, sql, refused ? [] : m.paramTypes),
          (refusal) => ({ kind: 'parse', refusal }),
        );
      }
      case 'Bind':
        this.recording.bind(m.portal, m.statement);
        // Every result column in text format: the masker reads text, and a masked value has no
        // binary form. Describe after Bind reports the text format, as the server decides it.
        this.relay.expect({ kind: 'bind' });
        return this.toUpstream(m.resultFormats.every((f) => f === 0) ? m.raw : fe.encodeBind(m.portal, m.statement, m.paramFormats, m.params, []));
      case 'Describe':
        this.relay.expect({ kind: 'describe', target: m.kind, internal: false });
        return this.toUpstream(fe.encodeDescribe(m.kind, m.name));
      case 'Execute': {
        // Gatehouse's own Describe first, so the rows are masked with their portal's columns.
        this.relay.expect({ kind: 'describe', target: 'P', internal: true });
        const capture = this.recording.execute(m.portal);
        this.relay.expect(capture ? { kind: 'execute', capture } : { kind: 'execute' });
        this.toUpstream(m.portal === '' ? DESCRIBE_UNNAMED_PORTAL : fe.encodeDescribe('P', m.portal));
        return this.toUpstream(m.raw);
      }
      case 'Close':
        this.recording.closeTarget(m.kind, m.name);
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

  /**
   * COPY … TO STDOUT: Gatehouse first describes the COPY's query on the session's own connection
   * (same search_path, temp tables and transaction), so every output column is known by table OID
   * and attnum and masked with its column rule; then the COPY runs with that plan. When the
   * columns cannot be resolved the COPY is refused (fail closed), with the server's own error if
   * there was one.
   */
  private async copyOut(sql: string, allowed: GuardVerdict, copy: CopyRequest): Promise<void> {
    const r = this.unsynced
      ? { ok: false as const, reason: 'send Sync to finish the pending extended-protocol messages before a COPY' }
      : await resolveCopyColumns(copy, {
          describe: (text) =>
            new Promise((done) => {
              // The unnamed statement: a simple Query destroys it anyway, so the client cannot tell.
              this.relay.expect({ kind: 'copy-describe', result: {}, done });
              this.toUpstream(Buffer.concat([fe.encodeParse('', text, []), fe.encodeDescribe('S', ''), fe.SYNC]));
              this.flushUpstream();
            }),
          catalog: (fields) => this.catalog.load(fields),
          query: this.catalog.query,
          masker: this.deps.policy().masker,
        });
    if (this.state !== 'ready') return;
    const masker = r.ok ? r.masker : undefined;
    const verdict = r.ok ? allowed : this.guard.copyRefusal(r.reason, allowed.class, 'error' in r ? r.error : undefined);
    const capture = this.recording.query(sql, verdict);
    this.forwardGuarded(sql, verdict, (text) => fe.encodeQuery(text), (refusal) => (refusal || !masker ? { kind: 'query', ...(refusal ? { refusal } : {}) } : { kind: 'query', copy: masker, ...(capture ? { capture } : {}) }));
  }

  private toUpstream(buf: Buffer): void {
    if (this.upstream && this.state === 'ready') this.upOut.push(buf);
  }

  private flushUpstream(): void {
    const up = this.upstream;
    if (!up || this.upOut.length === 0) return;
    const buf = this.upOut.length === 1 ? this.upOut[0]! : Buffer.concat(this.upOut);
    this.upOut = [];
    if (this.state === 'ready' && !up.socket.write(buf)) this.socket.pause();
  }

  // --- helpers ---------------------------------------------------------------------------------

  private send(buf: Buffer): void {
    if (this.state !== 'closed') this.clientOut.push(buf);
  }

  /** Writes what the current batch produced, each direction in one write. */
  private flush(): void {
    this.flushUpstream();
    if (this.clientOut.length === 0 || this.state === 'closed') return;
    const out = this.clientOut.length === 1 ? this.clientOut[0]! : Buffer.concat(this.clientOut);
    this.clientOut = [];
    this.socket.write(out);
  }

  private failWith(err: unknown): void {
    if (err instanceof RelayFatal || err instanceof ProtocolError) return this.fatal(err.sqlstate, err.message);
    // Access ended or the policy cannot be applied: GatehouseError messages are safe to show.
    if (err instanceof Error && err.name === 'GatehouseError') return this.fatal('42501', err.message);
    this.fatal('XX000', 'internal error in Gatehouse (see its log)');
  }

  private fatal(sqlstate: string, message: string): void {
    if (this.state === 'closed') return;
    // Whatever the failing batch produced is dropped: the session ends with the error.
    this.clientOut = [];
    this.upOut = [];
    this.socket.write(be.errorResponse('FATAL', sqlstate, message));
    this.socket.end();
    this.teardown();
    setTimeout(() => this.socket.destroy(), 1_000).unref();
  }
}
