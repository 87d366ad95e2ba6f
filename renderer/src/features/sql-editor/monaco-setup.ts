// Monaco, trimmed to what a SQL editor needs. The package's main entry registers ~80 languages and
// the TypeScript/CSS/HTML/JSON language services (several MB of workers); we take the editor core,
// the handful of contributions a SQL editor uses, and the PostgreSQL grammar only.
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/codicon/register';
import 'monaco-editor/features/bracketMatching/register';
import 'monaco-editor/features/clipboard/register';
import 'monaco-editor/features/comment/register';
import 'monaco-editor/features/contextmenu/register';
import 'monaco-editor/features/find/register';
import 'monaco-editor/features/folding/register';
import 'monaco-editor/features/gotoError/register';
import 'monaco-editor/features/hover/register';
import 'monaco-editor/features/linesOperations/register';
import 'monaco-editor/features/multicursor/register';
import 'monaco-editor/features/suggest/register';
import 'monaco-editor/features/wordHighlighter/register';
import 'monaco-editor/features/wordOperations/register';
// The suggest feature module above only brings inline completions; the popup widget lives here.
import 'monaco-editor/editor/contrib/suggest/browser/suggestController';
// 'pgsql' rather than the generic 'sql' grammar: it knows PostgreSQL's keywords, functions and
// operators (ILIKE, ::casts, RETURNING), which is the only dialect Gatehouse brokers.
import 'monaco-editor/languages/definitions/pgsql/register';
// Vite bundles the worker as a same-origin module file, which the CSP's worker-src 'self' allows;
// nothing here needs eval. Without a worker factory Monaco fails at runtime (PINS.md).
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';

export { monaco };
export const SQL_LANGUAGE = 'pgsql';

self.MonacoEnvironment = { getWorker: () => new EditorWorker() };

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  // Monaco's theme colours must be #rgb/#rrggbb; anything else would be ignored silently.
  return /^#[0-9a-f]{3,8}$/i.test(value) ? value : fallback;
}

/** Re-derive the editor theme from the app's CSS variables, so both themes stay one palette. */
function applyAppTheme(): void {
  const light = document.documentElement.dataset.theme === 'light';
  const name = light ? 'gatehouse-light' : 'gatehouse-dark';
  monaco.editor.defineTheme(name, {
    base: light ? 'vs' : 'vs-dark',
    inherit: true,
    rules: [],
    colors: {
      'editor.background': cssVar('--bg-sunken', light ? '#eef1f5' : '#0b0f14'),
      'editor.foreground': cssVar('--text', light ? '#1c2430' : '#e3e8ef'),
      'editorLineNumber.foreground': cssVar('--text-muted', light ? '#5b6777' : '#8b97a8'),
      'editorCursor.foreground': cssVar('--accent', light ? '#2563eb' : '#4c8dff'),
      'focusBorder': cssVar('--focus', light ? '#2563eb' : '#7aa7ff'),
      'editorWidget.background': cssVar('--bg-raised', light ? '#ffffff' : '#161c24'),
      'editorWidget.border': cssVar('--border', light ? '#d5dbe3' : '#263040'),
    },
  });
  monaco.editor.setTheme(name);
}

let themeWatched = false;
/** Called once an editor exists; follows later theme toggles (use-theme.ts sets data-theme). */
export function followAppTheme(): void {
  applyAppTheme();
  if (themeWatched) return;
  themeWatched = true;
  new MutationObserver(applyAppTheme).observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
}
