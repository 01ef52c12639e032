/**
 * The HTTP side of the API: /graphql (Apollo Server 5 on Express 5), /healthz, /readyz,
 * /metrics, the admins' queue dashboard (/admin/queues) and the console (/console). Stateless: run as many
 * processes as needed behind a load balancer.
 */
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { DocumentNode, GraphQLError, specifiedRules, validate } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import client from 'prom-client';
import { AppServices } from './app';
import { mountConsole } from './console/console.routes';
import { AppError } from './core/errors';
import { authenticate, GraphQLContext } from './graphql/context';
import { createLoaders } from './graphql/loaders';
import { makeFormatError } from './graphql/errors';
import { inputGuardsPlugin } from './graphql/input-guards';
import { armor, costLimitPlugin, parseOptions, queryCost } from './graphql/limits';
import { buildAppSchema } from './graphql/schema';
import { operationsMetrics } from './operations/metrics';
import { mountQueueDashboard } from './operations/queue-dashboard';
import { mountExports } from './http/export.route';
import { graphqlPost, isGraphQLPost } from './http/graphql-post';
import { RequestLog, requestDurationHistogram } from './http/request-log';
import { createQueue, QUEUES } from './queues';

export interface ApiServer {
  httpServer: http.Server;
  url: string;
  stop(): Promise<void>;
}

/** The parsed-document store's size, by Apollo's estimate of a document's size. */
export const DOCUMENT_STORE_BYTES = 2 ** 20 * 4;

export const metricsRegistry = new client.Registry();
client.collectDefaultMetrics({ register: metricsRegistry });
const httpDuration = requestDurationHistogram(metricsRegistry);

/** Cache-Control: no-store on every GraphQL answer (what Apollo's cache control sent without hints). */
function noStore(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (!response.http.headers.has('cache-control')) response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}

