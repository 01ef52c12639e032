/**
 * 队列看板: Bull Board over every queue of src/queues.ts, mounted on the API at
 * /admin/queues for ADMINs only. Scripts send `Authorization: Bearer <token>`; browsers
 * cannot attach that header to page loads, so POST /admin/session (the token in the body)
 * keeps the access token in an HttpOnly, SameSite=Strict cookie scoped to /admin, and the
 * token's own expiry still applies. Opening the board, every action taken on it (retry,
 * pause, clean, …) and every refusal of a signed-in non-admin are audited.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue } from 'bullmq';
import express from 'express';
import { AppServices } from '../app';
import { appendAudit } from '../domain/audit/audit.service';
import { verifyAccessToken } from '../domain/auth/jwt';
import { loadActor } from '../domain/auth/auth.service';
import { authenticate } from '../graphql/context';
import { AppError } from '../core/errors';
import { Actor, mayOperateQueues } from '../policy';

export const DASHBOARD_PATH = '/admin/queues';
export const SESSION_PATH = '/admin/session';
export const SESSION_COOKIE = 'fs_admin_token';
const COOKIE_PATH = '/admin';

type Admission = { actor: Actor } | { status: 401 | 403; message: string; actor?: Actor };

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The bearer header wins over the cookie; an invalid token of either kind is a 401. */
async function admit(
  services: AppServices,
  authorization: string | undefined,
  token: string | undefined,
): Promise<Admission> {
  let actor: Actor | null;
  try {
    if (authorization) actor = await authenticate(services, authorization);
    else actor = token ? await loadActor(services, verifyAccessToken(services.config.jwt, token)) : null;
  } catch (error) {
    if (error instanceof AppError) return { status: 401, message: error.message };
    throw error;
  }
  if (!actor) return { status: 401, message: 'authentication required' };
  if (!mayOperateQueues(actor)) return { status: 403, message: 'the queue dashboard is for administrators', actor };
  return { actor };
}

const SIGN_IN_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>队列看板 · sign in</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>队列看板 (queue dashboard)</h1>
<p>Administrators only. Paste an access token from the GraphQL <code>login</code> mutation:</p>
<form method="post" action="${SESSION_PATH}">
<textarea name="token" rows="5" cols="70" required autocomplete="off"></textarea>
<p><button type="submit">Open the dashboard</button></p>
</form></body></html>`;

function refuse(req: express.Request, res: express.Response, status: 401 | 403, message: string): void {
  if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
  if (status === 401 && req.accepts(['json', 'html']) === 'html') {
    res.status(401).type('html').send(SIGN_IN_PAGE);
    return;
  }
  const code = status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN';
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

async function auditDenial(services: AppServices, req: express.Request, actor: Actor, reason: string): Promise<void> {
  await appendAudit(services.db, {
    actorId: actor.userId,
    action: 'denied',
    detail: { path: req.originalUrl.split('?')[0], method: req.method, reason, requestId: String(req.id) },
  });
}

/**
 * Opening a page of the board (not its polling API or static files) and every request that
 * changes something are audited before they run: an action that cannot be recorded is not
 * taken.
 */
function auditedAccess(req: express.Request): 'queueDashboard.open' | 'queueDashboard.action' | null {
  if (req.method !== 'GET' && req.method !== 'HEAD') return 'queueDashboard.action';
  if (req.method === 'GET' && !req.path.startsWith('/api/') && !req.path.startsWith('/static/'))
    return 'queueDashboard.open';
  return null;
}

export function mountQueueDashboard(app: express.Express, services: AppServices, queues: Queue[]): void {
  const production = services.config.nodeEnv === 'production';
  const board = new ExpressAdapter().setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: '医保基金监管 · 队列' } },
  });

  app.post(
    SESSION_PATH,
    express.json({ limit: '16kb' }),
    express.urlencoded({ extended: false, limit: '16kb' }),
    async (req, res, next) => {
      try {
        const form = Boolean(req.is('urlencoded'));
        const token = typeof req.body?.token === 'string' ? req.body.token.trim() : undefined;
        if (!token) {
          res.status(400).json({ errors: [{ message: 'token is required', extensions: { code: 'BAD_USER_INPUT' } }] });
          return;
        }
        const admission = await admit(services, undefined, token);
        if ('status' in admission) {
          if (admission.actor) await auditDenial(services, req, admission.actor, admission.message);
          refuse(req, res, admission.status, admission.message);
          return;
        }
        res.cookie(SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: 'strict',
          secure: production || req.secure,
          path: COOKIE_PATH,
        });
        if (form) res.redirect(303, `${DASHBOARD_PATH}/`);
        else res.status(204).end();
      } catch (error) {
        next(error);
      }
    },
  );
  app.delete(SESSION_PATH, (_req, res) => {
    res.clearCookie(SESSION_COOKIE, { path: COOKIE_PATH });
    res.status(204).end();
  });

  app.use(
    DASHBOARD_PATH,
    async (req, res, next) => {
      try {
        const admission = await admit(services, req.headers.authorization, cookie(req.headers.cookie, SESSION_COOKIE));
        if ('status' in admission) {
          if (admission.actor) await auditDenial(services, req, admission.actor, admission.message);
          refuse(req, res, admission.status, admission.message);
          return;
        }
        const action = auditedAccess(req);
        if (action) {
          await appendAudit(services.db, {
            actorId: admission.actor.userId,
            action,
            detail: { method: req.method, path: req.originalUrl.split('?')[0], requestId: String(req.id) },
          });
        }
        next();
      } catch (error) {
        next(error);
      }
    },
    board.getRouter(),
  );
}
