import { lazy, Suspense, useImperativeHandle, useMemo, useRef, useState, type Ref } from 'react';
import type { GatehouseBridge, SqlSchema } from '@gatehouse/gateway-core/contract';
import { messageOf } from './bridge-call';
import { HistoryPanel } from './HistoryPanel';
import { LoadBoundary } from './LoadBoundary';
import { ResultPanel } from './ResultPanel';
import { RunToolbar } from './RunToolbar';
import { quoteIdent } from './quote-ident';
import type { EditorMarker, SqlEditorHandle } from './SqlEditor';
import { SqlApprovalCard } from './SqlApprovalCard';
import { SqlApprovalDialog } from './SqlApprovalDialog';
import { useSqlApproval } from './use-sql-approval';
import { useSqlSession, type RunView } from './use-sql-session';

// Monaco is most of the bundle; loading it with the first editor tab keeps the app's first paint light.
const SqlEditor = lazy(() => import('./SqlEditor').then((m) => ({ default: m.SqlEditor })));

export interface SqlTabHandle {
  preview(schema: string, relation: string): void;
  close(): Promise<void>;
}

/** Where PostgreSQL's message points, as a span to underline: the token at (or just after) the position. */
function tokenSpan(text: string, at: number): { start: number; end: number } {
  let start = at;
  while (start < text.length && /\s/.test(text[start] ?? '')) start++;
  const m = /[\s,;()]/.exec(text.slice(start + 1));
  return { start, end: m ? start + 1 + m.index : text.length };
}

function markersFor(view: RunView): EditorMarker[] {
  const { origin, results } = view;
  // Statements that did not come from the editor text (previews) have nothing to underline.
  if (!origin || origin.editorOffset === null) return [];
  const base = origin.editorOffset;
  const out: EditorMarker[] = [];
  for (const r of results) {
    if (r.status === 'refused' && r.refusal.location) {
      const { start, end } = r.refusal.location;
      out.push({ start: base + start, end: base + end, message: `${r.refusal.reason}\nClass: ${r.refusal.class ?? 'unclassified'} · Rule: ${r.refusal.rule}` });
    } else if (r.status === 'error' && r.error.position !== undefined) {
      // gateway-core has already turned PostgreSQL's 1-based character position into a 0-based
      // UTF-16 offset into the submitted text, the same unit Monaco's getPositionAt takes.
      const span = tokenSpan(origin.text, r.error.position);
      out.push({ start: base + span.start, end: base + span.end, message: r.error.message });
    }
  }
  return out;
}

export function SqlTab({
  ref,
  bridge,
  connectionId,
  schema,
  active,
}: {
  ref?: Ref<SqlTabHandle>;
  bridge: GatehouseBridge;
  connectionId: string;
  schema: SqlSchema | null;
  active: boolean;
}) {
  const session = useSqlSession(bridge, connectionId);
  const { view } = session;
  const editor = useRef<SqlEditorHandle>(null);
  const [hasSelection, setHasSelection] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [runs, setRuns] = useState(0);
  const [exporting, setExporting] = useState(false);
  const [exportNote, setExportNote] = useState<string | null>(null);
  const running = view.phase === 'running';
  const markers = useMemo(() => markersFor(view), [view]);
  const approval = useSqlApproval(session);
  const heldText = view.origin?.text ?? null;

  const start = (text: string, editorOffset: number | null, label?: string): void => {
    if (running || !text.trim()) return;
    setExportNote(null);
    void session.run({ text, editorOffset, ...(label ? { label } : {}) }).then(() => setRuns((x) => x + 1));
  };
  const runFromEditor = (): void => {
    const target = editor.current?.runTarget();
    if (target) start(target.text, target.offset);
  };

  useImperativeHandle(ref, () => ({
    preview(schemaName, relation) {
      const text = `SELECT * FROM ${quoteIdent(schemaName)}.${quoteIdent(relation)} LIMIT 100`;
      // Fill an empty editor so the preview can be edited and rerun; never overwrite the user's text.
      if (editor.current?.isEmpty()) {
        editor.current.replaceText(text);
        start(text, 0, `Preview of ${schemaName}.${relation}`);
      } else start(text, null, `Preview of ${schemaName}.${relation}`);
    },
    close: session.close,
  }));

  const exportCsv = async (): Promise<void> => {
    const text = view.origin?.text;
    if (!text) return;
    setExporting(true);
    setExportNote(null);
    try {
      const out = await session.exportCsv(text);
      downloadText(out.csv, out.fileName);
      setExportNote(`Saved ${out.rowCount.toLocaleString('en-US')} rows to ${out.fileName}${out.capped ? ' (row cap reached)' : ''}`);
    } catch (e) {
      setExportNote(messageOf(e));
    } finally {
      setExporting(false);
    }
  };

  return (
    <div className="sql-tab" hidden={!active} data-testid="sql-tab" data-connection={connectionId}>
      <RunToolbar
        running={running}
        hasSelection={hasSelection}
        canExport={view.phase === 'done' && view.grid !== null}
        exporting={exporting}
        exportNote={exportNote}
        historyOpen={historyOpen}
        onRun={runFromEditor}
        onCancel={() => void session.cancel()}
        onExport={() => void exportCsv()}
        onToggleHistory={() => setHistoryOpen((o) => !o)}
      />
      <div className={`sql-tab-body${historyOpen ? ' with-history' : ''}`}>
        <div className="sql-work">
          <div className="sql-editor-box">
            <LoadBoundary what="editor">
              <Suspense fallback={<div className="sql-monaco loading">Loading the editor…</div>}>
                <SqlEditor ref={editor} initialText="" schema={schema} markers={markers} active={active} onRun={runFromEditor} onSelectionChange={setHasSelection} />
              </Suspense>
            </LoadBoundary>
          </div>
          {approval.requested && <SqlApprovalCard requestId={approval.requested.id} text={approval.requested.text} onDismiss={approval.dismiss} />}
          <ResultPanel
            view={view}
            onFetchMore={session.fetchMore}
            onRetryFetch={session.retryFetch}
            onRequestApproval={heldText !== null && !approval.pendingFor(heldText) ? (refusal) => approval.ask({ text: heldText, refusal }) : null}
          />
        </div>
        {approval.asking && <SqlApprovalDialog held={approval.asking} onSubmit={approval.submit} onCancel={approval.closeDialog} />}
        {historyOpen && <HistoryPanel bridge={bridge} connectionId={connectionId} refreshKey={runs} onOpen={(text) => editor.current?.replaceText(text)} />}
      </div>
    </div>
  );
}

/** Save text as a file through a Blob URL: no navigation, nothing leaves the page but the download. */
function downloadText(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can abort the download in Chromium; a short grace period is enough.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
