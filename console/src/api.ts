/** The console's only way to the server: /graphql on this origin, with the login token. */
import { Client, createClient } from 'graphql-ws';

export interface SessionUser {
  username: string;
  displayName: string;
  roles: string[];
  department: { id: string; name: string; kind: string; region: { code: string; name: string } };
}

const TOKEN = 'fs-console.token';
const USER = 'fs-console.user';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const listeners = new Set<Listener>();
export const onSessionChange = (listener: Listener): (() => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export function token(): string | null {
  return sessionStorage.getItem(TOKEN);
}

export function currentUser(): SessionUser | null {
  const raw = sessionStorage.getItem(USER);
  return raw ? (JSON.parse(raw) as SessionUser) : null;
}

let ws: Client | null = null;

export function signOut(): void {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(USER);
  ws?.dispose();
  ws = null;
  listeners.forEach((l) => l());
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const t = token();
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(t ? { authorization: `Bearer ${t}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length) {
    const [first] = body.errors;
    if (first.extensions?.code === 'UNAUTHENTICATED' && t) signOut();
    throw new ApiError(first.message, first.extensions?.code);
  }
  return body.data as T;
}

const LOGIN = `mutation($u: String!, $p: String!) {
  login(username: $u, password: $p) {
    token
    user { username displayName roles department { id name kind region { code name } } }
  }
}`;

export async function signIn(username: string, password: string): Promise<SessionUser> {
  const { login } = await gql<{ login: { token: string; user: SessionUser } }>(LOGIN, { u: username, p: password });
  sessionStorage.setItem(TOKEN, login.token);
  sessionStorage.setItem(USER, JSON.stringify(login.user));
  listeners.forEach((l) => l());
  return login.user;
}

/** graphql-ws on this origin's /graphql, authenticated like HTTP (connectionParams). */
export function wsClient(): Client {
  ws ??= createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: () => ({ authorization: `Bearer ${token() ?? ''}` }),
    lazy: true,
    retryAttempts: 1000,
    shouldRetry: () => token() !== null,
  });
  return ws;
}

export function subscribe<T>(query: string, onData: (data: T) => void): () => void {
  return wsClient().subscribe<T>(
    { query },
    {
      next: (result) => result.data && onData(result.data as T),
      error: () => undefined,
      complete: () => undefined,
    },
  );
}

/** The schema GraphiQL documents, for the roles CONSOLE_GRAPHIQL admits. */
export async function fetchSchemaSdl(): Promise<string> {
  const response = await fetch('/console/schema.graphql', { headers: { authorization: `Bearer ${token() ?? ''}` } });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string; code?: string };
    throw new ApiError(body.error ?? response.statusText, body.code);
  }
  return response.text();
}

/** Display labels of the API's enums (enumLabels), loaded once. */
let labels: Promise<Map<string, string>> | null = null;
export function enumLabels(): Promise<Map<string, string>> {
  labels ??= gql<{ enumLabels: { enum: string; value: string; label: string }[] }>(
    '{ enumLabels { enum value label } }',
  ).then((r) => new Map(r.enumLabels.map((l) => [`${l.enum}.${l.value}`, l.label])));
  return labels;
}
