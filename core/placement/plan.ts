/**
 * ECS task placement as a chain of small stages, in the manner of Nomad's scheduler stack.
 *
 * Placing `count` tasks is `count` rounds of the same chain. Each round sees what earlier rounds
 * took (remaining resources, tasks of the group now on the instance, spread counts), so placing 3
 * tasks may put 2 on one instance, and `distinctInstance` keeps the 3 apart. The plan is only a
 * proposal: the caller commits it with a conditional write per instance and re-plans on conflict.
 *
 * The stage order follows the process the ECS developer guide describes ("Amazon ECS task
 * placement"): instances that can take tasks at all, then CPU/memory/port fit, then placement
 * constraints, then strategies, then select. A rejected instance carries the reason of the first
 * stage that rejected it, so an instance that is both full and outside a `memberOf` reports
 * `RESOURCE:*`, as ECS's own order implies.
 *
 * Reasons are ECS's: `INACTIVE` and `AGENT` ("API failure reasons"), `ATTRIBUTE` for a task
 * definition's `requiresAttributes`, `RESOURCE:CPU|MEMORY|PORTS|PORTS_UDP`, and for constraints the
 * sentences ECS returns in RunTask failures: "MemberOf placement constraint unsatisfied." and
 * "DistinctInstance placement constraint unsatisfied.".
 *
 * Randomness (the `random` strategy and tie-breaks) comes only from `request.random`, drawn in a
 * fixed order over candidates sorted by ARN, so the same seed and instances give the same plan.
 */
import type { PlacementConstraint, PlacementStrategy } from "@aws-sdk/client-ecs";
import type { ContainerInstanceRecord } from "../model/records.ts";
import type { Remaining } from "../model/resourceList.ts";
import { invalidParameter } from "../protocol/errors.ts";
import { attributeNamed } from "./attributes.ts";
import { remaining, reserve, shortfallIn } from "./capacity.ts";
import { compileQuery } from "./query.ts";
import type { Candidate, PlacementFailure, PlacementPlan, PlacementRequest, ResidentTask } from "./types.ts";

export { mulberry32, newSeed } from "./random.ts";

/** The failure reasons placement reports. */
export const REASONS = {
  inactive: "INACTIVE",
  agent: "AGENT",
  attribute: "ATTRIBUTE",
  memberOf: "MemberOf placement constraint unsatisfied.",
  distinctInstance: "DistinctInstance placement constraint unsatisfied.",
} as const;

/** ECS's limits: constraints count those of the task definition too. */
export const MAX_CONSTRAINTS = 10;
export const MAX_STRATEGIES = 5;

/** RunTask without a strategy places tasks randomly (developer guide, "Scheduling Amazon ECS tasks");
 * planPlacement applies this when `request.strategies` is empty. */
export const RUN_TASK_DEFAULT_STRATEGIES: readonly PlacementStrategy[] = [{ type: "random" }];
/** A service without a strategy spreads over Availability Zones (developer guide, "task placement
 * strategies"); the service scheduler passes this explicitly. */
export const SERVICE_DEFAULT_STRATEGIES: readonly PlacementStrategy[] = [
  { type: "spread", field: "attribute:ecs.availability-zone" },
];

// ---------------------------------------------------------------------------------------------
// The plan

/** A candidate while the plan is being made. */
interface Slot {
  arn: string;
  /** The record as passed in: what `placements` reports. */
  read: ContainerInstanceRecord;
  /** The record and tasks with this plan's placements so far applied. */
  now: Candidate;
  /** `now`'s remaining resources, read once per change rather than once per look. */
  left: Remaining;
  /** Set by a stage whose answer cannot change during the plan. */
  rejected?: Rejection;
  /**
   * The per-round checks' answer (null: fits), made again only when the plan places a task on this slot:
   * fit and constraints read only the slot's own record and tasks, which nothing else changes.
   */
  verdict?: Rejection | null;
  /** Position in ARN order. */
  index: number;
  /** Position in a seeded shuffle: the last tie-break. */
  tieBreak: number;
}

interface Rejection {
  reason: string;
  detail?: string;
}

/** A feasibility stage: undefined lets the slot through. */
type Check = (slot: Slot) => Rejection | undefined;

