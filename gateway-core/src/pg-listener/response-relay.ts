/**
 * Upstream → client: every server message is matched to the client message it answers (a queue
 * of expectations, in the order the session forwarded them), so that each DataRow is masked with
 * the rules of the result it belongs to, and refusals slot in at the right place in a pipeline.
 *
 * - DataRow values (text format) are masked per column and the row re-encoded with new lengths;
 *   a binary value, a row without a known description, or a masking failure ends the connection
 *   with a FATAL error: the client never gets the raw row.
 * - COPY TO STDOUT rows are masked by column like DataRows (copy-out.ts), with the columns the
 *   session described before it forwarded the COPY; CopyOut data without that plan ends the
 *   connection (never detectors only).
 * - ErrorResponse / NoticeResponse text fields and NotificationResponse payloads are masked with
 *   the detectors.
 * - A refused statement went upstream as a deliberate syntax error carrying a token, so that the
 *   server's own state machine (aborted transaction, discard until Sync) does the right thing;
 *   that one error is replaced here by the refusal.
 */
import type { FieldDef } from 'pg';
import type { MaskedCell, SqlColumn } from '../contract/sql-schemas.js';
import type { CellPlan, Masker } from '../masking/masker.js';
import type { ResultCatalog } from '../postgres/result-masking.js';
import {
  decodeNotice,
  decodeNotification,
  decodeReadyForQuery,
  decodeRowDescription,
  rewriteDataRow,
  encodeNotice,
  encodeNotification,
  type FieldDescription,
  type NoticeFields,
  type TxStatus,
} from './backend-messages.js';
import type { CopyOutMasker } from './copy-out.js';
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
  | { kind: 'query'; refusal?: Refusal; capture?: ResultCapture; copy?: CopyOutMasker }
  /** Gatehouse's own Parse + Describe + Sync of a COPY's query: answered to the session, not the client. */
  | { kind: 'copy-describe'; result: CopyDescribeResult; done: (r: CopyDescribeResult) => void }
  | { kind: 'parse'; refusal?: Refusal }
  | { kind: 'bind' }
  | { kind: 'close' }
  | { kind: 'describe'; target: 'S' | 'P'; internal: boolean }
  | { kind: 'execute'; capture?: ResultCapture }
  | { kind: 'sync' };

export interface CopyDescribeResult {
  fields?: FieldDescription[];
  /** The server's error (masked), e.g. an unknown table. */
  error?: NoticeFields;
}

export interface RelayContext {
  masker(): Masker;
  /** The session's catalog, loaded with the relations the fields mention (may query upstream). */
  catalog(fields: readonly FieldDescription[]): Promise<ResultCatalog>;
  send(buf: Buffer): void;
}

interface ResultPlan {
  fields: FieldDescription[];
  plans: CellPlan[];
  masker: Masker;
  columns: SqlColumn[];
}

/** Fields of ErrorResponse/NoticeResponse that carry no free text (kept as they are). */
const CODE_FIELDS = new Set(['S', 'V', 'C', 'P', 'p', 'F', 'L', 'R']);

export class ResponseRelay {
  private readonly queue: Expectation[] = [];
  private head = 0;
  private result: ResultPlan | null = null;
  private readonly described = new Map<string, ResultPlan>();
  private lastDescribed: { payload: Buffer; plan: ResultPlan } | null = null;
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

  /**
   * Handles one server message. Synchronous unless a result's columns need a catalog look-up, so
   * that a DataRow costs no promise (the caller awaits only what is returned).
   */
  handle(f: Frame): void | Promise<void> {
    // Messages the server may send at any time.
    if (f.type === 'N') return this.ctx.send(this.maskNotice('N', f.payload));
    if (f.type === 'A') return this.ctx.send(this.maskNotification(f.payload));
    if (f.type === 'S') {
      // Defence in depth for the guard's string syntax: the guard refuses every SET of it but
      // `= on` (statement-guard.ts); should it change anyway, the session ends here.
      const status = f.payload.toString('latin1');
      if (status.startsWith('standard_conforming_strings\0') && !status.endsWith('\0on\0')) {
        throw new RelayFatal('standard_conforming_strings was turned off, which the Gatehouse guard cannot follow; the session was closed', '0A000');
      }
      return this.ctx.send(f.raw);
    }
    const e = this.queue[this.head];
    if (!e) {
      // An unsolicited error is the server ending the session (shutdown, termination).
      if (f.type === 'E') return this.ctx.send(this.maskNotice('E', f.payload));
      throw new ProtocolError(`unexpected message '${f.type}' from the server`);
    }
    if (e.kind === 'copy-describe') return this.inCopyDescribe(e, f);
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
        return this.ctx.send(f.raw);
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
    this.ctx.send(f.raw);
  }

  private inQuery(e: Extract<Expectation, { kind: 'query' }>, f: Frame): void | Promise<void> {
    switch (f.type) {
      case 'T': {
        const loading = this.describeResult(f.payload);
        if (loading) return loading.then(() => this.ctx.send(f.raw));
        return this.ctx.send(f.raw);
      }
      case 'D':
        return this.ctx.send(this.maskRow(f, e.capture));
      case 'C':
      case 'I':
        e.capture?.complete(f.type === 'C' ? commandTag(f.payload) : 'EMPTY', e.copy ? [...e.copy.cols.columns] : this.result?.columns);
        this.result = null;
        return this.ctx.send(f.raw);
      case 'Z':
        this.txStatus = decodeReadyForQuery(f.payload);
        this.result = null;
        e.capture?.finish();
        this.shift();
        return this.ctx.send(f.raw);
      default:
        return this.copyOut(f, e);
    }
  }

