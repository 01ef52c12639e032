/** The test client: GraphQL requests as seed users, and readers of their answers. */
import { GraphQLResponse, TestApi } from './harness';
import { tokenSource } from './workflow-fixtures';

export type Variables = Record<string, unknown>;

/** Sends `query` as the user `username` (a seed user, e.g. `yb-610302-investigator`). */
export type AsUser = <T = any>(username: string, query: string, variables?: Variables) => Promise<GraphQLResponse<T>>;

/**
 * A `gql(username, query, variables)` bound to the API, with access tokens signed once per user
 * (as login would issue them, without paying for scrypt and the login throttle).
 */
export function asUsers(t: TestApi, token: (username: string) => Promise<string> = tokenSource(t.services)): AsUser {
  return async (username, query, variables = {}) => t.gql(query, variables, await token(username));
}

/** The code (`extensions.code`) of the first error of a response; undefined when it has none. */
export const code = (response: GraphQLResponse): string | undefined => response.errors?.[0]?.extensions?.code;

/** The data of a response that must have succeeded; throws with its errors otherwise. */
export function data<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || response.data === undefined || response.data === null) {
    throw new Error(`GraphQL request failed: ${JSON.stringify(response.errors)}`);
  }
  return response.data;
}
