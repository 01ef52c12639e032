/**
 * State machines as data (after Vendure's finite-state-machine): each stateful concept
 * declares its states, events, who may fire each event and the guards, once, in
 * <concept>.machine.ts. Services ask the machine; nothing re-encodes the rules.
 */
import { AppError } from '../graphql/errors';

/**
 * Whom an event is for, relative to the entity; src/policy decides whether an actor is that
 * party. SYSTEM events are fired by workers and scheduled jobs only.
 */
export type Party =
  | 'OWNER' // a case worker (investigator, section head, leader) of the owning department
  | 'RECEIVER' // a case worker of the department a transfer is addressed to
  | 'ASSIGNEE' // a case worker of the department a supervision item is assigned to
  | 'CREATOR_LEADER' // a leader of the department that created a supervision item
  | 'SYSTEM';

export interface EventDefinition<S extends string, G> {
  label: string;
  from: readonly S[];
  /** The next state; a function when the event's input or the entity decides it. */
  to: S | ((input: G) => S);
  by: readonly Party[];
  /** Returns why the event may not happen now, or null. */
  guard?: (input: G) => string | null;
}

export interface MachineDefinition<S extends string, E extends string, G = unknown> {
  /** The GraphQL type name, also the timeline's entity_type. */
  entity: 'Clue' | 'ClueTransfer' | 'Case' | 'SupervisionItem';
  table: string;
  states: Record<S, string>;
  events: Record<E, EventDefinition<S, G>>;
}

export function defineMachine<S extends string, E extends string, G = unknown>(
  definition: MachineDefinition<S, E, G>,
): MachineDefinition<S, E, G> {
  for (const [event, def] of Object.entries(definition.events) as [E, EventDefinition<S, G>][]) {
    for (const s of def.from) {
      if (!(s in definition.states)) throw new Error(`${definition.entity}.${event}: unknown state ${s}`);
    }
    if (typeof def.to === 'string' && !(def.to in definition.states)) {
      throw new Error(`${definition.entity}.${event}: unknown target ${def.to}`);
    }
  }
  return definition;
}

export const stateLabel = <S extends string>(m: MachineDefinition<S, string, never>, s: S): string =>
  `${s} (${m.states[s]})`;

/** The events that may fire from `state` for a caller who is each of `parties`. */
export function allowedEvents<S extends string, E extends string, G>(
  machine: MachineDefinition<S, E, G>,
  state: S,
  parties: ReadonlySet<Party>,
): E[] {
  return (Object.entries(machine.events) as [E, EventDefinition<S, G>][])
    .filter(([, def]) => def.from.includes(state) && def.by.some((p) => parties.has(p)))
    .map(([event]) => event);
}

/**
 * Checks an event against the caller's parties, the current state and the guard, and
 * returns the next state. FORBIDDEN when the caller is not a party the event is for (checked
 * first); INVALID_TRANSITION, naming the current state, when a party fires it in the wrong state.
 */
export function nextState<S extends string, E extends string, G>(
  machine: MachineDefinition<S, E, G>,
  state: S,
  event: E,
  parties: ReadonlySet<Party>,
  input: G,
): S {
  const def = machine.events[event];
  if (!def) throw new AppError('INVALID_TRANSITION', `${machine.entity} has no event ${event}`);
  // Who before when: a caller who may never fire the event is denied (FORBIDDEN, audited)
  // whatever the state, e.g. a transfer's receiver starting the verification of a pending clue.
  if (!def.by.some((p) => parties.has(p))) {
    throw new AppError('FORBIDDEN', `${event} (${def.label}) is for ${def.by.join(' or ').toLowerCase()} only`);
  }
  if (!def.from.includes(state)) {
    throw new AppError(
      'INVALID_TRANSITION',
      `${machine.entity} is ${state} (${machine.states[state]}): ${event} (${def.label}) is allowed only from ${def.from.join(', ')}`,
      { currentState: state },
    );
  }
  const refusal = def.guard?.(input);
  if (refusal) {
    throw new AppError('INVALID_TRANSITION', `${machine.entity} is ${state} (${machine.states[state]}): ${refusal}`, {
      currentState: state,
    });
  }
  return typeof def.to === 'function' ? def.to(input) : def.to;
}
