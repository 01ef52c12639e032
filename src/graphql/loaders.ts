/**
 * Per-request batch loaders: every field that lists or looks up rows of its parent reads
 * through one of these, so that it costs one query per request and level, whatever the
 * number of parents. Each loader calls the service function that owns the SQL; those bound
 * to the caller apply the same policy predicate as the single reads (they share it).
 */
import DataLoader from 'dataloader';
import { AppServices } from '../app';
import { usersByIds } from '../domain/auth/auth.repository';
import {
  rectificationsByCaseIds,
  sanctionsByCaseIds,
  visibleCasesByClueIds,
  visibleCasesByIds,
  visibleCluesByCaseIds,
  visibleRelationsByCaseIds,
} from '../domain/case/case.service';
import { copiesByClueIds, personsByClueIds, visibleCluesByIds } from '../domain/clue/clue.service';
import { TimelineRow } from '../workflow/timeline.repository';
import { firstHitPagesByClueIds } from '../domain/collision/collision-hit.service';
import { jobsByRunIds, runsByIds, visibleRunsByCampaignIds } from '../domain/collision/collision-run.service';
import {
  campaignFiguresByIds,
  problemIdsOfReports,
  selfCheckReportsByCampaignIds,
  visibleCampaignsByIds,
} from '../domain/campaign/campaign.service';
import { CollisionHitRow } from '../domain/collision/collision.types';
import { verificationProgressOf } from '../domain/collision/hit-verification.service';
import { loadSettlementItems, loadSettlements } from '../domain/ingest/settlement.repository';
import {
  departmentsByIds,
  institutionsByCodes,
  personsByIds,
  regionsByCodes,
} from '../domain/reference/reference.repository';
import {
  measuresByProblemIds,
  rechecksByProblemIds,
  visibleProblemsByClueIds,
  visibleProblemsByIds,
} from '../domain/problem/problem.service';
import {
  problemsByInspectionIds,
  teamsByInspectionIds,
  visibleInspectionsByIds,
} from '../domain/inspection/inspection.service';
import { progressByItemIds, visibleSupervisionItemsByIds } from '../domain/supervision/supervision.service';
import {
  documentCasesByIds,
  documentNoticeEntriesByIds,
  documentProblemsByIds,
  documentRecipientsByIds,
  visibleDocumentsByIds,
} from '../domain/document/document.service';
import { transfersByClueIds, visibleTransfersByIds } from '../domain/transfer/transfer.service';
import { Actor } from '../policy';
import { DepartmentEntity } from '../domain/reference/department.entity';
import { InstitutionEntity } from '../domain/reference/institution.entity';
import { timelinesByEntityIds } from '../workflow/timeline.repository';
import { unauthenticated } from '../core/errors';
import { Connection } from '../core/pagination';

export interface LoaderOptions {
  /**
   * Whether a loader remembers what it loaded. Off for subscriptions: their context lives as
   * long as the subscription, and every event must be read afresh under the current rules.
   */
  cache: boolean;
}

/** Timelines are kept per entity type (the type names of the state_change rows). */
const TIMELINE_ENTITIES = [
  'Clue',
  'ClueTransfer',
  'Case',
  'SupervisionItem',
  'Problem',
  'Campaign',
  'Inspection',
  'Document',
] as const;
export type TimelineEntity = (typeof TIMELINE_ENTITIES)[number];

