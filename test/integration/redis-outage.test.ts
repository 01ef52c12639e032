/**
 * Redis down or restarting (found by the fault campaign, bench/faults): a live event published
 * after a committed change, while Redis could not take it, was an unhandled rejection inside the
 * event target — and ended the API process. It is now reported to the bus's error handler.
 */
import Redis from 'ioredis';
import { createEventBus } from '../../src/events/pubsub';

describe('live events while Redis is down', () => {
  it('a failed publish is reported, not left unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    // A port nothing listens on, and the API's settings for its command client.
    const options = { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null };
    const publisher = new Redis('redis://127.0.0.1:1', options);
    const subscriber = new Redis('redis://127.0.0.1:1', { ...options, enableOfflineQueue: true });
    publisher.on('error', () => undefined);
    subscriber.on('error', () => undefined);
    const errors: Error[] = [];
    try {
      const bus = createEventBus(publisher, subscriber, 'outage', (error) => errors.push(error));
      bus.publish('clueAssigned', { clueId: 'c', departmentId: 'd' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/writeable|closed|ECONNREFUSED/i)]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      publisher.disconnect();
      subscriber.disconnect();
    }
  });
});
