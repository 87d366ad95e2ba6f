/**
 * Shared types of the masking engine. Kept free of runtime imports so that every other
 * masking module (detectors, scanner, stream) can depend on it without cycles.
 */

/** Stable detector names: they appear in policies, hit lists and recordings, so never rename. */
export const DETECTOR_NAMES = [
  'card',
  'email',
  'phone',
  'ssn',
  'iban',
  'ipv4',
  'ipv6',
  'aws-access-key',
  'jwt',
  'pem-private-key',
  'connection-string-password',
] as const;

export type DetectorName = (typeof DETECTOR_NAMES)[number];

/** Which detectors run. Built once per Masker so the hot loop only reads booleans. */
export type EnabledDetectors = Readonly<Record<DetectorName, boolean>>;

/**
 * A detector finding in scanner coordinates (UTF-16 offsets into the scanned string).
 * `replacement` is already computed so that the output builders never see detector internals.
 */
export interface RawHit {
  detector: DetectorName;
  start: number;
  end: number;
  replacement: string;
  /** Set on a PEM block whose END line was not in the text: everything after BEGIN was masked. */
  open?: boolean;
}

/** The glyph used for masked characters. Non-ASCII on purpose: masked output never re-matches. */
export const BULLET = '\u2022';
