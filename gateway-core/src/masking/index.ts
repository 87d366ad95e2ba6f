/** Masking engine: validated value detectors, column rules and a streaming variant for terminals. */
export { DETECTOR_NAMES, BULLET, type DetectorName, type RawHit } from './types.js';
export {
  COLUMN_RULES,
  maskingPolicySchema,
  type ColumnRef,
  type ColumnRule,
  type MaskingPolicy,
  type MaskingPolicyInput,
} from './policy.js';
export {
  Masker,
  MaskingError,
  MaskingPolicyError,
  createMasker,
  type MaskCellResult,
  type MaskHit,
  type MaskTextResult,
} from './masker.js';
export { createStreamMasker, createMaskingTransform, type StreamMasker, type StreamMaskerOptions } from './stream.js';
export { renderValue } from './render.js';
export { FULL_MASK, JWT_MASK, PEM_MASK, PASSWORD_MASK } from './replace.js';
