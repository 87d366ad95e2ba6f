/**
 * COPY TO STDOUT data, masked column by column like DataRow values: each CopyData row is parsed in
 * the COPY's own format (text or CSV, with its delimiter, quote, escape and NULL string), each value
 * goes through `Masker.maskCellOut` with its column's plan (column rules resolved from the described
 * table OID and attnum), and the row is re-encoded. Unchanged rows pass as they came.
 *
 * Fail closed: a CopyOutResponse whose column count or format differs from what was described, a
 * row with the wrong number of fields, a header that is not the column names, a partial row at
 * CopyDone, or a masking failure throws RelayFatal, and the raw row never leaves.
 */
import type { MaskedCell, SqlColumn } from '../contract/sql-schemas.js';
import type { CellPlan, Masker } from '../masking/masker.js';
import { frame } from './backend-messages.js';
import { decodeField, encodeField, rowEnd, splitFields, type CopyField } from './copy-codec.js';
import type { CopyFormat } from './copy-plan.js';
import { RelayFatal } from './response-relay.js';
import type { ResultCapture } from './result-capture.js';

export interface CopyColumns {
  /** Output column names, in COPY's order (a HEADER row must repeat them). */
  names: readonly string[];
  plans: readonly CellPlan[];
  columns: readonly SqlColumn[];
  masker: Masker;
}

export class CopyOutMasker {
  private started = false;
  private pending: Buffer | null = null;
  private headerPending: boolean;
  private readonly delimiter: string;

  constructor(
    private readonly format: CopyFormat,
    readonly cols: CopyColumns,
  ) {
    this.headerPending = format.header;
    this.delimiter = String.fromCharCode(format.delimiter);
  }

  /** CopyOutResponse: text format overall and per column, as many columns as were described. */
  start(payload: Buffer): void {
    const n = payload.length >= 3 ? payload.readInt16BE(1) : -1;
    if (n < 0 || payload.length !== 3 + 2 * n) throw new RelayFatal('invalid CopyOutResponse from the server', '08P01');
    for (let i = 0; i < n; i++) if (payload.readInt16BE(3 + 2 * i) !== 0) throw this.mismatch();
    if (payload[0] !== 0 || n !== this.cols.names.length) throw this.mismatch();
    this.started = true;
  }

  /** One CopyData payload → the CopyData frames to send (one per complete row). */
  data(payload: Buffer, capture: ResultCapture | undefined): Buffer[] {
    if (!this.started) throw new RelayFatal('Gatehouse received COPY data it cannot mask, so the session was closed', '0A000');
    let buf = payload;
    if (this.pending) {
      buf = Buffer.concat([this.pending, payload]);
      this.pending = null;
    }
    const out: Buffer[] = [];
    let from = 0;
    while (from < buf.length) {
      const end = rowEnd(buf, from, this.format);
      if (end < 0) {
        // PostgreSQL sends one row per message; a row split across messages waits for its end.
        this.pending = buf.subarray(from);
        break;
      }
      out.push(this.row(buf, from, end, capture));
      from = end + 1;
    }
    return out;
  }

  /** CopyDone: nothing may be left over (a partial row is never sent). */
  done(): void {
    if (this.pending && this.pending.length > 0) throw new RelayFatal('the COPY data ended inside a row, so Gatehouse withheld it and closed the session', '08P01');
    this.started = false;
  }

  private row(buf: Buffer, start: number, end: number, capture: ResultCapture | undefined): Buffer {
    const f = this.format;
    const width = this.cols.names.length;
    const text = buf.toString('utf8', start, end);
    // A row of zero columns is an empty line; splitting would report one empty field.
    const fields: CopyField[] = width === 0 && text === '' ? [] : splitFields(text, f);
    if (fields.length !== width) throw new RelayFatal('a COPY row does not match the described columns, so Gatehouse withheld it and closed the session');
    if (this.headerPending) {
      this.headerPending = false;
      for (let i = 0; i < width; i++) {
        if (decodeField(text, fields[i]!, f) !== this.cols.names[i]) throw new RelayFatal('the COPY header does not match the described columns, so Gatehouse closed the session');
      }
      return frame('d', buf.subarray(start, end + 1));
    }
    const cells: MaskedCell[] | null = capture?.wantsCells ? new Array<MaskedCell>(width) : null;
    let replaced: (string | undefined)[] | null = null;
    try {
      for (let i = 0; i < width; i++) {
        const field = fields[i]!;
        const value = decodeField(text, field, f);
        const cell = value === null ? { v: null } : this.cols.masker.maskCellOut(value, this.cols.plans[i]!);
        if (cells) cells[i] = cell;
        if (cell.m !== undefined) {
          replaced ??= new Array<string | undefined>(width);
          replaced[i] = encodeField(cell.v, f, field.quoted, width === 1);
        }
      }
    } catch {
      throw new RelayFatal('Gatehouse could not mask a COPY row, so the row was withheld and the session closed');
    }
    capture?.row(cells);
    if (!replaced) return frame('d', buf.subarray(start, end + 1));
    let out = '';
    for (let i = 0; i < width; i++) {
      if (i > 0) out += this.delimiter;
      out += replaced[i] ?? text.slice(fields[i]!.start, fields[i]!.end);
    }
    out += '\n';
    // The CopyData frame written straight from the string: one allocation per row.
    const bytes = Buffer.byteLength(out, 'utf8');
    const msg = Buffer.allocUnsafe(5 + bytes);
    msg[0] = 0x64;
    msg.writeInt32BE(4 + bytes, 1);
    msg.write(out, 5, 'utf8');
    return msg;
  }

  private mismatch(): RelayFatal {
    return new RelayFatal('the server\'s COPY columns differ from the ones Gatehouse resolved for masking, so the session was closed');
  }
}
