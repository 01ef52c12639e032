import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType('GraphNode', { description: '关系图节点 (graph node)：一个对象。' })
export class GraphNode {
  @Field(() => ID, { description: '全局编号，可用于 node(id:)。Global id, usable with node(id:).' })
  id: string;

  @Field({
    description:
      '对象类型 (type)：GraphQL type name: Clue, Case, Institution, Person, Department, ClueTransfer, CollisionHit, Inspection, Document or Campaign.',
  })
  type: string;

  @Field({ description: '简短显示名（不含身份证号）。Short display label (never a resident ID number).' })
  label: string;

  @Field(() => Int, { description: '距根节点的层数（根为 0）。Hops from the root (the root is 0).' })
  depth: number;
}

@ObjectType('GraphEdge', { description: '关系图的边 (graph edge)：两个节点之间的关系。' })
export class GraphEdge {
  @Field(() => ID, { description: '起点节点的全局编号。' })
  from: string;

  @Field(() => ID, { description: '终点节点的全局编号。' })
  to: string;

  @Field({
    description:
      '关系类型 (kind)：HIT, INSTITUTION, SUBJECT, EVIDENCE, PERSON, CLUE, OWNER, TRANSFER, FROM, TO, ' +
      'INSPECTED (inspection → institution), LEAD (inspection → lead department), ' +
      'DOCUMENT (document → case), ISSUER and RECIPIENT (document → department), ' +
      'CAMPAIGN (clue, inspection or document → campaign), TARGET (campaign → institution), LEAD (campaign → lead department), ' +
      'a case relation kind or a person relation kind.',
  })
  kind: string;
}

/** 案件关系图: nodes and edges around a root, only what the caller may see. */
@ObjectType('CaseGraph', { description: '案件关系图 (case graph)：围绕根对象的节点和边，只含调用者可见的。' })
export class CaseGraph {
  @Field(() => [GraphNode], { description: '节点。' })
  nodes: GraphNode[];

  @Field(() => [GraphEdge], { description: '边。' })
  edges: GraphEdge[];

  @Field({ description: '因节点数上限而未展开完时为 true。True when the node limit stopped the expansion.' })
  truncated: boolean;
}
