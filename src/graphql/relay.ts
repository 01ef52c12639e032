import 'reflect-metadata';
/** The Relay `Node` interface and connection types of the schema (ids: src/core/ids.ts; paging: src/core/pagination.ts). */
import { ClassType, Field, ID, Int, InterfaceType, ObjectType } from 'type-graphql';
import { GraphQLResolveInfo, Kind, SelectionNode } from 'graphql';
import { Connection, DEFAULT_PAGE_SIZE } from '../core/pagination';

/**
 * Descriptions of the arguments every paged list and every versioned mutation repeat: written
 * once here and used as `{ nullable: true, description: ARG.first }`.
 */
export const ARG = {
  first: `每页条数 (page size)：缺省 ${DEFAULT_PAGE_SIZE}；超过服务器上限（GRAPHQL_MAX_PAGE_SIZE，默认 100）时按上限返回，不报错；负数报 BAD_USER_INPUT。`,
  after: '游标 (cursor)：传上一页的 pageInfo.endCursor 取下一页；格式不对报 BAD_USER_INPUT。',
  expectedVersion:
    '乐观锁 (optimistic locking)：期望的当前版本号 (version)；与实际不符报 VERSION_CONFLICT（extensions.currentVersion 为当前版本），省略则不检查。',
} as const;

@InterfaceType({
  description: '有全局编号的对象 (Node)，可用 node(id:) 获取。An object with a global id, fetchable with node(id:).',
  resolveType: (value: { __typename?: string }) => value.__typename,
})
export abstract class Node {
  @Field(() => ID, { description: '全局编号 (global id)：不透明字符串，用于 node(id:) 和各 ID 参数。' })
  id: string;
}

@ObjectType({ description: '分页信息 (Relay PageInfo)：只支持向后翻页 (first/after)。' })
export class PageInfo {
  @Field({ description: '是否还有下一页 (has next page)。' })
  hasNextPage: boolean;

  @Field({ description: '是否有上一页：用 after 翻到的页为 true。' })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true, description: '本页第一条的游标 (cursor)；空页为 null。' })
  startCursor: string | null;

  @Field(() => String, { nullable: true, description: '本页最后一条的游标：作为 after 传入取下一页；空页为 null。' })
  endCursor: string | null;
}

/** Builds `XEdge` and `XConnection` object types for a node type. */
export function ConnectionType<T extends object>(node: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { description: `${name} 列表的一条 (edge)：节点及其游标。` })
  class Edge {
    @Field({ description: '该条的游标 (cursor)，不透明字符串，可作为 after 传入。' })
    cursor: string;

    @Field(() => node, { description: `该条的 ${name}。` })
    node: T;
  }

  @ObjectType(`${name}Connection`, { description: `${name} 分页列表 (Relay connection)。` })
  class ConnectionClass implements Connection<T> {
    @Field(() => [Edge], { description: '本页各条，按列表规定的顺序。' })
    edges: Edge[];

    @Field(() => PageInfo, { description: '分页信息 (page info)。' })
    pageInfo: PageInfo;

    @Field(() => Int, { description: '符合条件（含筛选）的总条数 (total count)，与分页无关。' })
    totalCount: number;
  }
  return ConnectionClass;
}

/** A page of rows as the connection of their GraphQL nodes (cursors, page info and count kept). */
export function connectionOf<Row, NodeType>(
  page: Connection<Row>,
  toNode: (row: Row) => NodeType,
): Connection<NodeType> {
  return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: toNode(e.node) })) };
}

/**
 * Whether the field being resolved selects `name` among its direct fields (under any alias,
 * inline fragment or named fragment): e.g. a list counts its rows only when totalCount is
 * asked for. A field under @skip/@include counts as selected (at worst, work for nothing).
 */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const selects = (selections: readonly SelectionNode[]): boolean =>
    selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === name;
      if (selection.kind === Kind.INLINE_FRAGMENT) return selects(selection.selectionSet.selections);
      const fragment = info.fragments[selection.name.value];
      return fragment ? selects(fragment.selectionSet.selections) : false;
    });
  return info.fieldNodes.some((node) => node.selectionSet !== undefined && selects(node.selectionSet.selections));
}
