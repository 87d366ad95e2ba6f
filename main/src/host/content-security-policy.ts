/**
 * One CSP for both shells. Monaco injects styles and runs its language workers from the same
 * origin, so style-src needs 'unsafe-inline' and worker-src 'self'; nothing may load from
 * anywhere else, and the page may talk only to its own host.
 */
export function contentSecurityPolicy(connectSrc: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${connectSrc}`,
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
