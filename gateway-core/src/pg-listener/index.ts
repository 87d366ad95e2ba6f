/** The local PostgreSQL port for native clients (issue 7). */
export { startPgListener, listenerPolicyFrom, type PgListener, type PgListenerOptions, type ListenerPolicy } from './listener.js';
export { DEFAULT_MAX_MESSAGE_BYTES, ProtocolError } from './frame-reader.js';
export { FrontendParser, type FrontendMessage } from './frontend-messages.js';
