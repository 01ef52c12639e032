/** Chinese names of the case graph's node types and edge kinds (schema: GraphNode.type, GraphEdge.kind). */
export const NODE_TYPES: Record<string, { label: string; color: string; shape: string }> = {
  Clue: { label: '线索', color: '#d97706', shape: 'round-rectangle' },
  Case: { label: '案件', color: '#b91c1c', shape: 'diamond' },
  Institution: { label: '医药机构', color: '#2563eb', shape: 'hexagon' },
  Person: { label: '人员', color: '#059669', shape: 'ellipse' },
  Department: { label: '部门', color: '#6b7280', shape: 'rectangle' },
  ClueTransfer: { label: '线索移送', color: '#7c3aed', shape: 'tag' },
  CollisionHit: { label: '碰撞疑点', color: '#db2777', shape: 'triangle' },
  Inspection: { label: '检查', color: '#0891b2', shape: 'pentagon' },
  Document: { label: '文书', color: '#4b5563', shape: 'rhomboid' },
};

export const EDGE_KINDS: Record<string, string> = {
  HIT: '疑点',
  INSTITUTION: '机构',
  SUBJECT: '涉及人员',
  EVIDENCE: '证据',
  PERSON: '人员',
  CLUE: '线索',
  OWNER: '承办',
  TRANSFER: '移送',
  FROM: '移出',
  TO: '移入',
  INSPECTED: '被检查',
  LEAD: '牵头',
  DOCUMENT: '文书',
  ISSUER: '发文',
  RECIPIENT: '收文',
};

export const nodeTypeLabel = (type: string): string => NODE_TYPES[type]?.label ?? type;
export const edgeKindLabel = (kind: string, enumLabels?: Map<string, string>): string =>
  EDGE_KINDS[kind] ??
  enumLabels?.get(`CaseRelationKind.${kind}`) ??
  enumLabels?.get(`PersonRelationKind.${kind}`) ??
  kind;

/** Money as the API sends it (an exact decimal string), with thousands separators; no float. */
export function money(value: string | null | undefined): string {
  if (value == null) return '—';
  const [whole, fraction = '00'] = value.replace(/^-/, '').split('.');
  return `${value.startsWith('-') ? '-' : ''}¥${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction}`;
}
export const percent = (value: number | null | undefined): string =>
  value == null ? '—' : `${(value * 100).toFixed(1)}%`;

/** caseGraph's roots (schema: Query.caseGraph). */
const GRAPH_ROOTS = new Set(['Clue', 'Case', 'Institution', 'Person', 'CollisionHit', 'ClueTransfer', 'Department']);

/** Whether a global id (base64url of "Type:id", README) can be the root of the case graph. */
export function isGraphRoot(globalId: string): boolean {
  try {
    const decoded = atob(globalId.replace(/-/g, '+').replace(/_/g, '/'));
    return GRAPH_ROOTS.has(decoded.slice(0, decoded.indexOf(':')));
  } catch {
    return false;
  }
}