/** A ranking stage: lower keys are preferred. `placed` lets it count what the plan took. */
interface Rank {
  key: (slot: Slot) => number;
  placed?: (slot: Slot) => void;
}

export function planPlacement(candidates: Candidate[], request: PlacementRequest): PlacementPlan {
  const random = request.random;

  // Source: candidates in ARN order, so that draws from `random` do not depend on the order the
  // store returned them in. A seeded shuffle gives each a tie-break rank, drawn once, so that equal
  // instances are not always chosen in ARN order (Nomad's randomized source iterator, for the same
  // reason: spread load and reduce collisions between concurrent planners).
  const slots: Slot[] = candidates
    .map((c) => ({
      arn: arnOf(c.record),
      read: c.record,
      now: { record: c.record, tasks: c.tasks },
      left: remaining(c.record),
      tieBreak: 0,
      index: 0,
    }))
    .sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  slots.forEach((slot, i) => {
    slot.index = i;
  });
  shuffle(
    slots.map((_, i) => i),
    random,
  ).forEach((position, i) => {
    slots[i].tieBreak = position;
  });

  // (a) Eligibility: status, agent, the task definition's required attributes. First because
  // nothing else matters on an instance that cannot run the task at all, and the reason a user needs
  // then is "deregistered" or "agent down", not "full". None of them changes while we plan, so they
  // run once per instance rather than once per round (Nomad caches such checks per node class).
  const once: Check[] = [active, agentConnected, requiredAttributes(request)];
  for (const slot of slots) slot.rejected = first(once, slot);

  // (b) Resource fit, then (c) constraints: both re-run on an instance each time the plan places a
  // task there, since that changes what is left on it and which group tasks it holds (and nothing
  // else does: they read the instance's own record and tasks only). Fit comes before constraints, the
  // order ECS documents; constraints run in the order given (request's, then task definition's).
  const each: Check[] = [fitsDemand(request), ...request.constraints.map((c) => constraint(c, request))];

  // (d) Strategies, in order: a later one only breaks ties of the earlier ones; the seeded
  // tie-break settles whatever ties remain.
  const strategies = request.strategies.length > 0 ? request.strategies : RUN_TASK_DEFAULT_STRATEGIES;
  const ranks = strategies.map((s) => strategy(s, slots, request));

  const placements: ContainerInstanceRecord[] = [];
  let failures: PlacementFailure[] = [];
  // The feasible slots in ARN order. A round changes only the chosen slot, so only its checks run
  // again for the next round (the verdicts say so too): it stays or leaves, the others stay put.
  const feasible: Slot[] = [];
  for (const slot of slots) {
    slot.verdict = slot.rejected ?? first(each, slot) ?? null;
    if (!slot.verdict) feasible.push(slot);
  }
  for (let n = 0; n < request.count; n++) {
    // No instance can take this task: the rest cannot be placed either, for the same reasons.
    if (feasible.length === 0) {
      failures = slots.map((slot) => ({ arn: slot.arn, ...(slot.verdict as Rejection) }));
      break;
    }
    // (e) Select the best by the strategies' keys, then commit it into the working state so the
    // next round sees it.
    const chosen = select(feasible, ranks);
    place(chosen, request);
    for (const rank of ranks) rank.placed?.(chosen);
    placements.push(chosen.read);
    chosen.verdict = chosen.rejected ?? first(each, chosen) ?? null;
    if (chosen.verdict) feasible.splice(feasible.indexOf(chosen), 1);
  }
  return { placements, failures };
}

function first(checks: Check[], slot: Slot): Rejection | undefined {
  for (const check of checks) {
    const why = check(slot);
    if (why) return why;
  }
  return undefined;
}

function select(feasible: Slot[], ranks: Rank[]): Slot {
  // Keys are computed for every feasible slot in ARN order, so `random` is drawn the same way each
  // time; into one reused array, as this runs for every instance on every round.
  let best = feasible[0];
  let bestKeys = ranks.map((r) => r.key(best));
  const keys = new Array<number>(ranks.length);
  for (let i = 1; i < feasible.length; i++) {
    const slot = feasible[i];
    for (let k = 0; k < ranks.length; k++) keys[k] = ranks[k].key(slot);
    if (before(slot, keys, best, bestKeys)) {
      best = slot;
      bestKeys = [...keys];
    }
  }
  return best;
}

