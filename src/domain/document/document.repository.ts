/**
 * Every SQL statement of documents (文书): the document, its recipients, linked cases and
 * problems, a 通报's frozen entries, and the 文号 counter.
 */
import { DataSource, EntityManager } from 'typeorm';
import { TIME_ZONE } from '../../core/constants';
import { Connection, paginate, timeOrdered, TimeOrderedRow } from '../../core/pagination';
import { SqlParams } from '../../core/sql';
import type {
  DocumentCaseTable,
  DocumentNoticeEntryTable,
  DocumentProblemTable,
  DocumentRecipientTable,
  DocumentTable,
} from '../../db/tables';
import { Actor, documentVisibleSql } from '../../policy';
import { DocumentKind, DocumentStatus } from './document.machine';

type Db = DataSource | EntityManager;

export type DocumentRow = Omit<DocumentTable, 'status' | 'kind'> & { status: DocumentStatus; kind: DocumentKind };
export type DocumentRecipientRow = DocumentRecipientTable;
export type DocumentCaseRow = DocumentCaseTable;
export type DocumentProblemRow = DocumentProblemTable;
export type NoticeEntryRow = DocumentNoticeEntryTable;

/** Visible documents by id (ids not visible are absent). */
export function visibleDocuments(db: Db, actor: Actor, ids: readonly string[]): Promise<DocumentRow[]> {
  const params = new SqlParams([ids]);
  return db.query(
    `SELECT dc.* FROM document dc WHERE dc.id = ANY($1::uuid[]) AND ${documentVisibleSql(actor, params)}`,
    params.values,
  );
}

export interface DocumentListFilter {
  kind?: DocumentKind | null;
  issuerDepartmentId?: string | null;
  recipientDepartmentId?: string | null;
  campaignId?: string | null;
}

/** Documents the actor may see, newest first. */
export function documentPage(
  db: Db,
  actor: Actor,
  filter: DocumentListFilter,
  first: number,
  after: string | null | undefined,
): Promise<Connection<DocumentRow>> {
  const params = new SqlParams();
  const where = [documentVisibleSql(actor, params)];
  const p = (v: unknown) => params.add(v);
  if (filter.kind) where.push(`dc.kind = ${p(filter.kind)}`);
  if (filter.issuerDepartmentId) where.push(`dc.issuer_department_id = ${p(filter.issuerDepartmentId)}`);
  if (filter.recipientDepartmentId) {
    where.push(
      `EXISTS (SELECT 1 FROM document_recipient fr WHERE fr.document_id = dc.id AND fr.department_id = ${p(filter.recipientDepartmentId)})`,
    );
  }
  if (filter.campaignId) where.push(`dc.campaign_id = ${p(filter.campaignId)}`);
  return paginate<TimeOrderedRow<DocumentRow>, DocumentRow>({
    ...timeOrdered<DocumentRow>({ table: 'document', alias: 'dc' }),
    query: (sql, ps) => db.query(sql, ps),
    where,
    params,
    first,
    after,
    map: ({ time_us: _t, ...row }) => row as DocumentRow,
  });
}

/** The issuing department's region name and the year (in TIME_ZONE) of now. */
export async function issueContext(
  m: EntityManager,
  departmentId: string,
): Promise<{ regionName: string; year: number }> {
  const [row]: { region_name: string; year: number }[] = await m.query(
    `SELECT r.name AS region_name, extract(year FROM now() AT TIME ZONE $2)::int AS year
     FROM department d JOIN region r ON r.code = d.region_code WHERE d.id = $1`,
    [departmentId, TIME_ZONE],
  );
  return { regionName: row.region_name, year: row.year };
}

/**
 * The next N of (department, year, prefix), in the caller's transaction: the counter row is
 * created or incremented and stays locked until commit, so concurrent issues wait for each
 * other and a rolled-back issue gives its number back (no gap, no duplicate).
 */
export async function nextDocumentSeq(
  m: EntityManager,
  key: { departmentId: string; year: number; prefix: string },
): Promise<number> {
  const [row]: { last: number }[] = await m.query(
    `INSERT INTO document_counter AS c (department_id, year, prefix, last) VALUES ($1, $2, $3, 1)
     ON CONFLICT (department_id, year, prefix) DO UPDATE SET last = c.last + 1
     RETURNING c.last`,
    [key.departmentId, key.year, key.prefix],
  );
  return row.last;
}

