/**
 * 案件关系图 (PRODUCT.md §7, caseGraph): breadth-first from a clue, case, institution, person,
 * hit, transfer, department, inspection, document or campaign over clues ↔ hits ↔ institutions and
 * persons ↔ relations ↔ cases ↔ transfers ↔ departments, institutions ↔ inspections ↔ lead
 * departments, cases ↔ documents ↔ issuing and receiving departments, campaigns ↔ their clues,
 * target institutions, inspections, documents and lead department. Each level runs one query per node type
 * (case-graph.repository.ts), with the caller's visibility applied in SQL, so a node the
 * caller may not see never enters the graph and nothing is expanded through it. Rules:
 * docs/READING.md.
 */
import { DataSource, EntityManager } from 'typeorm';
import { badInput, notFound } from '../../core/errors';
import { fromGlobalId, toGlobalId } from '../../core/ids';
import { Actor } from '../../policy';
import { edgesInto, GraphNodeType, rootLabel } from './case-graph.repository';
import { CaseGraph, GraphEdge, GraphNode } from './case-graph.types';

export type { GraphNodeType };

type Db = DataSource | EntityManager;

/** The order in which new nodes of one level are admitted when the limit cuts. */
const TYPES: readonly GraphNodeType[] = [
  'Clue',
  'Case',
  'CollisionHit',
  'Institution',
  'Person',
  'ClueTransfer',
  'Department',
  'Inspection',
  'Document',
  'Campaign',
];

export const GRAPH_DEFAULTS = { depth: 2, maxDepth: 4, limit: 200, maxLimit: 1000 } as const;

const nodeKey = (type: GraphNodeType, id: string) => `${type}:${id}`;

function clamp(value: number | null | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === null || value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw badInput(`${name} must be an integer of at least ${min}`);
  return Math.min(value, max);
}

export async function caseGraph(
  db: Db,
  actor: Actor,
  rootId: string,
  options: { depth?: number | null; limit?: number | null } = {},
): Promise<CaseGraph> {
  const depth = clamp(options.depth, 'depth', GRAPH_DEFAULTS.depth, 0, GRAPH_DEFAULTS.maxDepth);
  const limit = clamp(options.limit, 'limit', GRAPH_DEFAULTS.limit, 1, GRAPH_DEFAULTS.maxLimit);
  // A root of another type is BAD_USER_INPUT; a row id of the wrong form names no row (NOT_FOUND).
  const root = fromGlobalId<GraphNodeType>(rootId, TYPES);
  const rootType = root.type;
  const label = await rootLabel(db, actor, rootType, root.id);
  if (label === undefined) throw notFound(rootType);

  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();
  const addNode = (type: GraphNodeType, id: string, label: string, level: number) =>
    nodes.set(
      nodeKey(type, id),
      Object.assign(new GraphNode(), { id: toGlobalId(type, id), type, label, depth: level }),
    );
  addNode(rootType, root.id, label, 0);

  let frontier = new Map<GraphNodeType, string[]>([[rootType, [root.id]]]);
  let truncated = false;
  for (let level = 1; level <= depth && frontier.size && !truncated; level++) {
    const remaining = limit - nodes.size;
    const found = await Promise.all(
      TYPES.map(async (target) => {
        const known = [...nodes.keys()]
          .filter((k) => k.startsWith(`${target}:`))
          .map((k) => k.slice(target.length + 1));
        return { target, rows: await edgesInto(db, actor, target, frontier, known, remaining + 1) };
      }),
    );

    const next = new Map<GraphNodeType, string[]>();
    let admitted = 0;
    for (const { target, rows } of found) {
      const fresh = [
        ...new Map(rows.filter((r) => !nodes.has(nodeKey(target, r.tgt))).map((r) => [r.tgt, r.label])).entries(),
      ];
      fresh.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [id, label] of fresh) {
        if (admitted === remaining) {
          truncated = true;
          break;
        }
        addNode(target, id, label, level);
        next.set(target, [...(next.get(target) ?? []), id]);
        admitted++;
      }
    }
    for (const { target, rows } of found) {
      for (const r of rows) {
        const source = nodes.get(nodeKey(r.src_type, r.src));
        const other = nodes.get(nodeKey(target, r.tgt));
        if (!source || !other) continue;
        const [from, to] = r.forward ? [source.id, other.id] : [other.id, source.id];
        edges.set(`${from}|${to}|${r.kind}`, Object.assign(new GraphEdge(), { from, to, kind: r.kind }));
      }
    }
    frontier = next;
  }
  return Object.assign(new CaseGraph(), { nodes: [...nodes.values()], edges: [...edges.values()], truncated });
}
