/**
 * POST /graphql straight from node:http to Apollo (`executeHTTPGraphQLRequest`), without
 * Express: its router, body parser and `res.send` (which hashed every answer for an ETag) were
 * a tenth of the CPU of a list request, on the path nearly every request takes. The other
 * routes, and GET /graphql (the console's GraphiQL, GET operations), stay on Express.
 *
 * What the Express path did is kept: the body limit (413 DOCUMENT_TOO_LARGE), gzip / deflate /
 * br bodies, a charset other than UTF-8 as 415, malformed JSON as 400 BAD_REQUEST, a non-JSON body left for Apollo to refuse (400;
 * its CSRF prevention reads the same headers), the caller's address behind a proxy on loopback
 * (Express's `trust proxy 'loopback'`), the request id, log line and latency (request-log.ts).
 */
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLRequest } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { pathOf, RequestLog, TrackedRequest } from './request-log';

// proxy-addr is Express's own (a dependency of ours too); it ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxyaddr = require('proxy-addr') as {
  (req: IncomingMessage, trust: (address: string, i: number) => boolean): string;
  compile(values: string | string[]): (address: string, i: number) => boolean;
};
const TRUST_LOOPBACK = proxyaddr.compile('loopback');

/** The caller's address: the socket's, or behind a proxy on loopback the one it forwards. */
export const clientAddress = (req: IncomingMessage): string => proxyaddr(req, TRUST_LOOPBACK);

class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function decoded(req: IncomingMessage): Readable {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  switch (encoding) {
    case 'identity':
      return req;
    case 'gzip':
      return req.pipe(zlib.createGunzip());
    case 'deflate':
      return req.pipe(zlib.createInflate());
    case 'br':
      return req.pipe(zlib.createBrotliDecompress());
    default:
      throw new BodyError(415, 'BAD_REQUEST', `unsupported content encoding "${encoding}"`);
  }
}

/** The body, at most `limit` bytes (after decompression); rejects with a BodyError. */
async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new BodyError(413, 'DOCUMENT_TOO_LARGE', 'request entity too large');
  const stream = decoded(req);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new BodyError(413, 'DOCUMENT_TOO_LARGE', 'request entity too large');
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof BodyError) throw error;
    throw new BodyError(400, 'BAD_REQUEST', `the request body could not be read: ${(error as Error).message}`);
  }
  return chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
}

const isJson = (contentType: string | undefined): boolean =>
  !!contentType && /^application\/json\s*(;|$)/i.test(contentType.trim());

/** A JSON body's charset other than UTF-8 is refused (415), as Express's parser did. */
function checkCharset(contentType: string): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(contentType)?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) {
    throw new BodyError(415, 'BAD_REQUEST', `unsupported charset "${charset.toUpperCase()}"`);
  }
}

function refuse(res: ServerResponse, error: BodyError): void {
  const body = JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code } }] });
  res.statusCode = error.status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  // The rest of an oversized body is not read: the connection cannot be reused.
  if (error.status === 413) res.setHeader('connection', 'close');
  res.end(body);
}

export interface GraphQLPostOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  requests: RequestLog;
  limitBytes: number;
  context(req: TrackedRequest & { id: string }, ip: string): Promise<TContext>;
  /** A fault outside Apollo's own error handling (the socket, a bug of ours): logged, answered 500. */
  onError(error: unknown): void;
}

/** Whether a request is one for the lean path. */
export const isGraphQLPost = (req: IncomingMessage): boolean => req.method === 'POST' && pathOf(req.url) === '/graphql';

/** The handler of POST /graphql. */
export function graphqlPost<TContext extends BaseContext>(
  options: GraphQLPostOptions<TContext>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { apollo, requests, limitBytes, context, onError } = options;
  const handle = async (req: TrackedRequest, res: ServerResponse): Promise<void> => {
    requests.track(req, res);
    let body: unknown;
    try {
      const contentType = req.headers['content-type'];
      if (contentType && isJson(contentType)) checkCharset(contentType);
      const text = await readBody(req, limitBytes);
      if (isJson(contentType)) {
        try {
          body = JSON.parse(text);
        } catch (error) {
          throw new BodyError(400, 'BAD_REQUEST', (error as Error).message);
        }
      }
    } catch (error) {
      if (error instanceof BodyError) return refuse(res, error);
      throw error;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = req.url ?? '/graphql';
    const q = url.indexOf('?');
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: 'POST',
      headers,
      search: q < 0 ? '' : url.slice(q),
      body,
    };
    const ip = clientAddress(req);
    const answer = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: () => context(req as TrackedRequest & { id: string }, ip),
    });
    for (const [key, value] of answer.headers) res.setHeader(key, value);
    res.statusCode = answer.status ?? 200;
    if (answer.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(answer.body.string));
      res.end(answer.body.string);
      return;
    }
    for await (const chunk of answer.body.asyncIterator) res.write(chunk);
    res.end();
  };
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      onError(error);
      // executeHTTPGraphQLRequest answers its own errors; this is a fault of the socket or ours.
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(
          JSON.stringify({ errors: [{ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }),
        );
      } else {
        res.destroy(error as Error);
      }
    });
  };
}
