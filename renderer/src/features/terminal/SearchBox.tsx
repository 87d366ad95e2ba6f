import type { SearchAddon } from '@xterm/addon-search';
import { useEffect, useRef, useState } from 'react';
import { currentAppTheme, SEARCH_DECORATIONS } from './terminal-theme';

/** The small find bar over a terminal (Ctrl/Cmd-F): incremental, Enter / Shift+Enter to step. */
export function SearchBox({ addon, onClose }: { addon: SearchAddon; onClose: () => void }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<{ index: number; count: number } | null>(null);

  useEffect(() => {
    inputRef.current?.focus();
    const sub = addon.onDidChangeResults(({ resultIndex, resultCount }) => setResults({ index: resultIndex, count: resultCount }));
    return () => {
      sub.dispose();
      addon.clearDecorations();
    };
  }, [addon]);

  const find = (term: string, direction: 'next' | 'previous', incremental = false): void => {
    if (!term) {
      addon.clearDecorations();
      setResults(null);
      return;
    }
    const options = { decorations: SEARCH_DECORATIONS[currentAppTheme()], incremental };
    if (direction === 'next') addon.findNext(term, options);
    else addon.findPrevious(term, options);
  };

  const label = !query || !results ? '' : results.count === 0 ? 'No results' : results.index < 0 ? `${results.count}+` : `${results.index + 1} of ${results.count}`;

  return (
    <div className="terminal-search" role="search" data-testid="terminal-search">
      <input
        ref={inputRef}
        type="text"
        aria-label="Find in terminal"
        placeholder="Find"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          find(e.target.value, 'next', true);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            find(query, e.shiftKey ? 'previous' : 'next');
          } else if (e.key === 'Escape') {
            e.preventDefault();
            onClose();
          }
        }}
      />
      <span className="terminal-search-count" aria-live="polite">
        {label}
      </span>
      <button type="button" className="terminal-icon-button" aria-label="Previous match" onClick={() => find(query, 'previous')}>
        ↑
      </button>
      <button type="button" className="terminal-icon-button" aria-label="Next match" onClick={() => find(query, 'next')}>
        ↓
      </button>
      <button type="button" className="terminal-icon-button" aria-label="Close find" onClick={onClose}>
        ×
      </button>
    </div>
  );
}
