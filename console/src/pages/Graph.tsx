import cytoscape, { Core } from 'cytoscape';
import { FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, enumLabels, gql } from '../api';
import { edgeKindLabel, NODE_TYPES, nodeTypeLabel } from '../labels';
import { href } from '../router';

interface GraphNode {
  id: string;
  type: string;
  label: string;
  depth: number;
}
interface GraphEdge {
  from: string;
  to: string;
  kind: string;
}
interface CaseGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  truncated: boolean;
}

const GRAPH = `query($id: ID!, $depth: Int, $limit: Int) {
  caseGraph(rootId: $id, depth: $depth, limit: $limit) { nodes { id type label depth } edges { from to kind } truncated }
}`;
const CHOICES = `{
  clues(first: 50) { edges { node { id code title } } }
  cases(first: 50) { edges { node { id code title } } }
}`;
const LIMIT = 200;

type Kind = 'clue' | 'case' | 'institution' | 'person' | 'id';
const KINDS: { kind: Kind; label: string; placeholder: string }[] = [
  { kind: 'clue', label: '线索', placeholder: '线索编号或全局 ID' },
  { kind: 'case', label: '案件', placeholder: '案件编号或全局 ID' },
  { kind: 'institution', label: '医药机构', placeholder: '机构编码，如 H610302001' },
  { kind: 'person', label: '人员', placeholder: '人员编号' },
  { kind: 'id', label: '全局 ID', placeholder: 'node(id:) 可用的 ID' },
];

interface Choice {
  id: string;
  code: string;
  title: string;
}

/** The root's global id from what was typed: a code of a listed clue or case, an institution code, a person id. */
async function resolveRoot(kind: Kind, text: string, choices: { clue: Choice[]; case: Choice[] }): Promise<string> {
  const value = text.trim();
  if (kind === 'clue' || kind === 'case') {
    const hit = choices[kind].find((c) => c.code === value || c.id === value);
    return hit ? hit.id : value;
  }
  if (kind === 'institution') {
    const r = await gql<{ institution: { id: string } | null }>('query($c: String!) { institution(code: $c) { id } }', {
      c: value,
    });
    if (!r.institution) throw new ApiError(`找不到机构 ${value}，或不在您的可见范围内`);
    return r.institution.id;
  }
  if (kind === 'person') {
    const r = await gql<{ person: { id: string } | null }>('query($p: String!) { person(personId: $p) { id } }', {
      p: value,
    });
    if (!r.person) throw new ApiError(`找不到人员 ${value}，或不在您的可见范围内`);
    return r.person.id;
  }
  return value;
}

