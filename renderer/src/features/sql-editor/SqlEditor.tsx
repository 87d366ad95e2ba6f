import { useEffect, useImperativeHandle, useRef, type Ref } from 'react';
import type { SqlSchema } from '@gatehouse/gateway-core/contract';
import 'monaco-editor/features/toggleTabFocusMode/register';
import { followAppTheme, monaco, SQL_LANGUAGE } from './monaco-setup';
import { registerSqlCompletion, setModelSchema } from './sql-completion';

/** A problem to underline, as character offsets into the editor's whole text. */
export interface EditorMarker {
  start: number;
  end: number;
  message: string;
}

export interface SqlEditorHandle {
  /** The selection when there is one, else the whole text; with its offset in the editor. */
  runTarget(): { text: string; offset: number; selection: boolean };
  /** Replace the text as one undoable edit, so reopening history never loses the user's work. */
  replaceText(text: string): void;
  isEmpty(): boolean;
  focus(): void;
}

const MARKER_OWNER = 'gatehouse';

export function SqlEditor({
  ref,
  initialText,
  schema,
  markers,
  active,
  onRun,
  onSelectionChange,
}: {
  ref?: Ref<SqlEditorHandle>;
  initialText: string;
  schema: SqlSchema | null;
  markers: EditorMarker[];
  active: boolean;
  onRun: () => void;
  onSelectionChange: (hasSelection: boolean) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  // Monaco actions are registered once; they call whatever the latest props are.
  const callbacks = useRef({ onRun, onSelectionChange });
  callbacks.current = { onRun, onSelectionChange };
  const initial = useRef(initialText);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    followAppTheme();
    registerSqlCompletion();
    const model = monaco.editor.createModel(initial.current, SQL_LANGUAGE);
    const editor = monaco.editor.create(el, {
      model,
      automaticLayout: true, // hidden tabs get their size back when shown again
      minimap: { enabled: false },
      fontSize: 13,
      lineNumbersMinChars: 3,
      scrollBeyondLastLine: false,
      renderLineHighlight: 'line',
      fixedOverflowWidgets: true,
      tabSize: 2,
      wordWrap: 'on', // long one-line statements stay readable without horizontal scrolling
      ariaLabel: 'SQL editor. Ctrl+Enter runs; Ctrl+M makes Tab move focus.',
      // Word-based suggestions would offer every word typed so far; schema completion is the useful kind.
      wordBasedSuggestions: 'off',
    });
    editor.addAction({
      id: 'gatehouse.run',
      label: 'Run statement (selection or all)',
      keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter],
      run: () => callbacks.current.onRun(),
    });
    const sub = editor.onDidChangeCursorSelection((e) => callbacks.current.onSelectionChange(!e.selection.isEmpty()));
    editorRef.current = editor;
    return () => {
      sub.dispose();
      setModelSchema(model, null);
      editor.dispose();
      model.dispose();
      editorRef.current = null;
    };
  }, []);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (model) setModelSchema(model, schema);
  }, [schema]);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!model) return;
    monaco.editor.setModelMarkers(
      model,
      MARKER_OWNER,
      markers.map((m) => {
        const s = model.getPositionAt(m.start);
        const e = model.getPositionAt(Math.max(m.end, m.start + 1));
        return { severity: monaco.MarkerSeverity.Error, message: m.message, startLineNumber: s.lineNumber, startColumn: s.column, endLineNumber: e.lineNumber, endColumn: e.column };
      }),
    );
  }, [markers]);

  useEffect(() => {
    if (active) editorRef.current?.focus();
  }, [active]);

  useImperativeHandle(
    ref,
    () => ({
      runTarget() {
        const editor = editorRef.current;
        const model = editor?.getModel();
        if (!editor || !model) return { text: '', offset: 0, selection: false };
        const sel = editor.getSelection();
        if (sel && !sel.isEmpty()) return { text: model.getValueInRange(sel), offset: model.getOffsetAt(sel.getStartPosition()), selection: true };
        return { text: model.getValue(), offset: 0, selection: false };
      },
      replaceText(text) {
        const editor = editorRef.current;
        const model = editor?.getModel();
        if (!editor || !model) return;
        editor.pushUndoStop();
        editor.executeEdits('gatehouse', [{ range: model.getFullModelRange(), text }]);
        editor.pushUndoStop();
        editor.setSelection(new monaco.Selection(1, 1, 1, 1));
        editor.focus();
      },
      isEmpty: () => (editorRef.current?.getModel()?.getValue().trim() ?? '') === '',
      focus: () => editorRef.current?.focus(),
    }),
    [],
  );

  return <div className="sql-monaco" ref={container} data-testid="sql-editor" data-marker-count={markers.length} />;
}
