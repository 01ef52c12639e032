/**
 * The SQL of 案件关系图 (caseGraph), built per node kind: for each kind its table, label and
 * visibility (the caller's, from src/policy), and for each pair of kinds the edges between
 * them. case-graph.service.ts walks the graph level by level with `edgesInto` and `rootLabel`.
 */
import { DataSource, EntityManager } from 'typeorm';
import { SqlParams } from '../../core/sql';
import { preparedRead } from '../../db/prepared';
import {
  Actor,
  campaignVisibleSql,
  canLookUpReference,
  caseVisibleSql,
  clueVisibleSql,
  collisionVisibleSql,
  documentVisibleSql,
  inspectionVisibleSql,
  jurisdictionOf,
  transferVisibleSql,
} from '../../policy';

type Db = DataSource | EntityManager;

export type GraphNodeType =
  | 'Clue'
  | 'Case'
  | 'CollisionHit'
  | 'Institution'
  | 'Person'
  | 'ClueTransfer'
  | 'Department'
  | 'Inspection'
  | 'Document'
  | 'Campaign';

/** A collision hit row aliased `h` is visible per collisionVisibleSql or through its visible clue. */
const hitVisibleSql = (actor: Actor, params: SqlParams, h: string): string =>
  `(${collisionVisibleSql(actor, params, `${h}.region_code`)}
    OR EXISTS (SELECT 1 FROM clue ${h}c WHERE ${h}c.id = ${h}.clue_id AND ${clueVisibleSql(actor, params, `${h}c`)}))`;

/**
 * canLookUpReference as SQL over a region column: the actor-level part of the rule is
 * canLookUpReference for the actor's own region (always covered), the region part is the
 * jurisdiction prefix.
 */
const lookUpSql = (actor: Actor, params: SqlParams, regionColumn: string): string =>
  canLookUpReference(actor, actor.department.regionCode)
    ? `${regionColumn} LIKE ${params.add(`${jurisdictionOf(actor)}%`)}`
    : 'false';

interface NodeSpec {
  table: string;
  pk: string;
  idType: 'uuid' | 'text';
  /** Label over the row aliased n (and `joins`). */
  label: string;
  joins?: string;
  /** Visibility of the row aliased n. */
  visible: (actor: Actor, params: SqlParams) => string;
  /**
   * Institutions and persons: visible per canLookUpReference or because they appear on a
   * visible clue or hit. Checked for the root and for persons reached through a relation;
   * reached from a visible clue or hit they appear on it by definition.
   */
  reference?: (actor: Actor, params: SqlParams) => string;
}

const NODES: Record<GraphNodeType, NodeSpec> = {
  Clue: {
    table: 'clue',
    pk: 'id',
    idType: 'uuid',
    label: `n.code || ' ' || n.title`,
    visible: (actor, params) => clueVisibleSql(actor, params, 'n'),
  },
  Case: {
    table: '"case"',
    pk: 'id',
    idType: 'uuid',
    label: 'n.code',
    visible: (actor, params) => caseVisibleSql(actor, params, 'n'),
  },
  CollisionHit: {
    table: 'collision_hit',
    pk: 'id',
    idType: 'uuid',
    label: `n.model || ' ' || n.hit_key`,
    visible: (actor, params) => hitVisibleSql(actor, params, 'n'),
  },
  Institution: {
    table: 'institution',
    pk: 'code',
    idType: 'text',
    label: 'n.name',
    visible: () => 'true',
    reference: (actor, params) => `(${lookUpSql(actor, params, 'n.region_code')}
      OR EXISTS (SELECT 1 FROM clue ic WHERE ic.institution_code = n.code AND ${clueVisibleSql(actor, params, 'ic')})
      OR EXISTS (SELECT 1 FROM collision_hit ih
        WHERE ih.institution_code = n.code AND ${hitVisibleSql(actor, params, 'ih')}))`,
  },
  Person: {
    table: 'person',
    pk: 'person_id',
    idType: 'text',
    label: 'n.name',
    visible: () => 'true',
    reference: (actor, params) => `(${lookUpSql(actor, params, 'n.region_code')}
      OR EXISTS (SELECT 1 FROM clue_person rp JOIN clue rc ON rc.id = rp.clue_id
                 WHERE rp.person_id = n.person_id AND ${clueVisibleSql(actor, params, 'rc')})
      OR EXISTS (SELECT 1 FROM collision_hit rh
                 WHERE rh.person_ids @> ARRAY[n.person_id::text] AND ${hitVisibleSql(actor, params, 'rh')}))`,
  },
  ClueTransfer: {
    table: 'clue_transfer',
    pk: 'id',
    idType: 'uuid',
    label: `'移送 ' || tc.code || ' → ' || td.name`,
    joins: 'JOIN clue tc ON tc.id = n.clue_id JOIN department td ON td.id = n.to_department_id',
    visible: (actor, params) => transferVisibleSql(actor, params, 'n'),
  },
  Department: {
    table: 'department',
    pk: 'id',
    idType: 'uuid',
    label: 'n.name',
    visible: () => 'true',
  },
  Inspection: {
    table: 'inspection',
    pk: 'id',
    idType: 'uuid',
    label: `'检查 ' || n.code`,
    visible: (actor, params) => inspectionVisibleSql(actor, params, 'n'),
  },
  Document: {
    table: 'document',
    pk: 'id',
    idType: 'uuid',
    label: `n.number || ' ' || n.title`,
    visible: (actor, params) => documentVisibleSql(actor, params, 'n'),
  },
  Campaign: {
    table: 'campaign',
    pk: 'id',
    idType: 'uuid',
    label: `'专项行动 ' || n.code || ' ' || n.name`,
    visible: (actor, params) => campaignVisibleSql(actor, params, 'n'),
  },
};

