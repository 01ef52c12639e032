/**
 * Live events for GraphQL subscriptions, carried over Redis pub/sub so that every API
 * process delivers them. Payloads are ids only; each subscriber re-reads the entity under
 * its own visibility rules. Delivery is best effort: a failed publish is logged, never
 * fails the change that caused it (that change is already committed).
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from '@graphql-yoga/subscription';
import type Redis from 'ioredis';

export interface LiveEvents {
  /** A clue was routed or transferred to a department. */
  clueAssigned: { clueId: string; departmentId: string };
  /** A transfer was requested to a department. */
  transferReceived: { transferId: string; departmentId: string };
  /** A supervision item became overdue. */
  supervisionOverdue: { itemId: string };
}

export interface EventBus {
  publish<K extends keyof LiveEvents>(topic: K, payload: LiveEvents[K]): void;
  subscribe<K extends keyof LiveEvents>(topic: K): AsyncIterable<LiveEvents[K]>;
}

type Channels = Record<string, [unknown]>;

/**
 * The two clients as the event target uses them — it neither awaits nor catches what it sends
 * — with a failure (Redis down or restarting) handed to `onError` instead of left as an
 * unhandled rejection, which ends the process (found by the fault campaign, bench/faults).
 */
function tolerant(publishClient: Redis, subscribeClient: Redis, onError: (error: Error) => void) {
  const report = (error: Error) => {
    onError(error);
    return 0;
  };
  return {
    publishClient: {
      publish: (channel: string, message: string) => publishClient.publish(channel, message).catch(report),
    },
    subscribeClient: {
      on: (event: 'message', listener: (channel: string, message: string) => void) =>
        subscribeClient.on(event, listener),
      subscribe: (channel: string) => subscribeClient.subscribe(channel).catch(report),
      unsubscribe: (channel: string) => subscribeClient.unsubscribe(channel).catch(report),
    },
  };
}

export function createEventBus(
  publishClient: Redis,
  subscribeClient: Redis,
  prefix: string,
  onError: (error: Error) => void = () => undefined,
): EventBus {
  const bus = createPubSub<Channels>({
    eventTarget: createRedisEventTarget(tolerant(publishClient, subscribeClient, onError) as never) as never,
  });
  // Channels are namespaced by the queue prefix, so that deployments and test runs sharing a Redis stay apart.
  return {
    publish: (topic, payload) => bus.publish(`${prefix}:${topic}`, payload),
    subscribe: (topic) => bus.subscribe(`${prefix}:${topic}`) as AsyncIterable<never>,
  };
}

export async function publishEvent<K extends keyof LiveEvents>(
  services: { events: EventBus; log: { warn: (o: object, m: string) => void } },
  topic: K,
  payload: LiveEvents[K],
): Promise<void> {
  try {
    services.events.publish(topic, payload);
  } catch (error) {
    services.log.warn({ topic, err: (error as Error).message }, 'live event not published');
  }
}
