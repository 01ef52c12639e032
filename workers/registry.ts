import { collisionQueue } from './collision.processor';
import { maintenanceQueue } from './maintenance.processor';
import { QueueDefinition } from './queue-definition';
import { routingQueue } from './routing.processor';

/** Every queue a worker process hosts; a new queue is one processor file and one line here. */
export const QUEUE_DEFINITIONS: QueueDefinition[] = [maintenanceQueue, routingQueue, collisionQueue];