export async function insertDocument(
  m: EntityManager,
  d: Pick<
    DocumentRow,
    | 'kind'
    | 'number'
    | 'prefix'
    | 'year'
    | 'seq'
    | 'title'
    | 'body'
    | 'issuer_department_id'
    | 'region_code'
    | 'campaign_id'
    | 'supervision_item_id'
    | 'issued_by'
  >,
  status: DocumentStatus,
  links: { recipientIds: readonly string[]; caseIds: readonly string[]; problemIds: readonly string[] },
): Promise<DocumentRow> {
  const [row]: DocumentRow[] = await m.query(
    `INSERT INTO document (kind, number, prefix, year, seq, title, body, issuer_department_id, region_code, campaign_id,
       supervision_item_id, issued_by, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *`,
    [
      d.kind,
      d.number,
      d.prefix,
      d.year,
      d.seq,
      d.title,
      d.body,
      d.issuer_department_id,
      d.region_code,
      d.campaign_id,
      d.supervision_item_id,
      d.issued_by,
      status,
    ],
  );
  await m.query(`INSERT INTO document_recipient (document_id, department_id) SELECT $1, unnest($2::uuid[])`, [
    row.id,
    links.recipientIds,
  ]);
  await m.query(
    `INSERT INTO document_case (document_id, case_id, position)
     SELECT $1, k.id, k.ord FROM unnest($2::uuid[]) WITH ORDINALITY AS k (id, ord)`,
    [row.id, links.caseIds],
  );
  await linkProblems(m, row.id, links.problemIds, false);
  return row;
}

/** Links problems to a document (`created`: made from its measures). */
export async function linkProblems(
  m: EntityManager,
  documentId: string,
  problemIds: readonly string[],
  created: boolean,
): Promise<void> {
  await m.query(`INSERT INTO document_problem (document_id, problem_id, created) SELECT $1, unnest($2::uuid[]), $3`, [
    documentId,
    problemIds,
    created,
  ]);
}

/** What a 通报 shows of each case (names unmasked: the service masks them before storing). */
export interface CaseNoticeFacts {
  case_id: string;
  case_code: string;
  title: string;
  institution_name: string | null;
  person_names: string[];
  sanctions: string[];
}

export function caseNoticeFacts(m: EntityManager, caseIds: readonly string[]): Promise<CaseNoticeFacts[]> {
  return m.query(
    `SELECT k.id AS case_id, k.code AS case_code, k.title,
       (SELECT i.name FROM case_clue kc JOIN clue c ON c.id = kc.clue_id JOIN institution i ON i.code = c.institution_code
         WHERE kc.case_id = k.id ORDER BY c.code LIMIT 1) AS institution_name,
       ARRAY(SELECT DISTINCT p.name FROM person p WHERE p.person_id IN (
         SELECT cp.person_id FROM case_clue kc JOIN clue_person cp ON cp.clue_id = kc.clue_id WHERE kc.case_id = k.id
         UNION SELECT s.person_id FROM sanction s WHERE s.case_id = k.id AND s.person_id IS NOT NULL)
         ORDER BY p.name) AS person_names,
       ARRAY(SELECT DISTINCT s.kind FROM sanction s WHERE s.case_id = k.id ORDER BY s.kind) AS sanctions
     FROM "case" k WHERE k.id = ANY($1::uuid[])`,
    [caseIds],
  );
}

export async function insertNoticeEntries(
  m: EntityManager,
  documentId: string,
  entries: readonly Omit<NoticeEntryRow, 'document_id'>[],
): Promise<void> {
  for (const e of entries) {
    await m.query(
      `INSERT INTO document_notice_entry (document_id, position, case_code, institution_name, masked_person_names, summary, sanctions)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [documentId, e.position, e.case_code, e.institution_name, e.masked_person_names, e.summary, e.sanctions],
    );
  }
}

export const recipientsByDocumentIds = (db: Db, ids: readonly string[]): Promise<DocumentRecipientRow[]> =>
  db.query(
    `SELECT dr.* FROM document_recipient dr JOIN department d ON d.id = dr.department_id
     WHERE dr.document_id = ANY($1::uuid[]) ORDER BY d.region_code, d.kind`,
    [ids],
  );

export const casesByDocumentIds = (db: Db, ids: readonly string[]): Promise<DocumentCaseRow[]> =>
  db.query(`SELECT * FROM document_case WHERE document_id = ANY($1::uuid[]) ORDER BY document_id, position`, [ids]);

export const problemLinksByDocumentIds = (db: Db, ids: readonly string[]): Promise<DocumentProblemRow[]> =>
  db.query(
    `SELECT dp.* FROM document_problem dp JOIN problem p ON p.id = dp.problem_id
     WHERE dp.document_id = ANY($1::uuid[]) ORDER BY dp.document_id, p.created_at, p.id`,
    [ids],
  );

export const noticeEntriesByDocumentIds = (db: Db, ids: readonly string[]): Promise<NoticeEntryRow[]> =>
  db.query(`SELECT * FROM document_notice_entry WHERE document_id = ANY($1::uuid[]) ORDER BY document_id, position`, [
    ids,
  ]);

/** Departments by id with their region (recipients' checks). */
export const departmentsWithRegion = (db: Db, ids: readonly string[]): Promise<{ id: string; region_code: string }[]> =>
  db.query('SELECT id, region_code FROM department WHERE id = ANY($1::uuid[])', [ids]);
