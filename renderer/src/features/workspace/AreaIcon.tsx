/** Stroke icons drawn inline, so the CSP needs no remote fonts and no glyph can be missing. */
const PATHS = {
  sql: 'M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3zm0 0v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3',
  terminal: 'M4 5h16v14H4zM7 9l3 3-3 3m5 0h5',
  approvals: 'M12 3l7 3v6c0 4.5-3 7.5-7 9-4-1.5-7-4.5-7-9V6zm-3 9l2 2 4-4',
  sessions: 'M4 5h16v14H4zm6 4v6l5-3z',
} as const;

export type AreaIconName = keyof typeof PATHS;

export function AreaIcon({ name }: { name: AreaIconName }) {
  return (
    <svg width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" aria-hidden>
      <path d={PATHS[name]} />
    </svg>
  );
}
