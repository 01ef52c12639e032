/**
 * Sends generated requests to a GraphQL endpoint and tallies the answers: HTTP statuses, error
 * codes, 5xx, INTERNAL_SERVER_ERROR inside 200 answers, transport failures. Shared by the
 * bench (`npm run fuzz:graphql`) and the fast jest version (test/integration/fuzz-graphql.test.ts).
 */
import { GraphQLSchema } from 'graphql';
import { createGenerator, FuzzRequest, RequestKind } from './graphql-gen';
import { Random } from './random';

export interface Failure {
  index: number;
  kind: RequestKind;
  status: number | string;
  code?: string;
  message: string;
  /** The start of the request body, to reproduce it (the full request is regenerated from the seed). */
  request: string;
}

export interface GraphqlFuzzStats {
  seed: number;
  requests: number;
  byKind: Partial<Record<RequestKind, number>>;
  status: Record<string, number>;
  fiveXX: number;
  /** INTERNAL_SERVER_ERROR codes in any answer (a 200 with an unclassified resolver error counts). */
  internalErrors: number;
  /** Requests the server did not answer: connection reset, timeout. */
  transportErrors: number;
  /** Requests the client library itself refused to send (e.g. an invalid header). */
  notSent: number;
  crashed: boolean;
  topCodes: [string, number][];
  /** Failures grouped by status, code and the first line of the message (numbers blanked). */
  failureGroups: Record<string, number>;
  failures: Failure[];
  seconds: number;
}

export interface RunOptions {
  url: string;
  schema: GraphQLSchema;
  /** Access tokens of the users the requests act as. */
  tokens: string[];
  seed: number;
  requests: number;
  concurrency?: number;
  /** Global ids known before the run, used in valid documents (fixed, so a seed repeats the run). */
  ids?: string[];
  /** False once the server process has exited: the run stops and reports a crash. */
  alive?: () => boolean;
  onProgress?: (done: number) => void;
  timeoutMs?: number;
}

export async function runGraphqlFuzz(options: RunOptions): Promise<GraphqlFuzzStats> {
  const started = Date.now();
  const rng = new Random(options.seed);
  const ids = [...(options.ids ?? [])];
  const generator = createGenerator(options.schema, rng, ids, Math.max(options.tokens.length, 1));
  const stats: GraphqlFuzzStats = {
    seed: options.seed,
    requests: 0,
    byKind: {},
    status: {},
    fiveXX: 0,
    internalErrors: 0,
    transportErrors: 0,
    notSent: 0,
    crashed: false,
    topCodes: [],
    failureGroups: {},
    failures: [],
    seconds: 0,
  };
  const codes = new Map<string, number>();
  // Requests are generated in order when sent (repeatable from the seed: each is drawn
  // synchronously, whichever worker sends it), `concurrency` at a time.
  let next = 0;

  const fail = (index: number, request: FuzzRequest, status: number | string, message: string, code?: string) => {
    const group = `${status} ${code ?? '-'} ${message.split('\n')[0].replace(/\d+/g, 'N').slice(0, 100)}`;
    stats.failureGroups[group] = (stats.failureGroups[group] ?? 0) + 1;
    if (stats.failures.length < 50)
      stats.failures.push({
        index,
        kind: request.kind,
        status,
        code,
        message: message.slice(0, 300),
        request: (typeof request.body === 'string'
          ? request.body
          : (request.body?.toString('latin1') ?? request.search ?? '')
        ).slice(0, 400),
      });
  };

  async function send(index: number, request: FuzzRequest): Promise<void> {
    const headers: Record<string, string> = { ...request.headers };
    if (request.user !== null && options.tokens.length)
      headers.authorization ??= `Bearer ${options.tokens[request.user]}`;
    let response: Response;
    try {
      response = await fetch(options.url + (request.search ?? ''), {
        method: request.method,
        headers,
        body: request.body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      if (/^ERR_INVALID|^UND_ERR_INVALID|InvalidArgument/.test(cause) || /invalid/i.test((error as Error).message)) {
        stats.notSent += 1;
        return;
      }
      stats.transportErrors += 1;
      fail(index, request, 'transport', `${cause}: ${(error as Error).message}`);
      return;
    }
    stats.requests += 1;
    stats.byKind[request.kind] = (stats.byKind[request.kind] ?? 0) + 1;
    stats.status[response.status] = (stats.status[response.status] ?? 0) + 1;
    const text = await response.text();
    let errors: { message?: string; extensions?: { code?: string } }[] = [];
    try {
      const body = JSON.parse(text) as { errors?: typeof errors };
      errors = Array.isArray(body.errors) ? body.errors : [];
    } catch {
      // Not JSON (e.g. Express's own 404 page): the status says enough.
    }
    for (const error of errors) {
      const code = error.extensions?.code ?? '(none)';
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    if (response.status >= 500) {
      stats.fiveXX += 1;
      fail(index, request, response.status, errors[0]?.message ?? text, errors[0]?.extensions?.code);
    }
    const internal = errors.filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR' || !e.extensions?.code);
    if (internal.length) {
      stats.internalErrors += 1;
      if (response.status < 500)
        fail(index, request, response.status, internal[0].message ?? '', internal[0].extensions?.code);
    }
  }

  async function worker(): Promise<void> {
    while (next < options.requests) {
      if (options.alive && !options.alive()) {
        stats.crashed = true;
        return;
      }
      const index = next++;
      await send(index, generator.next());
      options.onProgress?.(index + 1);
    }
  }
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  if (options.alive && !options.alive()) stats.crashed = true;
  stats.topCodes = [...codes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  stats.seconds = Math.round((Date.now() - started) / 100) / 10;
  return stats;
}
