/**
 * Remembers every secret value gateway-core has resolved, so that any text about to leave
 * (a log line, an error message) can be scrubbed even when a driver echoed the secret in a
 * way no redaction path anticipated.
 */
export class SecretScrubber {
  private readonly secrets = new Set<string>();

  remember(secret: string): void {
    // Very short values would scrub ordinary words; such secrets are refused at config time.
    if (secret.length >= 4) this.secrets.add(secret);
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join('[REDACTED]');
    }
    return out;
  }
}
