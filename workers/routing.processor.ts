import { routeClue } from '../src/domain/routing/routing.service';
import { QUEUES } from '../src/queues';
import { QueueDefinition } from './queue-definition';

/** 分办 of new clues; routeClue is idempotent, so a redelivered job changes nothing. */
export const routingQueue: QueueDefinition = {
  name: QUEUES.routing,
  concurrency: 4,
  schedulers: [],
  async process(services, job) {
    return routeClue(services, String(job.data.clueId));
  },
};
