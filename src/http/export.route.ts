/**
 * 导出 over HTTP: `GET /export/<list>.<csv|xlsx>?filter=<JSON>` or `POST /export/<list>.<csv|xlsx>`
 * with the body `{"filter": {…}}`, authenticated by the same bearer token as /graphql. The
 * lists are `clues`, `cases`, `hits`, `problems` and `stats`; the filter is the GraphQL list's
 * own filter input (`ClueFilter`, `CaseFilter`, `CollisionHitFilter`, `ProblemFilter`; for
 * `stats` the arguments of `supervisionStats`), validated against the schema's type, so a
 * filter added to a list is accepted here too. The file is streamed (src/domain/export).
 * `GET /export/download/<token>` serves a single-use link made by the `createExportLink`
 * mutation (for browsers, which cannot send the header with a download), as its user.
 *
 * Errors before the first byte are JSON in the GraphQL shape with the HTTP status of their
 * code: 400 BAD_USER_INPUT (a bad filter), 401, 403 (audited as a denial), 404 (unknown list or
 * format). A failure after streaming started aborts the response (the file is then truncated
 * and the audit entry says `completed: false`).
 */
import express from 'express';
import { GraphQLSchema } from 'graphql';
import { AppServices } from '../app';
import { AppError, ErrorCode } from '../core/errors';
import { appendAudit } from '../domain/audit/audit.service';
import {
  exportFilterSource,
  ExportFormat,
  ExportListName,
  isExportList,
  openExport,
  redeemExportLink,
} from '../domain/export/export.service';
import { loadActor } from '../domain/auth/auth.service';
import { csvWriter, xlsxWriter } from '../domain/export/export.writers';
import { authenticate } from '../graphql/context';
import { coerceFilter, filterInputType, parseFilterJson } from '../graphql/filter-input';
import { Actor } from '../policy';

export const EXPORT_PATH = '/export';

const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TOO_MANY_REQUESTS: 429,
};

function fail(res: express.Response, code: ErrorCode, message: string, extra: Record<string, unknown> = {}): void {
  if (code === 'UNAUTHENTICATED') res.setHeader('WWW-Authenticate', 'Bearer');
  res.status(STATUS[code] ?? 500).json({ errors: [{ message, extensions: { code, ...extra } }] });
}

/** The raw filter of the request: the `filter` query parameter (JSON) or the body's `filter`. */
function rawFilter(req: express.Request): unknown {
  if (req.method === 'POST') {
    const body: unknown = req.body;
    if (body === undefined || body === null) return null;
    if (typeof body !== 'object' || Array.isArray(body))
      throw new AppError('BAD_USER_INPUT', 'the body must be a JSON object {"filter": {…}}');
    return (body as { filter?: unknown }).filter ?? null;
  }
  const text = req.query.filter;
  if (text === undefined) return null;
  if (typeof text !== 'string') throw new AppError('BAD_USER_INPUT', 'give the filter once, as JSON');
  return parseFilterJson(text);
}

/** RFC 6266 / 5987: an ASCII fallback and the UTF-8 (Chinese) name. */
function attachment(title: string, list: string, format: ExportFormat, now: Date): string {
  const stamp = new Date(now.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10).replace(/-/g, '');
  const name = `${title}-${stamp}.${format}`;
  return `attachment; filename="${list}-${stamp}.${format}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Who asks for which export: decided per route (bearer token and request, or a download link). */
type ExportAsk = (req: express.Request) => Promise<{
  actor: Actor;
  list: ExportListName;
  format: ExportFormat;
  filter: Record<string, unknown>;
}>;

export function mountExports(app: express.Express, services: AppServices, schema: GraphQLSchema): void {
  /** Reads the first page (errors answer as JSON), then streams the file. */
  const respond =
    (ask: ExportAsk) =>
    async (req: express.Request, res: express.Response): Promise<void> => {
      let asked: Awaited<ReturnType<ExportAsk>> | null = null;
      let opened: Awaited<ReturnType<typeof openExport>>;
      try {
        asked = await ask(req);
        opened = await openExport(services, asked.actor, { ...asked, requestId: String(req.id) });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        if (error.code === 'FORBIDDEN' && asked) {
          await appendAudit(services.db, {
            actorId: asked.actor.userId,
            action: 'denied',
            detail: {
              field: `export.${asked.list}`,
              args: { format: asked.format, filter: asked.filter },
              reason: error.message,
              requestId: String(req.id),
            },
          });
        }
        fail(res, error.code, error.message, error.extra);
        return;
      }
      const { list, format } = asked;
      const writer = format === 'csv' ? csvWriter(res) : xlsxWriter(res);
      res.status(200);
      res.setHeader('Content-Type', writer.contentType);
      res.setHeader('Content-Disposition', attachment(opened.title, list, format, new Date()));
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Export-Total', String(opened.total));
      try {
        await opened.writeTo(writer);
      } catch (error) {
        services.log.warn(
          { err: error instanceof Error ? error.message : error, list, requestId: req.id },
          'export aborted',
        );
        res.destroy();
      }
    };

  /** /export/<list>.<format>: the bearer token, the filter in the query or the body. */
  const byToken: ExportAsk = async (req) => {
    const match = /^([a-z]+)\.(csv|xlsx)$/.exec(String(req.params.file));
    if (!match || !isExportList(match[1])) {
      throw new AppError('NOT_FOUND', 'unknown export: use /export/<clues|cases|hits|problems|stats>.<csv|xlsx>');
    }
    const list = match[1];
    const actor = await authenticate(services, req.headers.authorization);
    if (!actor) throw new AppError('UNAUTHENTICATED', 'authentication required');
    const filter = coerceFilter(filterInputType(schema, exportFilterSource(list)), rawFilter(req));
    return { actor, list, format: match[2] as ExportFormat, filter };
  };

  /** /export/download/<token>: a link from createExportLink, once. */
  const byLink: ExportAsk = async (req) => {
    const grant = await redeemExportLink(services, String(req.params.token));
    if (!grant) throw new AppError('NOT_FOUND', 'this download link is unknown, used or expired');
    const actor = await loadActor(services, grant.userId);
    return { actor, list: grant.list, format: grant.format, filter: grant.filter };
  };

  app.get(`${EXPORT_PATH}/download/:token`, respond(byLink));
  app.get(`${EXPORT_PATH}/:file`, respond(byToken));
  app.post(`${EXPORT_PATH}/:file`, express.json({ limit: services.config.limits.maxDocumentBytes }), respond(byToken));
}
