/**
 * Per-request batch loaders for the fields of cases and supervision items: each field runs
 * one query per request, whatever the number of parents. Created lazily, keyed by the
 * request context, so that they live and die with the request like the shared loaders.
 */
import DataLoader from 'dataloader';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { Actor } from '../../policy';

const registry = new WeakMap<GraphQLContext, Map<string, DataLoader<string, unknown>>>();

function perRequest<V>(ctx: GraphQLContext, name: string, create: () => DataLoader<string, V>): DataLoader<string, V> {
  let loaders = registry.get(ctx);
  if (!loaders) {
    loaders = new Map();
    registry.set(ctx, loaders);
  }
  let loader = loaders.get(name) as DataLoader<string, V> | undefined;
  if (!loader) {
    loader = create();
    loaders.set(name, loader as DataLoader<string, unknown>);
  }
  return loader;
}

type Db = GraphQLContext['services']['db'];

/** Many rows per key (e.g. the sanctions of a case). */
export function groupLoader<R>(
  ctx: GraphQLContext,
  name: string,
  load: (db: Db, actor: Actor, keys: readonly string[]) => Promise<R[]>,
  keyOf: (row: R) => string,
): DataLoader<string, R[]> {
  return perRequest(
    ctx,
    name,
    () =>
      new DataLoader<string, R[]>(async (keys) => {
        const groups = new Map<string, R[]>(keys.map((k) => [k, []]));
        for (const row of await load(ctx.services.db, requireActor(ctx), keys)) groups.get(keyOf(row))?.push(row);
        return keys.map((k) => groups.get(k) ?? []);
      }),
  );
}

/** At most one row per key (e.g. a visible case by id); absent keys load null. */
export function rowLoader<R>(
  ctx: GraphQLContext,
  name: string,
  load: (db: Db, actor: Actor, keys: readonly string[]) => Promise<R[]>,
  keyOf: (row: R) => string,
): DataLoader<string, R | null> {
  return perRequest(
    ctx,
    name,
    () =>
      new DataLoader<string, R | null>(async (keys) => {
        const found = new Map((await load(ctx.services.db, requireActor(ctx), keys)).map((r) => [keyOf(r), r]));
        return keys.map((k) => found.get(k) ?? null);
      }),
  );
}
