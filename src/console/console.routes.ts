/**
 * 控制台 (/console): a small browser console served by the API itself for networks without
 * internet — GraphiQL, the case graph, the leaders' board and the inbox. Every asset comes
 * from console/dist (built by `npm run build` from console/, nothing loaded from elsewhere);
 * the pages only call /graphql with the token of the `login` mutation, so the API's policy
 * applies as it does to any client. Only the schema GraphiQL documents is served here, to
 * those CONSOLE_GRAPHIQL admits (src/policy canUseGraphiql), since production turns
 * introspection off.
 */
import express from 'express';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { AppServices } from '../app';
import { AppError } from '../core/errors';
import { authenticate } from '../graphql/context';
import { canUseGraphiql } from '../policy';

export const CONSOLE_PATH = '/console';

/**
 * Same origin only, so a page of the console can never reach another host (the network
 * blocks it anyway; this makes a slip visible in development). Inline styles: ECharts,
 * Cytoscape and GraphiQL set element styles.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** console/dist of the package: found from src/console (ts-jest) and dist/src/console (built). */
export function consoleBundleDir(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'console', 'dist');
}

export function mountConsole(app: express.Express, services: AppServices, schema: GraphQLSchema): void {
  const bundle = consoleBundleDir();
  let sdl: string | undefined;

  // A browser opening /graphql gets the console's GraphiQL; operations (GET with a query,
  // POST) go on to the API.
  app.get('/graphql', (req, res, next) => {
    if (req.query.query === undefined && req.accepts(['application/json', 'text/html']) === 'text/html') {
      res.redirect(302, `${CONSOLE_PATH}/#/graphiql`);
      return;
    }
    next();
  });

  const router = express.Router();
  router.use((_req, res, next) => {
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    next();
  });
  router.get('/schema.graphql', async (req, res) => {
    try {
      const actor = await authenticate(services, req.headers.authorization);
      if (!actor) {
        res.status(401).json({ error: 'sign in first', code: 'UNAUTHENTICATED' });
        return;
      }
      if (!canUseGraphiql(actor, services.config.consoleGraphiql)) {
        res.status(403).json({ error: 'GraphiQL is not open to your roles here', code: 'FORBIDDEN' });
        return;
      }
      sdl ??= printSchema(lexicographicSortSchema(schema));
      res.type('text/plain; charset=utf-8').setHeader('cache-control', 'no-store').send(sdl);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      res.status(401).json({ error: error.message, code: error.code });
    }
  });
  router.use(express.static(bundle, { index: 'index.html', fallthrough: true }));
  router.use((_req, res) => {
    if (!existsSync(join(bundle, 'index.html'))) {
      res.status(503).type('text/plain').send('The console is not built: run `npm run build`.\n');
      return;
    }
    res.status(404).type('text/plain').send('Not found\n');
  });
  app.use(CONSOLE_PATH, router);
}
