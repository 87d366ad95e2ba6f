import type { ITheme } from '@xterm/xterm';

export type AppTheme = 'dark' | 'light';

/**
 * ANSI palettes tuned to each app theme's background (GitHub-like, readable at 4.5:1 for the
 * common colours). The surface colours are not here: they come from the app's CSS variables so
 * the terminal follows any change to theme.css.
 */
const PALETTES: Record<AppTheme, ITheme> = {
  dark: {
    black: '#484f58', red: '#ff7b72', green: '#3fb950', yellow: '#d29922', blue: '#58a6ff', magenta: '#bc8cff', cyan: '#39c5cf', white: '#b1bac4',
    brightBlack: '#6e7681', brightRed: '#ffa198', brightGreen: '#56d364', brightYellow: '#e3b341', brightBlue: '#79c0ff', brightMagenta: '#d2a8ff', brightCyan: '#56d4dd', brightWhite: '#f0f6fc',
  },
  light: {
    black: '#24292f', red: '#cf222e', green: '#116329', yellow: '#4d2d00', blue: '#0969da', magenta: '#8250df', cyan: '#1b7c83', white: '#6e7781',
    brightBlack: '#57606a', brightRed: '#a40e26', brightGreen: '#1a7f37', brightYellow: '#633c01', brightBlue: '#218bff', brightMagenta: '#a475f9', brightCyan: '#3192aa', brightWhite: '#8c959f',
  },
};

/** Search highlight colours; the search addon wants #RRGGBB. */
export const SEARCH_DECORATIONS: Record<AppTheme, { matchBackground: string; activeMatchBackground: string; matchOverviewRuler: string; activeMatchColorOverviewRuler: string }> = {
  dark: { matchBackground: '#3a3212', activeMatchBackground: '#7a5c00', matchOverviewRuler: '#d29922', activeMatchColorOverviewRuler: '#f2cc60' },
  light: { matchBackground: '#fff1b8', activeMatchBackground: '#f2c94c', matchOverviewRuler: '#9a6700', activeMatchColorOverviewRuler: '#bf8700' },
};

export function currentAppTheme(): AppTheme {
  return document.documentElement.dataset.theme === 'light' ? 'light' : 'dark';
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

export function terminalTheme(theme: AppTheme): ITheme {
  const style = getComputedStyle(document.documentElement);
  const dark = theme === 'dark';
  return {
    ...PALETTES[theme],
    background: cssVar(style, '--bg-sunken', dark ? '#0b0f14' : '#eef1f5'),
    foreground: cssVar(style, '--text', dark ? '#e3e8ef' : '#1c2430'),
    cursor: cssVar(style, '--accent', dark ? '#4c8dff' : '#2563eb'),
    cursorAccent: cssVar(style, '--bg-sunken', dark ? '#0b0f14' : '#eef1f5'),
    // Opaque: xterm blends translucent selection colours unevenly over coloured cells.
    selectionBackground: dark ? '#264f78' : '#b6d3ff',
    selectionInactiveBackground: dark ? '#1d3550' : '#d5e4fb',
    scrollbarSliderBackground: dark ? 'rgba(139, 151, 168, 0.25)' : 'rgba(91, 103, 119, 0.25)',
    scrollbarSliderHoverBackground: dark ? 'rgba(139, 151, 168, 0.4)' : 'rgba(91, 103, 119, 0.4)',
  };
}

/** Calls back whenever the app's data-theme flips (the theme toggle in the top bar). */
export function watchAppTheme(onChange: (theme: AppTheme) => void): () => void {
  const observer = new MutationObserver(() => onChange(currentAppTheme()));
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => observer.disconnect();
}
