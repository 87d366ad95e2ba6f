/** The local PostgreSQL port for native clients (issue 7). */
export { startPgListener, listenerPolicyFrom, type PgListener, type PgListenerOptions, type ListenerPolicy } from './listener.js';
export { DEFAULT_MAX_MESSAGE_BYTES, ProtocolError } from './frame-reader.js';
export { FrontendParser, type FrontendMessage } from './frontend-messages.js';
export { loadOrCreateLocalPortCertificate, localCertFiles, type LocalPortCertificate } from './local-cert.js';
export { TLS_REQUIRED_MESSAGE, type ListenerTlsMaterial } from './local-tls.js';
export { clientStrings, shellWord, type ClientStrings } from './client-strings.js';
