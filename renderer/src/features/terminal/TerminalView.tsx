import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { SearchBox } from './SearchBox';
import { currentAppTheme, terminalTheme, watchAppTheme } from './terminal-theme';

/** What the pane may do to its xterm; handed over once the terminal has its first real size. */
export interface TerminalHandle {
  write(data: string): void;
  /** A dimmed local line, e.g. a reconnect separator. Never reaches the host. */
  notice(text: string): void;
  /** Sends text as a paste (bracketed if the shell asked for it) through onData. */
  paste(text: string): void;
  focus(): void;
  size(): { cols: number; rows: number };
}

export interface TerminalViewProps {
  /** Whether this tab is the one shown; a hidden xterm cannot be measured, so it is not fitted. */
  active: boolean;
  onReady(handle: TerminalHandle): void;
  onData(data: string): void;
  onResize(cols: number, rows: number): void;
  /** A paste holding a line break: the pane asks before any of it is sent. */
  onMultiLinePaste(text: string): void;
  onLink(url: string): void;
}

const FONT_FAMILY = "ui-monospace, 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace";
const SCROLLBACK = 5000;
const COPY_DEBOUNCE_MS = 150;

/**
 * The xterm.js 6 wrapper: one Terminal per tab, created once and kept for the tab's life (so its
 * scrollback survives tab and area switches), with fit, search and web-links addons. The DOM
 * renderer (xterm's default) is kept deliberately: no webgl/canvas addon, so the screen is real
 * text in `.xterm-rows` that assistive tech and e2e tests can read.
 */
export function TerminalView(props: TerminalViewProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const fitRef = useRef<(() => void) | null>(null);
  // The terminal is built once; it reads the newest callbacks through this ref.
  const callbacks = useRef(props);
  callbacks.current = props;
  const [search, setSearch] = useState<SearchAddon | null>(null);
  const [searchOpen, setSearchOpen] = useState(false);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const term = new Terminal({
      scrollback: SCROLLBACK,
      fontFamily: FONT_FAMILY,
      fontSize: 13,
      lineHeight: 1.15,
      cursorBlink: true,
      theme: terminalTheme(currentAppTheme()),
      // The search addon's match highlighting uses decorations, which xterm 6 still marks proposed.
      allowProposedApi: true,
    });
    const fit = new FitAddon();
    const searchAddon = new SearchAddon();
    // Links are never opened from the renderer: the contract has no openExternal yet, so the pane
    // only shows the address (TODO: route through the host's openExternal allowlist once it exists).
    const links = new WebLinksAddon((event, uri) => {
      event.preventDefault();
      callbacks.current.onLink(uri);
    });
    term.loadAddon(fit);
    term.loadAddon(searchAddon);
    term.loadAddon(links);
    term.open(host);
    termRef.current = term;
    setSearch(searchAddon);

    const disposables = [
      term.onData((data) => callbacks.current.onData(data)),
      term.onResize(({ cols, rows }) => callbacks.current.onResize(cols, rows)),
    ];

    // Copy on selection, debounced: a mouse drag fires a selection change per cell.
    let copyTimer = 0;
    disposables.push(
      term.onSelectionChange(() => {
        window.clearTimeout(copyTimer);
        copyTimer = window.setTimeout(() => {
          const text = term.getSelection();
          // Clipboard access can be refused (no focus, permissions); copying is best effort.
          if (text) navigator.clipboard?.writeText(text).catch(() => undefined);
        }, COPY_DEBOUNCE_MS);
      }),
    );

    term.attachCustomKeyEventHandler((event) => {
      if (event.type === 'keydown' && (event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'f') {
        event.preventDefault();
        setSearchOpen(true);
        return false; // not sent to the shell
      }
      return true;
    });

    // Capture phase on the host runs before xterm's own paste listeners on its textarea/element.
    const onPaste = (event: ClipboardEvent): void => {
      const text = event.clipboardData?.getData('text/plain') ?? '';
      if (!/[\r\n]/.test(text)) return; // one line: xterm pastes it as usual
      event.preventDefault();
      event.stopImmediatePropagation();
      callbacks.current.onMultiLinePaste(text);
    };
    host.addEventListener('paste', onPaste, { capture: true });

    let ready = false;
    let frame = 0;
    const fitNow = (): void => {
      // display:none (hidden tab or area) measures as 0×0; fitting then would shrink the pty to 2×1.
      if (host.clientWidth === 0 || host.clientHeight === 0) return;
      const dims = fit.proposeDimensions();
      if (!dims || !Number.isFinite(dims.cols) || !Number.isFinite(dims.rows)) return;
      if (dims.cols !== term.cols || dims.rows !== term.rows) fit.fit();
      if (!ready) {
        ready = true;
        callbacks.current.onReady({
          write: (data) => term.write(data),
          notice: (text) => term.write(`\r\n\x1b[2m${text}\x1b[0m\r\n`),
          paste: (text) => term.paste(text),
          focus: () => term.focus(),
          size: () => ({ cols: term.cols, rows: term.rows }),
        });
      }
    };
    fitRef.current = fitNow;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(fitNow);
    });
    observer.observe(host);

    const stopWatchingTheme = watchAppTheme((theme) => {
      term.options.theme = terminalTheme(theme);
    });

    return () => {
      stopWatchingTheme();
      observer.disconnect();
      cancelAnimationFrame(frame);
      window.clearTimeout(copyTimer);
      host.removeEventListener('paste', onPaste, { capture: true });
      for (const d of disposables) d.dispose();
      term.dispose();
      termRef.current = null;
      fitRef.current = null;
      setSearch(null);
    };
  }, []);

  // A tab shown again: refit (the ResizeObserver also fires) and take the keyboard.
  useEffect(() => {
    if (!props.active) return;
    fitRef.current?.();
    termRef.current?.focus();
  }, [props.active]);

  return (
    <div className="terminal-view">
      <div ref={hostRef} className="terminal-host" />
      {searchOpen && search && (
        <SearchBox
          addon={search}
          onClose={() => {
            setSearchOpen(false);
            termRef.current?.focus();
          }}
        />
      )}
    </div>
  );
}