export async function startApiServer(services: AppServices, port = services.config.port): Promise<ApiServer> {
  const { config, log } = services;
  const production = config.nodeEnv === 'production';
  const schema = await buildAppSchema();
  const app = express();
  const requests = new RequestLog(log, httpDuration);
  // POST /graphql, nearly every request, goes straight to Apollo (graphql-post.ts); the rest to Express.
  const lean: { post?: (req: http.IncomingMessage, res: http.ServerResponse) => void } = {};
  const httpServer = http.createServer((req, res) =>
    lean.post && isGraphQLPost(req) ? lean.post(req, res) : app(req, res),
  );
  const protection = armor(config);
  // Shared by the queue dashboard and the queue-depth gauge.
  const queues = Object.values(QUEUES).map((name) =>
    createQueue(config, name).on('error', (error) =>
      log.warn({ queue: name, err: error.message }, 'queue connection error'),
    ),
  );
  const metrics = client.Registry.merge([metricsRegistry, operationsMetrics(services, queues)]);

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: !production,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // The process stops the server itself (src/cli/serve.ts): Apollo's own signal handlers
    // would close the HTTP server first, and the WebSocket server's close then fails.
    stopOnTerminationSignals: false,
    validationRules: protection.validationRules,
    parseOptions: parseOptions(config),
    // Parsed documents kept for reuse. Apollo's default store holds 30 MiB by its own estimate,
    // which is several times that in heap: under many distinct documents (a fuzzer, a buggy
    // client) the process grew by ~90 MB. A quarter of it keeps every document a frontend sends.
    documentStore: new InMemoryLRUCache<DocumentNode>({ maxSize: DOCUMENT_STORE_BYTES }),
    formatError: makeFormatError({ production, onInternal: (error) => log.error({ err: error }, 'internal error') }),
    plugins: [
      ...protection.plugins,
      inputGuardsPlugin(),
      costLimitPlugin(schema, config),
      // Apollo's cache control instruments every field of every result; no field has a cache
      // hint, so every answer was "no-store" — which is what noStore() says, at no cost per field.
      ApolloServerPluginCacheControlDisabled(),
      noStore(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No Apollo landing page in any mode: it loads its sandbox from Apollo's CDN. Browsers
      // are sent to the console's own GraphiQL (src/console).
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();

  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use((req, res, next) => {
    requests.track(req, res);
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks = await Promise.allSettled([services.db.query('SELECT 1'), services.redis.ping()]);
    const [database, redis] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : 'down'));
    res.status(database === 'ok' && redis === 'ok' ? 200 : 503).json({ database, redis });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  mountQueueDashboard(app, services, queues);
  mountConsole(app, services, schema);
  mountExports(app, services, schema);

  const context = async (requestId: string, ip: string, authorization: string | undefined): Promise<GraphQLContext> => {
    const base = { services, requestId, ip };
    try {
      const actor = await authenticate(services, authorization);
      return { ...base, actor, authError: null, loaders: createLoaders(services, actor) };
    } catch (error) {
      if (error instanceof AppError) return { ...base, actor: null, authError: error, loaders: createLoaders(services, null) };
      throw error;
    }
  };
  lean.post = graphqlPost({
    apollo,
    requests,
    limitBytes: config.limits.maxDocumentBytes,
    context: (req, ip) => context(req.id, ip, req.headers.authorization),
    onError: (error) => log.error({ err: error }, 'graphql request failed outside Apollo'),
  });
  // GET operations (the console's GraphiQL sends browsers elsewhere first: console.routes.ts).
  app.get(
    '/graphql',
    express.json({ limit: config.limits.maxDocumentBytes }),
    expressMiddleware(apollo, {
      context: ({ req }) => context(String(req.id), req.ip ?? 'unknown', req.headers.authorization),
    }),
  );
  // Body too large and malformed JSON (exports, the queue dashboard): a clear client error, not a stack trace.
  app.use(
    (
      error: { status?: number; type?: string; message: string },
      _req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      if (error.status && error.status < 500) {
        const code = error.type === 'entity.too.large' ? 'DOCUMENT_TOO_LARGE' : 'BAD_REQUEST';
        res.status(error.status).json({ errors: [{ message: error.message, extensions: { code } }] });
        return;
      }
      next(error);
    },
  );

  // Subscriptions (graphql-ws) on the same path: authenticated from connectionParams, and
  // validated with the same rules and cost limit as HTTP operations.
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: config.limits.maxDocumentBytes,
  });
  const wsCleanup = useServer<{ authorization?: string; Authorization?: string }, { actor?: GraphQLContext['actor'] }>(
    {
      schema,
      validate: (s, document) => {
        const errors = validate(s, document, [...specifiedRules, ...protection.validationRules]);
        if (errors.length) return errors;
        const cost = queryCost(s, config, document, {});
        return cost > config.limits.maxCost
          ? [
              new GraphQLError(`query cost ${cost} exceeds the limit of ${config.limits.maxCost}`, {
                extensions: { code: 'QUERY_TOO_COMPLEX' },
              }),
            ]
          : [];
      },
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        try {
          const actor = await authenticate(services, params.authorization ?? params.Authorization);
          if (!actor || actor.mustChangePassword) return false;
          ctx.extra.actor = actor;
          return true;
        } catch {
          return false;
        }
      },
      context: (ctx): GraphQLContext => ({
        services,
        actor: ctx.extra.actor ?? null,
        authError: null,
        requestId: randomUUID(),
        ip: 'websocket',
        loaders: createLoaders(services, ctx.extra.actor ?? null, { cache: false }),
      }),
    },
    wsServer,
  );

  await new Promise<void>((resolve) => httpServer.listen(port, resolve));
  const address = httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${address.port}/graphql`;
  log.info({ url }, 'API listening');
  return {
    httpServer,
    url,
    async stop() {
      // Subscriptions first (their sockets hold the HTTP server open), then Apollo's drain:
      // idle keep-alive connections close at once, requests in flight finish their response.
      await wsCleanup.dispose();
      await apollo.stop();
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}