/**
 * The edges into each target type from each source type, given the placeholder of the
 * frontier's ids of that source type. Columns: src (text), tgt, kind, forward (the edge
 * points from src to tgt, else from tgt to src), checked (the target needs its reference check).
 */
type Branch = (s: string) => string;
const EDGES: Record<GraphNodeType, Partial<Record<GraphNodeType, Branch>>> = {
  Clue: {
    CollisionHit: (s) =>
      `SELECT h.id::text, h.clue_id, 'HIT', false, false FROM collision_hit h
        WHERE h.id = ANY(${s}::uuid[]) AND h.clue_id IS NOT NULL`,
    Institution: (s) =>
      `SELECT c.institution_code::text, c.id, 'INSTITUTION', false, false FROM clue c
        WHERE c.institution_code = ANY(${s}::text[])`,
    Person: (s) =>
      `SELECT cp.person_id::text, cp.clue_id, cp.role::text, false, false FROM clue_person cp
        WHERE cp.person_id = ANY(${s}::text[])`,
    Case: (s) =>
      `SELECT kc.case_id::text, kc.clue_id, 'CLUE', true, false FROM case_clue kc WHERE kc.case_id = ANY(${s}::uuid[])`,
    ClueTransfer: (s) =>
      `SELECT t.id::text, t.clue_id, 'TRANSFER', false, false FROM clue_transfer t WHERE t.id = ANY(${s}::uuid[])`,
    Department: (s) =>
      `SELECT c.owner_department_id::text, c.id, 'OWNER', false, false FROM clue c
        WHERE c.owner_department_id = ANY(${s}::uuid[])`,
    Campaign: (s) =>
      `SELECT c.campaign_id::text, c.id, 'CAMPAIGN', false, false FROM clue c WHERE c.campaign_id = ANY(${s}::uuid[])`,
  },
  Case: {
    Document: (s) =>
      `SELECT dc.document_id::text, dc.case_id, 'DOCUMENT', true, false FROM document_case dc
        WHERE dc.document_id = ANY(${s}::uuid[])`,
    Clue: (s) =>
      `SELECT kc.clue_id::text, kc.case_id, 'CLUE', false, false FROM case_clue kc
        WHERE kc.clue_id = ANY(${s}::uuid[])`,
    Case: (s) =>
      `SELECT r.case_id::text, r.other_case_id, r.kind::text, true, false FROM case_relation r
        WHERE r.case_id = ANY(${s}::uuid[])
       UNION ALL
       SELECT r.other_case_id::text, r.case_id, r.kind::text, false, false FROM case_relation r
         WHERE r.other_case_id = ANY(${s}::uuid[])`,
    Department: (s) =>
      `SELECT k.owner_department_id::text, k.id, 'OWNER', false, false FROM "case" k
        WHERE k.owner_department_id = ANY(${s}::uuid[])`,
  },
  CollisionHit: {
    Clue: (s) =>
      `SELECT h.clue_id::text, h.id, 'HIT', true, false FROM collision_hit h WHERE h.clue_id = ANY(${s}::uuid[])`,
    Institution: (s) =>
      `SELECT h.institution_code::text, h.id, 'INSTITUTION', false, false FROM collision_hit h
        WHERE h.institution_code = ANY(${s}::text[])`,
    Person: (s) =>
      `SELECT p.pid, h.id, 'PERSON', false, false FROM collision_hit h CROSS JOIN LATERAL unnest(h.person_ids) p (pid)
       WHERE h.person_ids && ${s}::text[] AND p.pid = ANY(${s}::text[])`,
  },
  Institution: {
    Inspection: (s) =>
      `SELECT i.id::text, i.institution_code::text, 'INSPECTED', true, false FROM inspection i
        WHERE i.id = ANY(${s}::uuid[])`,
    Clue: (s) =>
      `SELECT c.id::text, c.institution_code::text, 'INSTITUTION', true, false FROM clue c
        WHERE c.id = ANY(${s}::uuid[]) AND c.institution_code IS NOT NULL`,
    CollisionHit: (s) =>
      `SELECT h.id::text, h.institution_code::text, 'INSTITUTION', true, false FROM collision_hit h
        WHERE h.id = ANY(${s}::uuid[])`,
    Campaign: (s) =>
      `SELECT t.campaign_id::text, t.institution_code::text, 'TARGET', true, false FROM campaign_target t
        WHERE t.campaign_id = ANY(${s}::uuid[])`,
  },
  Person: {
    Clue: (s) =>
      `SELECT cp.clue_id::text, cp.person_id::text, cp.role::text, true, false FROM clue_person cp
        WHERE cp.clue_id = ANY(${s}::uuid[])`,
    CollisionHit: (s) =>
      `SELECT h.id::text, p.pid, 'PERSON', true, false
        FROM collision_hit h CROSS JOIN LATERAL unnest(h.person_ids) p (pid) WHERE h.id = ANY(${s}::uuid[])`,
    Person: (s) =>
      `SELECT r.person_a::text, r.person_b::text, r.kind::text, true, true FROM person_relation r
        WHERE r.person_a = ANY(${s}::text[])
       UNION ALL
       SELECT r.person_b::text, r.person_a::text, r.kind::text, false, true FROM person_relation r
         WHERE r.person_b = ANY(${s}::text[])`,
  },
  ClueTransfer: {
    Clue: (s) =>
      `SELECT t.clue_id::text, t.id, 'TRANSFER', true, false FROM clue_transfer t WHERE t.clue_id = ANY(${s}::uuid[])`,
    Department: (s) =>
      `SELECT t.from_department_id::text, t.id, 'FROM', false, false FROM clue_transfer t
        WHERE t.from_department_id = ANY(${s}::uuid[])
       UNION ALL
       SELECT t.to_department_id::text, t.id, 'TO', false, false FROM clue_transfer t
         WHERE t.to_department_id = ANY(${s}::uuid[])`,
  },
  Department: {
    Inspection: (s) =>
      `SELECT i.id::text, i.lead_department_id, 'LEAD', true, false FROM inspection i WHERE i.id = ANY(${s}::uuid[])`,
    Document: (s) =>
      `SELECT d.id::text, d.issuer_department_id, 'ISSUER', true, false FROM document d WHERE d.id = ANY(${s}::uuid[])
       UNION ALL
       SELECT r.document_id::text, r.department_id, 'RECIPIENT', true, false FROM document_recipient r
         WHERE r.document_id = ANY(${s}::uuid[])`,
    Clue: (s) =>
      `SELECT c.id::text, c.owner_department_id, 'OWNER', true, false FROM clue c
        WHERE c.id = ANY(${s}::uuid[]) AND c.owner_department_id IS NOT NULL`,
    Case: (s) =>
      `SELECT k.id::text, k.owner_department_id, 'OWNER', true, false FROM "case" k WHERE k.id = ANY(${s}::uuid[])`,
    ClueTransfer: (s) =>
      `SELECT t.id::text, t.from_department_id, 'FROM', true, false FROM clue_transfer t WHERE t.id = ANY(${s}::uuid[])
       UNION ALL
       SELECT t.id::text, t.to_department_id, 'TO', true, false FROM clue_transfer t WHERE t.id = ANY(${s}::uuid[])`,
    Campaign: (s) =>
      `SELECT g.id::text, g.lead_department_id, 'LEAD', true, false FROM campaign g WHERE g.id = ANY(${s}::uuid[])`,
  },
  Inspection: {
    Institution: (s) =>
      `SELECT i.institution_code::text, i.id, 'INSPECTED', false, false FROM inspection i
        WHERE i.institution_code = ANY(${s}::text[])`,
    Department: (s) =>
      `SELECT i.lead_department_id::text, i.id, 'LEAD', false, false FROM inspection i
        WHERE i.lead_department_id = ANY(${s}::uuid[])`,
    Campaign: (s) =>
      `SELECT i.campaign_id::text, i.id, 'CAMPAIGN', false, false FROM inspection i
        WHERE i.campaign_id = ANY(${s}::uuid[])`,
  },
  Document: {
    Case: (s) =>
      `SELECT dc.case_id::text, dc.document_id, 'DOCUMENT', false, false FROM document_case dc
        WHERE dc.case_id = ANY(${s}::uuid[])`,
    Department: (s) =>
      `SELECT d.issuer_department_id::text, d.id, 'ISSUER', false, false FROM document d
        WHERE d.issuer_department_id = ANY(${s}::uuid[])
       UNION ALL
       SELECT r.department_id::text, r.document_id, 'RECIPIENT', false, false FROM document_recipient r
         WHERE r.department_id = ANY(${s}::uuid[])`,
    Campaign: (s) =>
      `SELECT d.campaign_id::text, d.id, 'CAMPAIGN', false, false FROM document d WHERE d.campaign_id = ANY(${s}::uuid[])`,
  },
  Campaign: {
    Clue: (s) =>
      `SELECT c.id::text, c.campaign_id, 'CAMPAIGN', true, false FROM clue c
        WHERE c.id = ANY(${s}::uuid[]) AND c.campaign_id IS NOT NULL`,
    Institution: (s) =>
      `SELECT t.institution_code::text, t.campaign_id, 'TARGET', false, false FROM campaign_target t
        WHERE t.institution_code = ANY(${s}::text[])`,
    Department: (s) =>
      `SELECT g.lead_department_id::text, g.id, 'LEAD', false, false FROM campaign g
        WHERE g.lead_department_id = ANY(${s}::uuid[])`,
    Inspection: (s) =>
      `SELECT i.id::text, i.campaign_id, 'CAMPAIGN', true, false FROM inspection i
        WHERE i.id = ANY(${s}::uuid[]) AND i.campaign_id IS NOT NULL`,
    Document: (s) =>
      `SELECT d.id::text, d.campaign_id, 'CAMPAIGN', true, false FROM document d
        WHERE d.id = ANY(${s}::uuid[]) AND d.campaign_id IS NOT NULL`,
  },
};

