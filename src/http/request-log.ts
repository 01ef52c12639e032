/**
 * What every HTTP request gets, on every route: an id (the client's `x-request-id` when it is
 * a plain token, else a new UUID; echoed in the answer), one access-log line when it ends
 * (not for /healthz and /metrics, which probes and scrapers call every few seconds) and one
 * observation of the latency histogram.
 *
 * In place of pino-http: its line serialised every request header and ran the logger's
 * redaction over them, about a tenth of the CPU of a small GraphQL request. The line keeps
 * pino-http's shape for what it logs (`req.id`, `req.method`, `req.url`, `req.remoteAddress`,
 * `res.statusCode`, `responseTime`, "request completed" / "request errored" at error level for
 * a 5xx) and logs no header, so there is nothing in it to redact.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import client from 'prom-client';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The request id (request-log.ts). */
      id?: string;
    }
  }
}

/** An incoming request once tracked: its id, and the route it was served by when known. */
export interface TrackedRequest extends IncomingMessage {
  id?: string;
  /** Set by express for its routes. */
  route?: { path?: string };
  originalUrl?: string;
}

const UNLOGGED = new Set(['/healthz', '/metrics']);
const REQUEST_ID = /^[\w-]{1,64}$/;

/** The route label of a request no route matched: its mount, never the raw path (unbounded series). */
const MOUNTS = ['/graphql', '/admin/queues', '/admin/session', '/console', '/export'];
export function routeLabel(path: string): string {
  return MOUNTS.find((mount) => path === mount || path.startsWith(`${mount}/`)) ?? 'other';
}

export function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q < 0 ? raw : raw.slice(0, q);
}

/** The latency histogram: one per process (metrics are per process, servers may be several). */
export function requestDurationHistogram(registry: client.Registry): client.Histogram<'method' | 'route' | 'status'> {
  return new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
}

export class RequestLog {
  constructor(
    private readonly log: Logger,
    private readonly duration: client.Histogram<'method' | 'route' | 'status'>,
  ) {}

  /** Gives the request its id and arranges its log line and latency observation. Returns the id. */
  track(req: TrackedRequest, res: ServerResponse): string {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('x-request-id', id);
    const started = process.hrtime.bigint();
    res.once('finish', () => this.finished(req, res, started));
    return id;
  }

  private finished(req: TrackedRequest, res: ServerResponse, started: bigint): void {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const path = pathOf(req.originalUrl ?? req.url);
    this.duration.observe(
      { method: req.method ?? 'GET', route: req.route?.path ?? routeLabel(path), status: String(res.statusCode) },
      seconds,
    );
    if (UNLOGGED.has(path)) return;
    const line = {
      req: { id: req.id, method: req.method, url: req.originalUrl ?? req.url, remoteAddress: req.socket.remoteAddress },
      res: { statusCode: res.statusCode },
      responseTime: Math.round(seconds * 1000),
    };
    if (res.statusCode >= 500) this.log.error(line, 'request errored');
    else this.log.info(line, 'request completed');
  }
}
