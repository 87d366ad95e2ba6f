/**
 * Which addresses the app may hand to the OS browser: https on an allowlist only. A link in
 * terminal output or a result cell is attacker-controlled text, so it must never reach
 * `shell.openExternal` (or a file:, javascript: or custom-scheme URL) unchecked.
 */
export const EXTERNAL_URL_ALLOWLIST: readonly string[] = ['github.com', 'docs.gatehouse.dev'];

export function isAllowedExternalUrl(raw: string, allowlist: readonly string[] = EXTERNAL_URL_ALLOWLIST): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' && url.username === '' && url.password === '' && allowlist.includes(url.hostname);
  } catch {
    return false;
  }
}
