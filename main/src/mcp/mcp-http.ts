/**
 * `gatehouse mcp --http`: the MCP server over streamable HTTP on 127.0.0.1, for clients that
 * cannot spawn a process. Every request carries the launch's bearer token (compared in constant
 * time); Host and Origin are checked against loopback so a web page cannot reach it through DNS
 * rebinding. Each MCP session gets its own server instance over the shared agent tools.
 */
import { randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

export interface McpHttpOptions {
  port: number;
  token: string;
  newServer: () => McpServer;
  log: (message: string) => void;
}

export interface McpHttpServer {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export async function startMcpHttp(o: McpHttpOptions): Promise<McpHttpServer> {
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: McpServer }>();
  const expected = digest(o.token);
  let allowedHosts: string[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/mcp') return reject(res, 404, 'not_found', 'The MCP endpoint is /mcp');
    if (!authorised(req.headers.authorization, expected)) return reject(res, 401, 'unauthorized', 'A valid bearer token is required (Authorization: Bearer <token>)');
    const sessionId = header(req, 'mcp-session-id');
    const known = sessionId ? sessions.get(sessionId) : undefined;
    if (sessionId && !known) return reject(res, 404, 'unknown_session', 'No such MCP session; initialise a new one');
    let body: unknown;
    if (req.method === 'POST') {
      const read = await readJson(req);
      if (!read.ok) return reject(res, read.status, 'invalid_request', read.message);
      body = read.value;
    }
    if (known) return known.transport.handleRequest(req, res, body);
    if (req.method !== 'POST' || !isInitializeRequest(body)) return reject(res, 400, 'invalid_request', 'Start with an initialize request (no mcp-session-id yet)');
    const server = o.newServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableDnsRebindingProtection: true,
      allowedHosts,
      onsessioninitialized: (id) => void sessions.set(id, { transport, server }),
      onsessionclosed: (id) => void sessions.delete(id),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
      void server.close();
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const http: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      o.log(`MCP HTTP request failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) reject(res, 500, 'internal', 'The request failed; see the Gatehouse log');
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(o.port, '127.0.0.1', () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    async close() {
      await Promise.allSettled([...sessions.values()].map(async (s) => s.server.close()));
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Compares digests, so neither the token's length nor its prefix leaks through timing. */
function authorised(value: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer +(\S+)$/i.exec(value ?? '');
  return !!match?.[1] && timingSafeEqual(digest(match[1]), expected);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function reject(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message, data: { code } }, id: null }));
}

async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; status: number; message: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { ok: false, status: 413, message: `The request body is larger than ${MAX_BODY_BYTES} bytes` };
    chunks.push(chunk);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { ok: false, status: 400, message: 'The request body is not valid JSON' };
  }
}
