/**
 * Frames carried by the browser shell's WebSocket. Electron IPC needs no framing of its own
 * (ipcRenderer.invoke already pairs requests and replies), so only the socket uses these.
 */
import { z } from 'zod';
import { BridgeError } from './bridge-contract.js';

export const ClientFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('call'), id: z.number().int().nonnegative(), method: z.string().max(100), input: z.unknown() }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

export const ServerFrame = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('result'),
    id: z.number().int().nonnegative(),
    result: z.union([z.object({ ok: z.unknown() }), z.object({ error: BridgeError })]),
  }),
  z.object({ type: z.literal('event'), event: z.string(), payload: z.unknown() }),
]);
export type ServerFrame = z.infer<typeof ServerFrame>;

/** Frames larger than this are refused before parsing, so a hostile page cannot exhaust memory. */
export const MAX_CLIENT_FRAME_BYTES = 1024 * 1024;
