/**
 * 文书 (PRODUCT.md §9 "Documents"): issued by a leader or section head for their department
 * with an automatic 文号 `<prefix>〔YYYY〕N号` (gap-free per department, year and prefix),
 * sent to recipient departments (notified), linked to cases, problems and a supervision item;
 * a recommendation's measures become a problem of each recipient (source SUPERVISION, the
 * issuer supervising); a 通报 freezes its cases with persons' names masked. Immutable once
 * issued. Decisions: docs/OUTCOMES.md.
 */
import { EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { badInput, notFound } from '../../core/errors';
import { optionalRowId, rowId, toGlobalId } from '../../core/ids';
import { Connection } from '../../core/pagination';
import { provinceOf } from '../../core/regions';
import { inTransaction } from '../../db/transaction';
import { Actor, assertCanIssueDocument } from '../../policy';
import { recordCreation } from '../../workflow/transition';
import { campaignForWork, recordCampaignWork } from '../campaign/campaign.service';
import { findVisibleCase } from '../case/case.service';
import { notify } from '../notification/notification.service';
import { checkedMeasure, createProblemIn, findVisibleProblem, MeasureInputData } from '../problem/problem.service';
import { findVisibleSupervisionItem } from '../supervision/supervision.service';
import {
  documentMachine,
  DocumentKind,
  DOCUMENT_KINDS,
  documentNumber,
  documentPrefix,
  KINDS_WITH_MEASURES,
  maskPersonName,
} from './document.machine';
import {
  caseNoticeFacts,
  casesByDocumentIds,
  departmentsWithRegion,
  documentPage,
  DocumentRow,
  insertDocument,
  insertNoticeEntries,
  issueContext,
  linkProblems,
  nextDocumentSeq,
  noticeEntriesByDocumentIds,
  problemLinksByDocumentIds,
  recipientsByDocumentIds,
  visibleDocuments,
} from './document.repository';

type Db = AppServices['db'] | EntityManager;

/** A document the actor may see, or NOT_FOUND. */
export async function findVisibleDocument(db: Db, actor: Actor, id: string): Promise<DocumentRow> {
  const [row] = await visibleDocuments(db, actor, [id]);
  if (!row) throw notFound('document');
  return row;
}

export const visibleDocumentsByIds = (db: Db, actor: Actor, ids: readonly string[]) => visibleDocuments(db, actor, ids);
export const documentRecipientsByIds = (db: Db, ids: readonly string[]) => recipientsByDocumentIds(db, ids);
export const documentCasesByIds = (db: Db, ids: readonly string[]) => casesByDocumentIds(db, ids);
export const documentProblemsByIds = (db: Db, ids: readonly string[]) => problemLinksByDocumentIds(db, ids);
export const documentNoticeEntriesByIds = (db: Db, ids: readonly string[]) => noticeEntriesByDocumentIds(db, ids);

export interface DocumentFilterInput {
  kind?: DocumentKind | null;
  issuerDepartmentId?: string | null;
  recipientDepartmentId?: string | null;
  campaignId?: string | null;
}

export function listDocuments(
  services: AppServices,
  actor: Actor,
  filter: DocumentFilterInput | null | undefined,
  first: number,
  after: string | null | undefined,
): Promise<Connection<DocumentRow>> {
  return documentPage(
    services.db,
    actor,
    {
      kind: filter?.kind,
      issuerDepartmentId: optionalRowId(filter?.issuerDepartmentId, 'Department'),
      recipientDepartmentId: optionalRowId(filter?.recipientDepartmentId, 'Department'),
      campaignId: optionalRowId(filter?.campaignId, 'Campaign'),
    },
    first,
    after,
  );
}

export interface IssueDocumentData {
  kind: DocumentKind;
  title: string;
  body: string;
  recipientDepartmentIds: string[];
  caseIds?: string[] | null;
  problemIds?: string[] | null;
  campaignId?: string | null;
  supervisionItemId?: string | null;
  measures?: MeasureInputData[] | null;
}

const distinct = (ids: readonly string[]) => [...new Set(ids)];

export async function issueDocument(
  services: AppServices,
  actor: Actor,
  input: IssueDocumentData,
): Promise<DocumentRow> {
  assertCanIssueDocument(actor, input.kind);
  const title = input.title.trim();
  const body = input.body.trim();
  if (!title || !body) throw badInput('a document needs a title and a body');
  const recipientIds = distinct(input.recipientDepartmentIds.map((d) => rowId(d, 'Department')));
  const caseIds = distinct((input.caseIds ?? []).map((c) => rowId(c, 'Case')));
  const problemIds = distinct((input.problemIds ?? []).map((p) => rowId(p, 'Problem')));
  const supervisionItemId = optionalRowId(input.supervisionItemId, 'SupervisionItem');
  const measures = (input.measures ?? []).map(checkedMeasure);
  if (input.kind !== 'PUBLIC_NOTICE' && !recipientIds.length) throw badInput('a document needs recipients');
  if (input.kind === 'PUBLIC_NOTICE' && !caseIds.length) throw badInput('a 通报 lists at least one case (caseIds)');
  if (measures.length && !KINDS_WITH_MEASURES.includes(input.kind)) {
    throw badInput(`measures are requested by ${KINDS_WITH_MEASURES.join(' and ')} only`);
  }
  const id = await inTransaction(services.db, async (m) => {
    const recipients = await departmentsWithRegion(m, recipientIds);
    if (recipients.length !== recipientIds.length) throw badInput('unknown recipient department');
    const province = provinceOf(actor.department.regionCode);
    if (recipients.some((r) => provinceOf(r.region_code) !== province)) {
      throw badInput("recipients are departments of the issuer's province");
    }
    for (const c of caseIds) await findVisibleCase(m, actor, c);
    for (const p of problemIds) await findVisibleProblem(m, actor, p);
    if (supervisionItemId) await findVisibleSupervisionItem(m, actor, supervisionItemId);
    const campaign = input.campaignId ? await campaignForWork(m, actor, input.campaignId) : null;

    const { regionName, year } = await issueContext(m, actor.department.id);
    const prefix = documentPrefix(regionName, actor.department.kind, input.kind);
    const seq = await nextDocumentSeq(m, { departmentId: actor.department.id, year, prefix });
    const number = documentNumber(prefix, year, seq);
    const doc = await insertDocument(
      m,
      {
        kind: input.kind,
        number,
        prefix,
        year,
        seq,
        title,
        body,
        issuer_department_id: actor.department.id,
        region_code: actor.department.regionCode,
        campaign_id: campaign?.id ?? null,
        supervision_item_id: supervisionItemId,
        issued_by: actor.userId,
      },
      documentMachine.creation.ISSUE.to,
      { recipientIds, caseIds, problemIds },
    );

    if (input.kind === 'PUBLIC_NOTICE') {
      const facts = new Map((await caseNoticeFacts(m, caseIds)).map((f) => [f.case_id, f]));
      await insertNoticeEntries(
        m,
        doc.id,
        caseIds.map((c, i) => {
          const f = facts.get(c);
          if (!f) throw notFound('case');
          return {
            position: i + 1,
            case_code: f.case_code,
            institution_name: f.institution_name,
            masked_person_names: f.person_names.map(maskPersonName),
            summary: f.title,
            sanctions: f.sanctions,
          };
        }),
      );
    }

    if (measures.length) {
      const created: string[] = [];
      for (const recipient of recipientIds) {
        const problem = await createProblemIn(m, actor, {
          source: 'SUPERVISION',
          category: `${DOCUMENT_KINDS[input.kind]} ${number}`,
          description: title,
          responsibleDepartmentId: recipient,
          supervisingDepartmentId: actor.department.id,
          caseId: caseIds.length === 1 ? caseIds[0] : null,
          supervisionItemId,
          campaignId: campaign?.id ?? null,
          measures,
        });
        created.push(problem.id);
      }
      await linkProblems(m, doc.id, created, true);
    }

    await recordCreation(m, documentMachine, {
      id: doc.id,
      event: 'ISSUE',
      actor,
      note: `${number} ${title}`,
      detail: {
        kind: input.kind,
        number,
        recipients: recipientIds.map((r) => toGlobalId('Department', r)),
        cases: caseIds.map((c) => toGlobalId('Case', c)),
        problems: problemIds.map((p) => toGlobalId('Problem', p)),
        measures: measures.length,
        ...(campaign ? { campaignId: toGlobalId('Campaign', campaign.id) } : {}),
      },
    });
    if (campaign) {
      await recordCampaignWork(m, actor, campaign, 'ISSUE_DOCUMENT', {
        documentId: toGlobalId('Document', doc.id),
        kind: input.kind,
        number,
      });
    }
    if (recipientIds.length) {
      await notify(m, {
        kind: 'DOCUMENT_RECEIVED',
        title: `收到${DOCUMENT_KINDS[input.kind]}：${number}`,
        body: title,
        target: { type: 'Document', id: doc.id },
        to: { departmentIds: recipientIds },
        dedupeKey: `document-received:${doc.id}`,
      });
    }
    return doc.id;
  });
  return findVisibleDocument(services.db, actor, id);
}