function before(a: Slot, aKeys: number[], b: Slot, bKeys: number[]): boolean {
  for (let i = 0; i < aKeys.length; i++) {
    if (aKeys[i] !== bKeys[i]) return aKeys[i] < bKeys[i];
  }
  return a.tieBreak < b.tieBreak;
}

/** Applies one placement to the working state: the demand's resources, and one more task of the group. */
function place(slot: Slot, request: PlacementRequest): void {
  const task: ResidentTask = {
    group: request.group,
    taskDefinitionArn: request.taskDefinitionArn,
    lastStatus: "PROVISIONING",
  };
  const record = reserve(slot.now.record, request.demand);
  slot.now = { record, tasks: [...slot.now.tasks, task] };
  slot.left = remaining(record);
}

// ---------------------------------------------------------------------------------------------
// (a) Eligibility stages

const active: Check = (slot) => {
  const status = slot.now.record.instance.status ?? "ACTIVE";
  // DRAINING, INACTIVE, REGISTERING, ... take no new tasks. ECS documents INACTIVE for a
  // deregistered instance; for the others it is silent, so they report INACTIVE with the status in
  // the detail.
  return status === "ACTIVE" ? undefined : { reason: REASONS.inactive, detail: `Container instance is ${status}.` };
};

const agentConnected: Check = (slot) =>
  slot.now.record.instance.agentConnected === true
    ? undefined
    : { reason: REASONS.agent, detail: "The container agent is disconnected." };

function requiredAttributes(request: PlacementRequest): Check {
  const required = request.requiredAttributes ?? [];
  return (slot) => {
    const own = slot.now.record.instance.attributes;
    for (const need of required) {
      const found = attributeNamed(own, need.name as string);
      if (!found || (need.value !== undefined && found.value !== need.value)) {
        const wanted = need.value === undefined ? `${need.name}` : `${need.name}=${need.value}`;
        return { reason: REASONS.attribute, detail: `Missing attribute ${wanted}.` };
      }
    }
    return undefined;
  };
}

// ---------------------------------------------------------------------------------------------
// (b) Resource fit

function fitsDemand(request: PlacementRequest): Check {
  return (slot) => shortfallIn(slot.left, request.demand);
}

// ---------------------------------------------------------------------------------------------
// (c) Constraints

function constraint(c: PlacementConstraint, request: PlacementRequest): Check {
  checkConstraint(c);
  if (c.type === "memberOf") {
    const expression = c.expression as string;
    const member = compileQuery(expression);
    return (slot) =>
      member(slot.now) ? undefined : { reason: REASONS.memberOf, detail: `Not a member of: ${expression}` };
  }
  // distinctInstance: no two tasks of the group on one instance. Tasks of the group already running
  // there count, not only those of this plan: the API reference says "each task in a particular group
  // is running on a different container instance", and users report ECS refusing such an instance
  // with this reason (a second RunTask of the group; blue/green deployments of a service using it).
  const group = request.group;
  return (slot) =>
    slot.now.tasks.some((t) => t.group === group)
      ? { reason: REASONS.distinctInstance, detail: `Already runs a task of group ${group}.` }
      : undefined;
}

// ---------------------------------------------------------------------------------------------
// (d) Strategies

function strategy(s: PlacementStrategy, slots: Slot[], request: PlacementRequest): Rank {
  checkStrategy(s);
  if (s.type === "random") return { key: () => request.random() };
  if (s.type === "binpack") {
    // Least remaining of the resource first: fill the fullest instance that still fits the task.
    const field = (s.field as string).toLowerCase();
    return { key: (slot) => (field === "cpu" ? slot.left.cpu : slot.left.memory) };
  }
  // spread: fewest tasks of the group per value of the field first. Counts cover every candidate,
  // eligible or not (tasks on a full instance still sit in its Availability Zone), and grow as this
  // plan places tasks. An instance's attributes do not change during a plan: each value is read once.
  // Each slot's value as a number, and a count per value: looked up for every slot every round.
  const spreadOf = spreadValue(s.field as string);
  const values = new Map<string | symbol, number>();
  const bucket = slots.map((slot) => {
    const value = spreadOf(slot);
    if (!values.has(value)) values.set(value, values.size);
    return values.get(value) as number;
  });
  const counts = new Array<number>(values.size).fill(0);
  for (const slot of slots) {
    let mine = 0;
    for (const t of slot.now.tasks) if (t.group === request.group) mine++;
    counts[bucket[slot.index]] += mine;
  }
  return {
    key: (slot) => counts[bucket[slot.index]],
    placed: (slot) => {
      counts[bucket[slot.index]]++;
    },
  };
}

