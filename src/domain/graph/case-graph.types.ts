import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType('GraphNode')
export class GraphNode {
  @Field(() => ID, { description: 'Global id, usable with node(id:).' })
  id: string;

  @Field({
    description:
      'GraphQL type name: Clue, Case, Institution, Person, Department, ClueTransfer, CollisionHit, Inspection, Document or Campaign.',
  })
  type: string;

  @Field({ description: 'Short display label (never a resident ID number).' })
  label: string;

  @Field(() => Int, { description: 'Hops from the root (the root is 0).' })
  depth: number;
}

@ObjectType('GraphEdge')
export class GraphEdge {
  @Field(() => ID)
  from: string;

  @Field(() => ID)
  to: string;

  @Field({
    description:
      'HIT, INSTITUTION, SUBJECT, EVIDENCE, PERSON, CLUE, OWNER, TRANSFER, FROM, TO, ' +
      'INSPECTED (inspection → institution), LEAD (inspection → lead department), ' +
      'DOCUMENT (document → case), ISSUER and RECIPIENT (document → department), ' +
      'CAMPAIGN (clue, inspection or document → campaign), TARGET (campaign → institution), LEAD (campaign → lead department), ' +
      'a case relation kind or a person relation kind.',
  })
  kind: string;
}

/** 案件关系图: nodes and edges around a root, only what the caller may see. */
@ObjectType('CaseGraph')
export class CaseGraph {
  @Field(() => [GraphNode])
  nodes: GraphNode[];

  @Field(() => [GraphEdge])
  edges: GraphEdge[];

  @Field({ description: 'True when the node limit stopped the expansion.' })
  truncated: boolean;
}
