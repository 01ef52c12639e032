/** Moved to src/events/pubsub.ts; this re-export keeps the imports of unmerged branches working. */
export * from '../events/pubsub';
