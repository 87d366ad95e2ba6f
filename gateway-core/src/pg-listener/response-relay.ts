/**
 * Upstream → client: every server message is matched to the client message it answers (a queue
 * of expectations, in the order the session forwarded them), so that each DataRow is masked with
 * the rules of the result it belongs to, and refusals slot in at the right place in a pipeline.
 *
 * - DataRow values (text format) are masked per column and the row re-encoded with new lengths;
 *   a binary value, a row without a known description, or a masking failure ends the connection
 *   with a FATAL error: the client never gets the raw row.
 * - ErrorResponse / NoticeResponse text fields, NotificationResponse payloads and CopyOut data
 *   are masked with the detectors.
 * - A refused statement went upstream as a deliberate syntax error carrying a token, so that the
 *   server's own state machine (aborted transaction, discard until Sync) does the right thing;
 *   that one error is replaced here by the refusal.
 */
import type { FieldDef } from 'pg';
import type { MaskedCell, SqlColumn } from '../contract/sql-schemas.js';
import type { CellPlan, Masker } from '../masking/masker.js';
import type { ResultCatalog } from '../postgres/result-masking.js';
import {
  decodeDataRow,
  decodeNotice,
  decodeNotification,
  decodeReadyForQuery,
  decodeRowDescription,
  encodeDataRow,
  encodeNotice,
  encodeNotification,
  frame as encodeFrame,
  type FieldDescription,
  type NoticeFields,
  type TxStatus,
} from './backend-messages.js';
import { ProtocolError, type Frame } from './frame-reader.js';
import type { ResultCapture } from './result-capture.js';

/** Ends the client connection with a FATAL error (the message is safe to show). */
export class RelayFatal extends Error {
  readonly sqlstate: string;
  constructor(message: string, sqlstate = 'XX000') {
    super(message);
    this.sqlstate = sqlstate;
  }
}

export interface Refusal {
  /** Appears in the upstream syntax error that stands in for the refused statement. */
  token: string;
  /** The ErrorResponse frame the client gets instead. */
  error: Buffer;
}

export type Expectation =
  | { kind: 'query'; refusal?: Refusal; capture?: ResultCapture }
  | { kind: 'parse'; refusal?: Refusal }
  | { kind: 'bind' }
  | { kind: 'close' }
  | { kind: 'describe'; target: 'S' | 'P'; internal: boolean }
  | { kind: 'execute'; capture?: ResultCapture }
  | { kind: 'sync' };

export interface RelayContext {
  masker(): Masker;
  /** The session's catalog, loaded with the relations the fields mention (may query upstream). */
  catalog(fields: readonly FieldDescription[]): Promise<ResultCatalog>;
  send(buf: Buffer): void;
}

/** Fields of ErrorResponse/NoticeResponse that carry no free text (kept as they are). */
const CODE_FIELDS = new Set(['S', 'V', 'C', 'P', 'p', 'F', 'L', 'R']);

export class ResponseRelay {
  private readonly queue: Expectation[] = [];
  private head = 0;
  private result: { fields: FieldDescription[]; plans: CellPlan[]; masker: Masker; columns: SqlColumn[] } | null = null;
  txStatus: TxStatus = 'I';

  constructor(private readonly ctx: RelayContext) {}

  /** After an extended-protocol error the server ignores every message until Sync. */
  private discarding = false;