/** `f` of a value that may still be coming: synchronous when the value is (departmentNow). */
export function mapNow<T, R>(value: T | Promise<T>, f: (value: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(f) : f(value);
}

export function createLoaders(services: AppServices, actor: Actor | null, options: LoaderOptions = { cache: true }) {
  const { db } = services;
  const { cache } = options;
  // Fields are reached only below a root field that required the actor.
  const viewer = (): Actor => {
    if (!actor) throw unauthenticated();
    return actor;
  };

  /** At most one row per key; keys without a row load null. */
  const byKey = <R>(load: (keys: readonly string[]) => Promise<R[]>, keyOf: (row: R) => string) =>
    new DataLoader<string, R | null>(
      async (keys) => {
        const found = new Map((await load(keys)).map((row) => [keyOf(row), row]));
        return keys.map((k) => found.get(k) ?? null);
      },
      { cache },
    );

  /** Any number of rows per key, in the order the query returns them. */
  const grouped = <R>(load: (keys: readonly string[]) => Promise<R[]>, keyOf: (row: R) => string) =>
    new DataLoader<string, R[]>(
      async (keys) => {
        const groups = new Map<string, R[]>(keys.map((k) => [k, []]));
        for (const row of await load(keys)) groups.get(keyOf(row))?.push(row);
        return keys.map((k) => groups.get(k) ?? []);
      },
      { cache },
    );

  // Departments and institutions are kept between requests until they change (kept-reads.ts).
  const department = byKey(
    (ids) => services.kept.departments.getMany(ids, (missing) => departmentsByIds(db, missing), (d) => d.id),
    (d) => d.id,
  );
  const institution = byKey(
    (codes) => services.kept.institutions.getMany(codes, (missing) => institutionsByCodes(db, missing), (i) => i.code),
    (i) => i.code,
  );

  return {
    region: byKey(
      (codes) => regionsByCodes(db, codes),
      (r) => r.code,
    ),
    department,
    /**
     * A department, without a promise when it is kept: a field that returns it stays
     * synchronous, and so does its parent object (graphql-js waits for an object only when a
     * field of it is a promise) — what a list's rows cost to complete.
     */
    departmentNow(id: string): DepartmentEntity | Promise<DepartmentEntity | null> {
      return services.kept.departments.peek(id) ?? department.load(id);
    },
    /** An institution, without a promise when it is kept (as departmentNow). */
    institutionNow(code: string): InstitutionEntity | Promise<InstitutionEntity | null> {
      return services.kept.institutions.peek(code) ?? institution.load(code);
    },
    user: byKey(
      (ids) => usersByIds(db, ids),
      (u) => u.id,
    ),
    institution,
    person: byKey(
      (ids) => personsByIds(db, ids),
      (p) => p.personId,
    ),

    /** Clues, cases and transfers by id, when the caller may see them. */
    visibleClue: byKey(
      (ids) => visibleCluesByIds(db, viewer(), ids),
      (c) => c.id,
    ),
    visibleCase: byKey(
      (ids) => visibleCasesByIds(db, viewer(), ids),
      (k) => k.id,
    ),
    visibleTransfer: byKey(
      (ids) => visibleTransfersByIds(db, viewer(), ids),
      (t) => t.id,
    ),

    cluePersons: grouped(
      (ids) => personsByClueIds(db, ids),
      (r) => r.clue_id,
    ),
    clueCopies: grouped(
      (ids) => copiesByClueIds(db, ids),
      (r) => r.clue_id,
    ),
    clueTransfers: grouped(
      (ids) => transfersByClueIds(db, ids),
      (t) => t.clue_id,
    ),
    /** The case a clue was filed into, when the caller may see it. */
    clueCase: byKey(
      (ids) => visibleCasesByClueIds(db, viewer(), ids),
      (k) => k.clue_id,
    ),
    clueHits: firstHitPageLoader(services, viewer, cache),

    caseClues: grouped(
      (ids) => visibleCluesByCaseIds(db, viewer(), ids),
      (c) => c.case_id,
    ),
    caseSanctions: grouped(
      (ids) => sanctionsByCaseIds(db, ids),
      (s) => s.case_id,
    ),
    caseRectifications: grouped(
      (ids) => rectificationsByCaseIds(db, ids),
      (r) => r.case_id,
    ),
    caseRelations: grouped(
      (ids) => visibleRelationsByCaseIds(db, viewer(), ids),
      (r) => r.relation_of,
    ),

    /** Problems by id and of clues, when the caller may see them; measures and rechecks of problems. */
    visibleProblem: byKey(
      (ids) => visibleProblemsByIds(db, viewer(), ids),
      (p) => p.id,
    ),
    clueProblems: grouped(
      (ids) => visibleProblemsByClueIds(db, viewer(), ids),
      (p) => p.clue_id as string,
    ),
    problemMeasures: grouped(
      (ids) => measuresByProblemIds(db, ids),
      (r) => r.problem_id,
    ),
    problemRechecks: grouped(
      (ids) => rechecksByProblemIds(db, ids),
      (r) => r.problem_id,
    ),

    /** Campaigns by id when the caller may see them; their figures, runs, self-check reports. */
    visibleCampaign: byKey(
      (ids) => visibleCampaignsByIds(db, viewer(), ids),
      (g) => g.id,
    ),
    campaignFigures: new DataLoader<
      string,
      Awaited<ReturnType<typeof campaignFiguresByIds>> extends Map<string, infer F> ? F | null : never
    >(
      async (ids) => {
        const figures = await campaignFiguresByIds(db, ids);
        return ids.map((id) => figures.get(id) ?? null);
      },
      { cache },
    ),
    campaignRuns: grouped(
      (ids) => visibleRunsByCampaignIds(db, viewer(), ids),
      (r) => r.campaign_id as string,
    ),
    campaignSelfChecks: grouped(
      (ids) => selfCheckReportsByCampaignIds(db, ids),
      (r) => r.campaign_id,
    ),
    selfCheckProblemIds: grouped(
      (ids) => problemIdsOfReports(db, ids),
      (r) => r.report_id,
    ),

    /** Inspections by id when the caller may see them; their teams and (visible) problems. */
    visibleInspection: byKey(
      (ids) => visibleInspectionsByIds(db, viewer(), ids),
      (i) => i.id,
    ),
    inspectionTeam: grouped(
      (ids) => teamsByInspectionIds(db, ids),
      (t) => t.inspection_id,
    ),
    inspectionProblems: grouped(
      (ids) => problemsByInspectionIds(db, viewer(), ids),
      (p) => p.inspection_id as string,
    ),

    /** Documents by id when the caller may see them; their recipients, links and 通报 entries. */
    visibleDocument: byKey(
      (ids) => visibleDocumentsByIds(db, viewer(), ids),
      (d) => d.id,
    ),
    documentRecipients: grouped(
      (ids) => documentRecipientsByIds(db, ids),
      (r) => r.document_id,
    ),
    documentCases: grouped(
      (ids) => documentCasesByIds(db, ids),
      (r) => r.document_id,
    ),
    documentProblems: grouped(
      (ids) => documentProblemsByIds(db, ids),
      (r) => r.document_id,
    ),
    documentNoticeEntries: grouped(
      (ids) => documentNoticeEntriesByIds(db, ids),
      (r) => r.document_id,
    ),
    visibleSupervisionItem: byKey(
      (ids) => visibleSupervisionItemsByIds(db, viewer(), ids),
      (s) => s.id,
    ),

    supervisionProgress: grouped(
      (ids) => progressByItemIds(db, ids),
      (p) => p.item_id,
    ),

    timeline: Object.fromEntries(
      TIMELINE_ENTITIES.map((entity) => [
        entity,
        grouped(
          (ids) => timelinesByEntityIds(db, entity, ids),
          (r) => r.entity_id,
        ),
      ]),
    ) as Record<TimelineEntity, DataLoader<string, TimelineRow[]>>,

    collisionRun: byKey(
      (ids) => runsByIds(db, ids),
      (r) => r.id,
    ),
    /** 疑点核查 progress of the hits the caller sees, per clue, per run (last_run_id), per institution. */
    verificationProgress: {
      clue: byKey(
        (ids) => verificationProgressOf(db, viewer(), 'clue', ids),
        (p) => p.key,
      ),
      run: byKey(
        (ids) => verificationProgressOf(db, viewer(), 'run', ids),
        (p) => p.key,
      ),
      institution: byKey(
        (codes) => verificationProgressOf(db, viewer(), 'institution', codes),
        (p) => p.key,
      ),
    },
    collisionRunJobs: grouped(
      (ids) => jobsByRunIds(db, ids),
      (j) => j.run_id,
    ),

    settlement: byKey(
      (ids) => loadSettlements(db, ids),
      (s) => s.settlement_id,
    ),
    settlementItems: grouped(
      (ids) => loadSettlementItems(db, ids),
      (i) => i.settlement_id,
    ),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Clue.hits without `after`: the first page of each clue's hits, one query per page size.
 * (A page further on is read for its one clue: see ClueHitsResolver.)
 */
function firstHitPageLoader(services: AppServices, viewer: () => Actor, cache: boolean) {
  const keyOf = (k: { clueId: string; first: number }) => `${k.first}:${k.clueId}`;
  return new DataLoader<{ clueId: string; first: number }, Connection<CollisionHitRow>, string>(
    async (keys) => {
      const pages = new Map<string, Connection<CollisionHitRow>>();
      for (const first of new Set(keys.map((k) => k.first))) {
        const clueIds = keys.filter((k) => k.first === first).map((k) => k.clueId);
        const found = await firstHitPagesByClueIds(services.db, viewer(), clueIds, first);
        for (const [clueId, page] of found) pages.set(keyOf({ clueId, first }), page);
      }
      return keys.map((k) => pages.get(keyOf(k))!);
    },
    { cache, cacheKeyFn: keyOf },
  );
}

/**
 * Loads many keys and keeps the values found, in key order: a key without a row is left out,
 * a failed load (an Error in `loadMany`'s answer) is thrown.
 */
export async function loadPresent<K, V>(loader: DataLoader<K, V | null>, keys: readonly K[]): Promise<V[]> {
  const values = await loader.loadMany(keys);
  const failed = values.find((v): v is Error => v instanceof Error);
  if (failed) throw failed;
  return values.filter((v): v is V => v !== null);
}