/** 案件关系图: caseGraph drawn with Cytoscape; clicking a node expands it (one more hop around it). */
export function GraphPage({ params }: { params: URLSearchParams }) {
  const root = params.get('root');
  const limit = Math.min(1000, Number(params.get('limit')) || LIMIT);
  const [kind, setKind] = useState<Kind>('clue');
  const [text, setText] = useState('');
  const [choices, setChoices] = useState<{ clue: Choice[]; case: Choice[] }>({ clue: [], case: [] });
  const [graph, setGraph] = useState<CaseGraph | null>(null);
  const [selected, setSelected] = useState<GraphNode | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [relationLabels, setRelationLabels] = useState<Map<string, string>>();
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const container = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);

  useEffect(() => {
    gql<{ clues: { edges: { node: Choice }[] }; cases: { edges: { node: Choice }[] } }>(CHOICES).then(
      (r) => setChoices({ clue: r.clues.edges.map((e) => e.node), case: r.cases.edges.map((e) => e.node) }),
      () => undefined,
    );
    enumLabels().then(setRelationLabels, () => undefined);
  }, []);

  useEffect(() => {
    if (!root) return;
    setError(null);
    setSelected(null);
    setExpanded(new Set([root]));
    gql<{ caseGraph: CaseGraph }>(GRAPH, { id: root, depth: 2, limit }).then(
      (r) => setGraph(r.caseGraph),
      (e: Error) => {
        setGraph(null);
        setError(e.message);
      },
    );
  }, [root, limit]);

  // Draw (and redraw after an expansion) the whole graph.
  useEffect(() => {
    if (!container.current || !graph) return;
    const elements = [
      ...graph.nodes.map((n) => ({
        data: {
          id: n.id,
          // The kind is the colour and shape (legend); the full label is in the table beside.
          label: n.label.length > 18 ? `${n.label.slice(0, 17)}…` : n.label,
          color: NODE_TYPES[n.type]?.color ?? '#334155',
          shape: NODE_TYPES[n.type]?.shape ?? 'ellipse',
          root: n.id === root ? 1 : 0,
          depth: n.depth,
        },
      })),
      ...graph.edges.map((e, i) => ({
        data: { id: `e${i}:${e.from}:${e.to}`, source: e.from, target: e.to, label: edgeKindLabel(e.kind, relationLabels) },
      })),
    ];
    cy.current?.destroy();
    const instance = cytoscape({
      container: container.current,
      elements,
      // Rings by hops from the root: cheap and stable (no physics on a slow machine).
      layout: {
        name: 'concentric',
        animate: false,
        concentric: (node) => 100 - Number(node.data('depth')),
        levelWidth: () => 1,
        minNodeSpacing: 50,
      },
      style: [
        {
          selector: 'node',
          style: {
            'background-color': 'data(color)',
            shape: 'data(shape)' as never,
            label: 'data(label)',
            'text-wrap': 'wrap',
            'text-valign': 'bottom',
            'text-margin-y': 4,
            'font-size': 10,
            'font-family': 'sans-serif',
            color: '#1f2937',
            width: 26,
            height: 26,
          },
        },
        { selector: 'node[root = 1]', style: { 'border-width': 4, 'border-color': '#111827' } },
        { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#f59e0b' } },
        {
          selector: 'edge',
          style: {
            width: 1.5,
            'line-color': '#94a3b8',
            'target-arrow-color': '#94a3b8',
            'target-arrow-shape': 'triangle',
            'curve-style': 'bezier',
            label: 'data(label)',
            'font-size': 8,
            color: '#475569',
            'text-rotation': 'autorotate',
          },
        },
      ],
    });
    instance.on('tap', 'node', (event) => {
      const node = graph.nodes.find((n) => n.id === event.target.id());
      if (node) void expand(node);
    });
    cy.current = instance;
    (window as unknown as { __caseGraph?: Core }).__caseGraph = instance;
  }, [graph, relationLabels]);

  useEffect(() => () => cy.current?.destroy(), []);

  async function expand(node: GraphNode) {
    setSelected(node);
    if (expanded.has(node.id) || !graph) return;
    try {
      const r = await gql<{ caseGraph: CaseGraph }>(GRAPH, { id: node.id, depth: 1, limit });
      setExpanded((s) => new Set(s).add(node.id));
      setGraph((current) => {
        if (!current) return current;
        const known = new Set(current.nodes.map((n) => n.id));
        const edgeKey = (e: GraphEdge) => `${e.from}|${e.to}|${e.kind}`;
        const knownEdges = new Set(current.edges.map(edgeKey));
        return {
          nodes: [
            ...current.nodes,
            ...r.caseGraph.nodes.filter((n) => !known.has(n.id)).map((n) => ({ ...n, depth: node.depth + n.depth })),
          ],
          edges: [...current.edges, ...r.caseGraph.edges.filter((e) => !knownEdges.has(edgeKey(e)))],
          truncated: current.truncated || r.caseGraph.truncated,
        };
      });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const id = await resolveRoot(kind, text, choices);
      location.hash = href('graph', { root: id });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const current = KINDS.find((k) => k.kind === kind)!;
  const list = kind === 'clue' || kind === 'case' ? choices[kind] : [];
  const typesShown = graph ? [...new Set(graph.nodes.map((n) => n.type))] : [];
  return (
    <div className="graph-page">
      <form className="toolbar" onSubmit={submit}>
        <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} name="kind">
          {KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
        <input
          name="root"
          list={list.length ? `choices-${kind}` : undefined}
          placeholder={current.placeholder}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <datalist id={`choices-${kind}`}>
          {list.map((c) => (
            <option key={c.id} value={c.code}>
              {c.title}
            </option>
          ))}
        </datalist>
        <button type="submit" disabled={!text.trim()}>
          画图
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {graph?.truncated && (
        <p className="warning" data-testid="truncated">
          已截断：节点数达到上限（{limit}），图未画全。点击节点可继续展开。
        </p>
      )}
      {graph && (
        <div className="legend" data-testid="legend">
          {typesShown.map((t) => (
            <span key={t}>
              <i style={{ background: NODE_TYPES[t]?.color ?? '#334155' }} />
              {nodeTypeLabel(t)}
            </span>
          ))}
          <span className="muted">共 {graph.nodes.length} 个节点、{graph.edges.length} 条关系；点击节点展开</span>
        </div>
      )}
      {!root && <p className="muted">输入线索、案件、医药机构或人员，画出其关系图。</p>}
      <div className="graph-body">
        <div className="graph-canvas" ref={container} data-testid="graph-canvas" />
        {graph && (
          <aside className="graph-nodes">
            {selected && (
              <div className="selected" data-testid="selected-node">
                <b>{nodeTypeLabel(selected.type)}</b> {selected.label}
              </div>
            )}
            <table data-testid="graph-nodes">
              <thead>
                <tr>
                  <th>类型</th>
                  <th>名称</th>
                  <th>层</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {graph.nodes.map((n) => (
                  <tr key={n.id} data-node-id={n.id} data-node-type={n.type}>
                    <td>{nodeTypeLabel(n.type)}</td>
                    <td className="node-label">{n.label}</td>
                    <td>{n.depth}</td>
                    <td>
                      {expanded.has(n.id) ? (
                        <span className="muted">已展开</span>
                      ) : (
                        <button type="button" onClick={() => void expand(n)} data-expand={n.id}>
                          展开
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </aside>
        )}
      </div>
    </div>
  );
}
