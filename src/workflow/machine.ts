/**
 * State machines as data (after Vendure's finite-state-machine): each stateful concept
 * declares its states, its creation events, its events, who may fire each event and the
 * guards, once, in <concept>.machine.ts. Every change of a workflow entity — including
 * events that keep the state (extend a deadline, add a sanction, designate jurisdiction) — is
 * an event of its machine, executed by `applyEvent` (transition.ts). Services ask the
 * machine; nothing re-encodes its rules.
 */
import { AppError } from '../core/errors';
import type { NodeTypeName } from '../core/ids';

/**
 * Whom an event is for, relative to the entity; src/policy decides whether an actor is that
 * party. SYSTEM events are fired by workers and scheduled jobs only.
 */
export type Party =
  | 'OWNER' // a case worker (investigator, section head, leader) of the owning department
  | 'RECEIVER' // a case worker of the department a transfer is addressed to
  | 'ASSIGNEE' // a case worker of the department a supervision item is assigned to
  | 'CREATOR_LEADER' // a leader of the department that created a supervision item
  | 'SUPERVISING' // a case worker of the department that created a supervision item (督办单位)
  | 'DESIGNATOR' // a leader of the owning department or of the same-kind department above it (指定管辖)
  | 'RECTIFIER' // a case worker of the department that must rectify (整改责任单位)
  | 'SUPERVISING_LEADER' // a leader of the department that supervises a problem's rectification (销号)
  | 'OWNER_SUPERVISOR' // a section head (SUPERVISOR) of the owning department (reverses a hit's verification)
  | 'LEAD_LEADER' // a leader of a campaign's leading department (moves its phases)
  | 'CAMPAIGN_MEMBER' // a user (not ADMIN) of a campaign's leading or participating department
  | 'TEAM_MEMBER' // a member of an inspection's team (检查组成员), whatever their department
  | 'SYSTEM';

export interface EventDefinition<S extends string, G> {
  label: string;
  from: readonly S[];
  /**
   * The next state; a function when the event's input or the entity decides it; absent when
   * the event keeps the state (it is still versioned, recorded on the timeline and audited).
   */
  to?: S | ((input: G) => S);
  by: readonly Party[];
  /** Returns why the event may not happen now, or null. */
  guard?: (input: G) => string | null;
}

export interface MachineDefinition<S extends string, E extends string, G = unknown, C extends string = string> {
  /** The GraphQL type name, also the timeline's entity_type and the audit's target type. */
  entity: NodeTypeName;
  /** The table the entity lives in (quoted where it is a keyword). */
  table: string;
  /** The column holding the state, when it is not `status` (rows are read with it as `status`). */
  stateColumn?: string;
  states: Record<S, string>;
  /** How an entity comes into being: the first timeline entry (from no state). */
  creation: Record<C, { label: string; to: S }>;
  events: Record<E, EventDefinition<S, G>>;
}

export function defineMachine<S extends string, E extends string, G = unknown, C extends string = string>(
  definition: MachineDefinition<S, E, G, C>,
): MachineDefinition<S, E, G, C> {
  const known = (s: string) => s in definition.states;
  for (const [event, def] of Object.entries(definition.events) as [E, EventDefinition<S, G>][]) {
    if (!def.from.length) throw new Error(`${definition.entity}.${event}: no source state`);
    for (const s of def.from) if (!known(s)) throw new Error(`${definition.entity}.${event}: unknown state ${s}`);
    if (typeof def.to === 'string' && !known(def.to))
      throw new Error(`${definition.entity}.${event}: unknown target ${def.to}`);
  }
  for (const [event, def] of Object.entries(definition.creation) as [C, { to: S }][]) {
    if (!known(def.to)) throw new Error(`${definition.entity}.${event}: unknown initial state ${def.to}`);
  }
  return definition;
}

/** The states from which `event` may fire: for set-based SQL (`status = ANY($n)`), never a copied list. */
export const statesFiring = <S extends string, E extends string>(
  machine: MachineDefinition<S, E, never>,
  event: E,
): S[] => [...machine.events[event].from];

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
 * returns the next state (the current one for an event that keeps it). FORBIDDEN when the
 * caller is not a party the event is for (checked first); INVALID_TRANSITION, naming the
 * current state, when a party fires it in the wrong state or the guard refuses.
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
  if (def.to === undefined) return state;
  return typeof def.to === 'function' ? def.to(input) : def.to;
}
