/**
 * 导出 over HTTP: `GET /export/<list>.<csv|xlsx>?filter=<JSON>` or `POST /export/<list>.<csv|xlsx>`
 * with the body `{"filter": {…}}`, authenticated by the same bearer token as /graphql. The
 * lists are `clues`, `cases`, `hits`, `problems` and `stats`; the filter is the GraphQL list's
 * own filter input (`ClueFilter`, `CaseFilter`, `CollisionHitFilter`, `ProblemFilter`; for
 * `stats` the arguments of `supervisionStats`), validated against the schema's type, so a
 * filter added to a list is accepted here too. The file is streamed (src/domain/export).
 *
 * Errors before the first byte are JSON in the GraphQL shape with the HTTP status of their
 * code: 400 BAD_USER_INPUT (a bad filter), 401, 403 (audited as a denial), 404 (unknown list or
 * format). A failure after streaming started aborts the response (the file is then truncated
 * and the audit entry says `completed: false`).
 */
import express from 'express';
import { coerceInputValue, GraphQLError, GraphQLInputObjectType, GraphQLInputType, GraphQLSchema } from 'graphql';
import { AppServices } from '../app';
import { AppError, ErrorCode } from '../core/errors';
import { appendAudit } from '../domain/audit/audit.service';
import {
  exportFilterSource,
  ExportFormat,
  ExportListName,
  isExportList,
  openExport,
} from '../domain/export/export.service';
import { csvWriter, xlsxWriter } from '../domain/export/export.writers';
import { authenticate } from '../graphql/context';
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

/** The input type an export's filter is validated against (the statistics: its arguments as one object). */
function filterType(schema: GraphQLSchema, list: ExportListName): GraphQLInputType {
  const { queryField, filterIsArguments } = exportFilterSource(list);
  const field = schema.getQueryType()?.getFields()[queryField];
  if (!field) throw new Error(`the schema has no Query.${queryField}`);
  if (filterIsArguments) {
    return new GraphQLInputObjectType({
      name: `${queryField}Arguments`,
      fields: Object.fromEntries(field.args.map((a) => [a.name, { type: a.type }])),
    });
  }
  const arg = field.args.find((a) => a.name === 'filter');
  if (!arg) throw new Error(`Query.${queryField} has no filter argument`);
  return arg.type;
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
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('BAD_USER_INPUT', 'the filter is not valid JSON', { argument: 'filter' });
  }
}

/** Coerces the filter as GraphQL coerces a variable of that type; every problem is reported. */
function coerceFilter(type: GraphQLInputType, raw: unknown): Record<string, unknown> {
  const problems: string[] = [];
  const value = coerceInputValue(raw, type, (path, _invalid, error: GraphQLError) => {
    problems.push(`${['filter', ...path].join('.')}: ${error.message}`);
  });
  if (problems.length) {
    throw new AppError('BAD_USER_INPUT', `invalid filter: ${problems.join('; ')}`, { argument: 'filter', problems });
  }
  return (value ?? {}) as Record<string, unknown>;
}

/** RFC 6266 / 5987: an ASCII fallback and the UTF-8 (Chinese) name. */
function attachment(title: string, list: string, format: ExportFormat, now: Date): string {
  const stamp = new Date(now.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10).replace(/-/g, '');
  const name = `${title}-${stamp}.${format}`;
  return `attachment; filename="${list}-${stamp}.${format}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function mountExports(app: express.Express, services: AppServices, schema: GraphQLSchema): void {
  const handler = async (req: express.Request, res: express.Response): Promise<void> => {
    const match = /^([a-z]+)\.(csv|xlsx)$/.exec(String(req.params.file));
    if (!match || !isExportList(match[1])) {
      fail(res, 'NOT_FOUND', 'unknown export: use /export/<clues|cases|hits|problems|stats>.<csv|xlsx>');
      return;
    }
    const list = match[1];
    const format = match[2] as ExportFormat;
    let actor: Actor | null = null;
    let filter: Record<string, unknown> = {};
    let opened: Awaited<ReturnType<typeof openExport>>;
    try {
      actor = await authenticate(services, req.headers.authorization);
      if (!actor) throw new AppError('UNAUTHENTICATED', 'authentication required');
      filter = coerceFilter(filterType(schema, list), rawFilter(req));
      opened = await openExport(services, actor, { list, format, filter, requestId: String(req.id) });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.code === 'FORBIDDEN' && actor) {
        await appendAudit(services.db, {
          actorId: actor.userId,
          action: 'denied',
          detail: {
            field: `export.${list}`,
            args: { format, filter },
            reason: error.message,
            requestId: String(req.id),
          },
        });
      }
      fail(res, error.code, error.message, error.extra);
      return;
    }
    const writer = format === 'csv' ? csvWriter(res) : xlsxWriter(res);
    res.status(200);
    res.setHeader('Content-Type', writer.contentType);
    res.setHeader('Content-Disposition', attachment(opened.title, list, format, new Date()));
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Export-Total', String(opened.total));
    try {
      await opened.writeTo(writer);
    } catch (error) {
      req.log.warn({ err: error instanceof Error ? error.message : error, list }, 'export aborted');
      res.destroy();
    }
  };
  app.get(`${EXPORT_PATH}/:file`, handler);
  app.post(`${EXPORT_PATH}/:file`, express.json({ limit: services.config.limits.maxDocumentBytes }), handler);
}