/**
 * The value an instance has for a spread field. Instances without the attribute share one bucket,
 * apart from an empty value's. The stored string itself, not one made from it: its hash, which
 * the bucket lookup needs, is then worked out once per decoded record, not on every launch.
 */
function spreadValue(field: string): (slot: Slot) => string | symbol {
  if (isInstanceField(field)) return (slot) => slot.arn;
  const name = field.slice("attribute:".length);
  return (slot) => {
    const found = attributeNamed(slot.now.record.instance.attributes, name);
    return found ? (found.value ?? "") : MISSING;
  };
}

const MISSING = Symbol("no such attribute");

const isInstanceField = (field: string) => ["instanceid", "host"].includes(field.toLowerCase());

// ---------------------------------------------------------------------------------------------
// Validation

/**
 * ECS's rules for placement constraints and strategies, as InvalidParameterException. Pass the
 * request's constraints together with the task definition's: the limit of 10 counts both.
 */
export function validatePlacement(
  constraints: readonly PlacementConstraint[] = [],
  strategies: readonly PlacementStrategy[] = [],
): void {
  if (constraints.length > MAX_CONSTRAINTS) {
    throw invalidParameter(
      `Too many placement constraints: ${constraints.length} given, the maximum is ${MAX_CONSTRAINTS} (including those of the task definition).`,
    );
  }
  if (strategies.length > MAX_STRATEGIES) {
    throw invalidParameter(
      `Too many placement strategies: ${strategies.length} given, the maximum is ${MAX_STRATEGIES}.`,
    );
  }
  for (const c of constraints) {
    checkConstraint(c);
    if (c.type === "memberOf") compileQuery(c.expression as string);
  }
  for (const s of strategies) checkStrategy(s);
}

function checkConstraint(c: PlacementConstraint): void {
  switch (c.type) {
    case "distinctInstance":
      // ECS's own words; it rejects even an empty expression.
      if (c.expression !== undefined && c.expression !== null) {
        throw invalidParameter("distinctInstance expression should not be specified.");
      }
      return;
    case "memberOf":
      if (typeof c.expression !== "string" || c.expression.trim() === "") {
        throw invalidParameter("memberOf expression must be specified.");
      }
      return;
    default:
      throw invalidParameter(
        `Invalid placement constraint type '${c.type ?? ""}'. Valid types: distinctInstance, memberOf.`,
      );
  }
}

function checkStrategy(s: PlacementStrategy): void {
  const field = s.field;
  switch (s.type) {
    case "random":
      if (field !== undefined && field !== null) throw invalidParameter("random field should not be specified.");
      return;
    case "binpack":
      if (typeof field !== "string" || !["cpu", "memory"].includes(field.toLowerCase())) {
        throw invalidParameter(`Invalid binpack field '${field ?? ""}'. Valid fields: cpu, memory.`);
      }
      return;
    case "spread":
      if (typeof field !== "string" || field === "") {
        throw invalidParameter("spread field must be specified: instanceId, host or attribute:<name>.");
      }
      if (!isInstanceField(field) && !(field.startsWith("attribute:") && field.length > "attribute:".length)) {
        throw invalidParameter(`Invalid spread field '${field}'. Valid fields: instanceId, host, attribute:<name>.`);
      }
      return;
    default:
      throw invalidParameter(
        `Invalid placement strategy type '${s.type ?? ""}'. Valid types: binpack, random, spread.`,
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function arnOf(record: ContainerInstanceRecord): string {
  return record.instance.containerInstanceArn ?? record.id;
}

/** Fisher–Yates with the given source: returns the items in shuffled order. */
function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