export interface EdgeRow {
  src_type: GraphNodeType;
  src: string;
  tgt: string;
  kind: string;
  forward: boolean;
  label: string;
}

/**
 * One level into one target type: the edges from the frontier to targets the caller may see,
 * restricted to targets already in the graph and the first `cap` new ones (by id).
 */
export async function edgesInto(
  db: Db,
  actor: Actor,
  target: GraphNodeType,
  frontier: Map<GraphNodeType, string[]>,
  known: string[],
  cap: number,
): Promise<EdgeRow[]> {
  const spec = NODES[target];
  const params = new SqlParams();
  const branches = (Object.entries(EDGES[target]) as [GraphNodeType, Branch][])
    .filter(([source]) => frontier.get(source)?.length)
    .map(
      ([source, branch]) =>
        `SELECT '${source}'::text AS src_type, e.*
          FROM (${branch(params.add(frontier.get(source)))}) e (src, tgt, kind, forward, checked)`,
    );
  if (!branches.length) return [];
  const reference = spec.reference ? `(NOT e.checked OR ${spec.reference(actor, params)})` : 'true';
  const knownIds = `${params.add(known)}::${spec.idType}[]`;
  // Prepared (src/db/prepared.ts): a graph runs a dozen of these per level, each with the
  // visibility predicates to plan.
  return preparedRead<EdgeRow>(
    db,
    `WITH e AS (${branches.join(' UNION ALL ')}),
     v AS (
       SELECT e.src_type, e.src, e.tgt, e.kind, e.forward, ${spec.label} AS label
       FROM e JOIN ${spec.table} n ON n.${spec.pk} = e.tgt ${spec.joins ?? ''}
       WHERE ${spec.visible(actor, params)} AND ${reference}
     ),
     fresh AS (SELECT DISTINCT tgt FROM v WHERE tgt <> ALL(${knownIds}) ORDER BY tgt LIMIT ${params.add(cap)})
     SELECT src_type, src, tgt::text AS tgt, kind, forward, label FROM v
     WHERE tgt = ANY(${knownIds}) OR tgt IN (SELECT tgt FROM fresh)`,
    params.values,
  );
}

/** The label of a root node the caller may see, or undefined (unknown or not visible). */
export async function rootLabel(db: Db, actor: Actor, type: GraphNodeType, id: string): Promise<string | undefined> {
  const spec = NODES[type];
  const params = new SqlParams([id]);
  const reference = spec.reference ? spec.reference(actor, params) : 'true';
  const rows = await preparedRead<{ label: string }>(
    db,
    `SELECT ${spec.label} AS label FROM ${spec.table} n ${spec.joins ?? ''}
     WHERE n.${spec.pk} = $1 AND ${spec.visible(actor, params)} AND ${reference}`,
    params.values,
  );
  return rows[0]?.label;
}
