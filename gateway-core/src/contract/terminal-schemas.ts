/** Terminal part of the bridge contract. Output is masked before it is emitted. */
import { z } from 'zod';

const Id = z.string().min(1).max(100);
const Size = { cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) };

export const TerminalState = z.enum(['connecting', 'connected', 'disconnected', 'blocked', 'host-key-unknown']);
export type TerminalState = z.infer<typeof TerminalState>;

export const GuardNotice = z.object({
  action: z.enum(['deny', 'approve']),
  rule: z.string().optional(),
  reason: z.string(),
  /** The simple command that triggered the decision (masked). */
  command: z.string().optional(),
  /** For 'approve': the held line's id, to request approval with (approvals.request kind shell). */
  heldId: z.string().optional(),
});
export type GuardNotice = z.infer<typeof GuardNotice>;

export const terminalMethods = {
  'terminal.open': {
    input: z.object({ connectionId: Id, ...Size, term: z.string().max(40).optional() }).strict(),
    output: z.object({ terminalId: Id }),
  },
  'terminal.input': { input: z.object({ terminalId: Id, data: z.string().max(1_000_000) }).strict(), output: z.object({ accepted: z.boolean() }) },
  'terminal.resize': { input: z.object({ terminalId: Id, ...Size }).strict(), output: z.object({ resized: z.boolean() }) },
  'terminal.close': { input: z.object({ terminalId: Id }).strict(), output: z.object({ closed: z.boolean() }) },
  /** Trust-on-first-use: the user accepted this fingerprint for this connection. */
  'terminal.acceptHostKey': {
    input: z.object({ connectionId: Id, fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/) }).strict(),
    output: z.object({ trusted: z.boolean() }),
  },
} as const;

export const terminalEvents = {
  'terminal.output': z.object({ terminalId: Id, data: z.string() }),
  'terminal.state': z.object({
    terminalId: Id,
    state: TerminalState,
    message: z.string().optional(),
    /** For host-key-unknown: the fingerprint the user is asked to accept. */
    fingerprint: z.string().optional(),
    exitCode: z.number().int().optional(),
  }),
  'terminal.guard': z.object({ terminalId: Id, notice: GuardNotice }),
} as const;
