/**
 * IPC channel names, grouped by the process that receives them (as Teleport Connect does),
 * so a glance at a channel tells which side must validate it.
 */
export const MAIN_PROCESS_CHANNEL_PREFIX = 'main-process:';
export const RENDERER_EVENT_CHANNEL = 'renderer:bridge-event';

export const mainProcessChannel = (method: string): string => `${MAIN_PROCESS_CHANNEL_PREFIX}${method}`;

/** The only origin the app window loads; IPC from any other frame is refused. */
export const APP_ORIGIN = 'app://gatehouse';