  private inCopyDescribe(e: Extract<Expectation, { kind: 'copy-describe' }>, f: Frame): void {
    switch (f.type) {
      case '1':
      case 't':
      case 'n':
        return;
      case 'T':
        e.result.fields = decodeRowDescription(f.payload);
        return;
      case 'E':
        e.result.error = this.maskNoticeFields(f.payload);
        return;
      case 'Z':
        this.txStatus = decodeReadyForQuery(f.payload);
        this.shift();
        return e.done(e.result);
      default:
        throw new ProtocolError(`unexpected message '${f.type}' answering Gatehouse's Describe`);
    }
  }

  private inDescribe(e: Extract<Expectation, { kind: 'describe' }>, f: Frame): void | Promise<void> {
    if (f.type === 't' && e.target === 'S') {
      if (!e.internal) this.ctx.send(f.raw);
      return;
    }
    if (f.type !== 'T' && f.type !== 'n') throw new ProtocolError(`unexpected message '${f.type}' answering Describe`);
    this.shift();
    if (e.internal) {
      // Gatehouse's own Describe before an Execute: the rows that follow are masked with this.
      if (f.type === 'T') return this.describeResult(f.payload);
      this.result = null;
      return;
    }
    this.ctx.send(f.raw);
  }

  private inExecute(e: Extract<Expectation, { kind: 'execute' }>, f: Frame): void {
    switch (f.type) {
      case 'D':
        return this.ctx.send(this.maskRow(f, e.capture));
      case 'C':
      case 'I':
      case 's':
        e.capture?.complete(f.type === 'C' ? commandTag(f.payload) : f.type === 'I' ? 'EMPTY' : null, this.result?.columns);
        e.capture?.finish();
        this.result = null;
        this.shift();
        return this.ctx.send(f.raw);
      default:
        return this.copyOut(f);
    }
  }

  /** COPY TO STDOUT of a planned simple-query COPY; anything else fails closed. */
  private copyOut(f: Frame, e?: Extract<Expectation, { kind: 'query' }>): void {
    const copy = e?.copy;
    switch (f.type) {
      case 'H':
      case 'd':
      case 'c':
        if (!copy) throw new RelayFatal('Gatehouse received COPY data it has no column plan for, so it cannot mask it; the session was closed', '0A000');
        if (f.type === 'H') copy.start(f.payload);
        else if (f.type === 'c') copy.done();
        else {
          for (const out of copy.data(f.payload, e.capture)) this.ctx.send(out);
          return;
        }
        return this.ctx.send(f.raw);
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

  /**
   * The masking plan for the rows that follow. A prepared statement describes the same result at
   * every Execute, so plans are kept by the description's bytes (and the masker they were made
   * with: a policy change makes new ones); the session's catalog names never change either.
   */
  private describeResult(payload: Buffer): void | Promise<void> {
    const masker = this.ctx.masker();
    const last = this.lastDescribed;
    if (last && last.plan.masker === masker && last.payload.equals(payload)) {
      this.result = last.plan;
      return;
    }
    const key = payload.toString('latin1');
    const known = this.described.get(key);
    if (known && known.masker === masker) {
      this.lastDescribed = { payload: Buffer.from(payload), plan: known };
      this.result = known;
      return;
    }
    const fields = decodeRowDescription(payload);
    return this.ctx.catalog(fields).then((catalog) => {
      const defs = fields as unknown as FieldDef[];
      const result = { fields, masker, plans: defs.map((f) => masker.cellPlan(catalog.columnRef(f))), columns: defs.map((f) => catalog.column(f)) };
      if (this.described.size >= 256) this.described.clear();
      this.described.set(key, result);
      this.lastDescribed = { payload: Buffer.from(payload), plan: result };
      this.result = result;
    });
  }

  /**
   * Masks a DataRow read in place (no view or Buffer per value: at a million rows those showed up
   * beside the masking itself); an unchanged row is passed on as it came.
   */
  private maskRow(f: Frame, capture: ResultCapture | undefined): Buffer {
    const result = this.result;
    if (!result) throw new RelayFatal('Gatehouse received rows without a description, so it cannot mask them; the session was closed');
    const raw = f.raw;
    const width = result.fields.length;
    if (raw.length < 7 || raw.readInt16BE(5) !== width) throw new ProtocolError('DataRow does not match its RowDescription');
    const cells: MaskedCell[] | null = capture?.wantsCells ? new Array<MaskedCell>(width) : null;
    let replaced: (string | null | undefined)[] | null = null;
    let off = 7;
    try {
      for (let i = 0; i < width; i++) {
        if (off + 4 > raw.length) throw new ProtocolError('DataRow: message is truncated');
        const len = raw.readInt32BE(off);
        off += 4;
        if (len === -1) {
          if (cells) cells[i] = { v: null };
          continue;
        }
        if (len < 0 || off + len > raw.length) throw new ProtocolError('DataRow: invalid value length');
        if (result.fields[i]!.format !== 0) {
          throw new RelayFatal('Gatehouse masks text-format results only; a binary-format column was refused (the session was closed)', '0A000');
        }
        const out = result.masker.maskCellOut(raw.toString('utf8', off, off + len), result.plans[i]!);
        off += len;
        if (cells) cells[i] = out;
        if (out.m !== undefined) {
          replaced ??= new Array<string | null | undefined>(width);
          replaced[i] = out.v;
        }
      }
    } catch (err) {
      if (err instanceof RelayFatal || err instanceof ProtocolError) throw err;
      throw new RelayFatal('Gatehouse could not mask a result row, so the row was withheld and the session closed');
    }
    if (off !== raw.length) throw new ProtocolError('DataRow: unexpected trailing bytes');
    capture?.row(cells);
    return replaced ? rewriteDataRow(raw, replaced) : raw;
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
