import { GraphiQL, GraphiQLProps } from 'graphiql';
import 'graphiql/style.css';
import { buildSchema, getOperationAST, GraphQLSchema, parse } from 'graphql';
import { useEffect, useMemo, useState } from 'react';
import { fetchSchemaSdl, token, wsClient } from '../api';

const DEFAULT_QUERY = `# 查询台：在此编写 GraphQL 查询，登录令牌自动附加。
# 左侧"文档"图标可查看本 API 的完整字段说明。
query Me {
  me { username displayName roles department { name region { name } } }
  unreadNotificationCount
}
`;

/** Queries and mutations over HTTP, subscriptions over graphql-ws, both with the login token. */
const fetcher: GraphiQLProps['fetcher'] = (params) => {
  let kind: string | undefined;
  try {
    kind = getOperationAST(parse(params.query), params.operationName ?? undefined)?.operation;
  } catch {
    kind = undefined;
  }
  if (kind === 'subscription') {
    return wsClient().iterate({
      query: params.query,
      variables: params.variables ?? undefined,
      operationName: params.operationName ?? undefined,
    }) as never;
  }
  return fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token() ?? ''}` },
    body: JSON.stringify(params),
  }).then((r) => r.json());
};

/**
 * GraphiQL, bundled (no CDN). The schema comes from /console/schema.graphql, which answers
 * only to the roles CONSOLE_GRAPHIQL admits — production turns introspection off.
 */
export function GraphiqlPage() {
  const [sdl, setSdl] = useState<string | null>(null);
  const [error, setError] = useState<{ message: string; code?: string } | null>(null);
  useEffect(() => {
    fetchSchemaSdl().then(setSdl, (e: { message: string; code?: string }) => setError(e));
  }, []);
  const schema = useMemo<GraphQLSchema | null>(() => (sdl ? buildSchema(sdl) : null), [sdl]);
  if (error) {
    return (
      <div className="panel notice" data-testid="graphiql-refused">
        <h2>查询台不可用</h2>
        <p>
          {error.code === 'FORBIDDEN'
            ? '本部署只向系统管理员和数据分析员开放 GraphiQL 查询台（CONSOLE_GRAPHIQL）。'
            : error.message}
        </p>
      </div>
    );
  }
  if (!schema) return <p className="muted">正在加载接口说明…</p>;
  return (
    <div className="graphiql-host" data-testid="graphiql">
      <GraphiQL
        fetcher={fetcher}
        schema={schema}
        defaultQuery={DEFAULT_QUERY}
        isHeadersEditorEnabled={false}
        shouldPersistHeaders={false}
        defaultTheme="light"
      />
    </div>
  );
}