  expect(e: Expectation): void {
    if (e.kind === 'sync') this.discarding = false;
    else if (this.discarding) return;
    this.queue.push(e);
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  async handle(f: Frame): Promise<void> {
    // Messages the server may send at any time.
    if (f.type === 'N') return this.ctx.send(this.maskNotice('N', f.payload));
    if (f.type === 'A') return this.ctx.send(this.maskNotification(f.payload));
    if (f.type === 'S') return this.ctx.send(encodeFrame('S', f.payload));
    const e = this.queue[this.head];
    if (!e) {
      // An unsolicited error is the server ending the session (shutdown, termination).
      if (f.type === 'E') return this.ctx.send(this.maskNotice('E', f.payload));
      throw new ProtocolError(`unexpected message '${f.type}' from the server`);
    }
    if (f.type === 'E') return this.onError(e, f.payload);
    switch (e.kind) {
      case 'query':
        return this.inQuery(e, f);
      case 'parse':
        return this.complete(f, '1');
      case 'bind':
        return this.complete(f, '2');
      case 'close':
        return this.complete(f, '3');
      case 'sync':
        if (f.type !== 'Z') throw new ProtocolError(`unexpected message '${f.type}' before ReadyForQuery`);
        this.txStatus = decodeReadyForQuery(f.payload);
        this.shift();
        return this.ctx.send(encodeFrame('Z', f.payload));
      case 'describe':
        return this.inDescribe(e, f);
      case 'execute':
        return this.inExecute(e, f);
    }
  }

  private shift(): void {
    this.head++;
    if (this.head > 1024 || this.head === this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private complete(f: Frame, type: string): void {
    if (f.type !== type) throw new ProtocolError(`expected '${type}' from the server, got '${f.type}'`);
    this.shift();
    this.ctx.send(encodeFrame(type, f.payload));
  }

  private async inQuery(e: Extract<Expectation, { kind: 'query' }>, f: Frame): Promise<void> {
    switch (f.type) {
      case 'T':
        await this.describeResult(f.payload);
        return this.ctx.send(encodeFrame('T', f.payload));
      case 'D':
        return this.ctx.send(this.maskRow(f.payload, e.capture));
      case 'C':
      case 'I':
        e.capture?.complete(f.type === 'C' ? commandTag(f.payload) : 'EMPTY', this.result?.columns);
        this.result = null;
        return this.ctx.send(encodeFrame(f.type, f.payload));
      case 'Z':
        this.txStatus = decodeReadyForQuery(f.payload);
        this.result = null;
        e.capture?.finish();
        this.shift();
        return this.ctx.send(encodeFrame('Z', f.payload));
      default:
        return this.copyOut(f);
    }
  }

  private async inDescribe(e: Extract<Expectation, { kind: 'describe' }>, f: Frame): Promise<void> {
    if (f.type === 't' && e.target === 'S') {
      if (!e.internal) this.ctx.send(encodeFrame('t', f.payload));
      return;
    }
    if (f.type !== 'T' && f.type !== 'n') throw new ProtocolError(`unexpected message '${f.type}' answering Describe`);
    this.shift();
    if (e.internal) {
      // Gatehouse's own Describe before an Execute: the rows that follow are masked with this.
      if (f.type === 'T') await this.describeResult(f.payload);
      else this.result = null;
      return;
    }
    this.ctx.send(encodeFrame(f.type, f.payload));
  }

  private inExecute(e: Extract<Expectation, { kind: 'execute' }>, f: Frame): void {
    switch (f.type) {
      case 'D':
        return this.ctx.send(this.maskRow(f.payload, e.capture));
      case 'C':
      case 'I':
      case 's':
        e.capture?.complete(f.type === 'C' ? commandTag(f.payload) : f.type === 'I' ? 'EMPTY' : null, this.result?.columns);
        e.capture?.finish();
        this.result = null;
        this.shift();
        return this.ctx.send(encodeFrame(f.type, f.payload));
      default:
        return this.copyOut(f);
    }
  }

  private copyOut(f: Frame): void {
    switch (f.type) {
      case 'H':
      case 'c':
        return this.ctx.send(encodeFrame(f.type, f.payload));
      case 'd': {
        // COPY TO STDOUT: one text row per message; detectors only (no column rules here).
        const text = f.payload.toString('utf8');
        let masked: string;
        try {
          masked = this.ctx.masker().maskText(text).text;
        } catch {
          throw new RelayFatal('Gatehouse could not mask the COPY data, so the session was closed');
        }
        return this.ctx.send(masked === text ? encodeFrame('d', f.payload) : encodeFrame('d', Buffer.from(masked, 'utf8')));
      }
      case 'G':
      case 'W':
        throw new RelayFatal('COPY FROM STDIN is not available through Gatehouse', '0A000');
      default:
        throw new ProtocolError(`unexpected message '${f.type}' from the server`);
    }
  }

  private onError(e: Expectation, payload: Buffer): void {
    const refusal = 'refusal' in e ? e.refusal : undefined;
    let out: Buffer | null = null;
    if (refusal) {
      const fields = decodeNotice(payload);
      if ((fields.get('M') ?? '').includes(refusal.token)) out = refusal.error;
    }
    if (out) this.ctx.send(out);
    else {
      const masked = this.maskNoticeFields(payload);
      if ('capture' in e && e.capture) {
        e.capture.error(masked);
        if (e.kind === 'execute') e.capture.finish();
      }
      this.ctx.send(encodeNotice('E', masked));
    }
    this.result = null;
    if (e.kind === 'query' || e.kind === 'sync') return;
    // Extended protocol: the server discards everything up to the next Sync, so those answers never come.
    while (this.head < this.queue.length && this.queue[this.head]!.kind !== 'sync') this.shift();
    if (this.head === this.queue.length) this.discarding = true;
  }

  private async describeResult(payload: Buffer): Promise<void> {
    const fields = decodeRowDescription(payload);
    const masker = this.ctx.masker();
    const catalog = await this.ctx.catalog(fields);
    const plans = fields.map((f) => masker.cellPlan(catalog.columnRef(f as unknown as FieldDef)));
    const columns = fields.map((f) => catalog.column(f as unknown as FieldDef));
    this.result = { fields, plans, masker, columns };
  }

  private maskRow(payload: Buffer, capture: ResultCapture | undefined): Buffer {
    const result = this.result;
    if (!result) throw new RelayFatal('Gatehouse received rows without a description, so it cannot mask them; the session was closed');
    const values = decodeDataRow(payload);
    if (values.length !== result.fields.length) throw new ProtocolError('DataRow does not match its RowDescription');
    let changed = false;
    const cells: MaskedCell[] | null = capture?.wantsCells ? new Array<MaskedCell>(values.length) : null;
    try {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (!v) {
          if (cells) cells[i] = { v: null };
          continue;
        }
        if (result.fields[i]!.format !== 0) {
          throw new RelayFatal('Gatehouse masks text-format results only; a binary-format column was refused (the session was closed)', '0A000');
        }
        const out = result.masker.maskCellOut(v.toString('utf8'), result.plans[i]!);
        if (cells) cells[i] = out;
        if (out.m !== undefined) {
          values[i] = out.v === null ? null : Buffer.from(out.v, 'utf8');
          changed = true;
        }
      }
    } catch (err) {
      if (err instanceof RelayFatal) throw err;
      throw new RelayFatal('Gatehouse could not mask a result row, so the row was withheld and the session closed');
    }
    capture?.row(cells);
    return changed ? encodeDataRow(values) : encodeFrame('D', payload);
  }

  private maskNotice(type: 'E' | 'N', payload: Buffer): Buffer {
    return encodeNotice(type, this.maskNoticeFields(payload));
  }

  private maskNoticeFields(payload: Buffer): NoticeFields {
    const fields = decodeNotice(payload);
    try {
      const masker = this.ctx.masker();
      for (const [k, v] of fields) if (!CODE_FIELDS.has(k)) fields.set(k, masker.maskText(v).text);
    } catch {
      throw new RelayFatal('Gatehouse could not mask a server message, so the session was closed');
    }
    return fields;
  }

  private maskNotification(payload: Buffer): Buffer {
    const n = decodeNotification(payload);
    try {
      return encodeNotification({ ...n, payload: this.ctx.masker().maskText(n.payload).text });
    } catch {
      throw new RelayFatal('Gatehouse could not mask a notification, so the session was closed');
    }
  }
}

function commandTag(payload: Buffer): string {
  const end = payload.indexOf(0);
  return payload.subarray(0, end < 0 ? payload.length : end).toString('utf8');
}
