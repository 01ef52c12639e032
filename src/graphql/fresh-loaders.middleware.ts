import DataLoader from 'dataloader';
import { MiddlewareFn } from 'type-graphql';
import { GraphQLContext } from './context';

/**
 * A mutation changes what the loaders may have read already: each root mutation field starts
 * with empty loaders, so that its result — and the next mutation's — is read after the change.
 */
export const freshLoadersPerMutation: MiddlewareFn<GraphQLContext> = ({ context, info }, next) => {
  if (info.parentType.name === 'Mutation') {
    for (const value of Object.values(context.loaders)) {
      for (const loader of value instanceof DataLoader ? [value] : Object.values(value)) loader.clearAll();
    }
  }
  return next();
};
