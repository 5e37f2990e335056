import type { PlacementStrategy } from "@aws-sdk/client-ecs";

/**
 * Which tasks a service stops when it scales in, by its placement strategies, as ECS picks them:
 * `spread` stops from the value of the field (Availability Zone, instance, any attribute) that
 * has the most of the service's tasks, so the spread stays balanced; `binpack` stops the task
 * whose instance has the most of the resource left once it is gone, so whole instances empty
 * and the fuller ones stay full; `random` does not choose. Strategies apply in order, each one
 * choosing among the tasks the ones before left tied; tasks not yet healthy always go first.
 * The order is built one task at a time, each pick counted before the next, so the first n of
 * it are the n to stop.
 */

export interface ScaleInTask {
  arn: string;
  instanceId: string;
  healthy: boolean;
  /** What the task holds on its instance. */
  cpu: number;
  memory: number;
  /** When it started (epoch ms): among tasks no strategy tells apart, the youngest goes first. */
  startedAt?: number;
}

export interface ScaleInInstance {
  attributes: Record<string, string | undefined>;
  /** CPU units and MiB left on the instance now. */
  free: { cpu: number; memory: number };
}

export function scaleInOrder(
  tasks: ScaleInTask[],
  strategies: readonly PlacementStrategy[],
  instances: Map<string, ScaleInInstance>,
): string[] {
  const left = [...tasks].sort(
    (a, b) => (b.startedAt ?? Number.MAX_SAFE_INTEGER) - (a.startedAt ?? Number.MAX_SAFE_INTEGER),
  );
  const free = new Map([...instances].map(([id, i]) => [id, { ...i.free }]));
  const order: string[] = [];
  while (left.length > 0) {
    const unhealthy = left.filter((t) => !t.healthy);
    let candidates = unhealthy.length > 0 ? unhealthy : left;
    for (const strategy of strategies) candidates = narrow(candidates, left, strategy, instances, free);
    const pick = candidates[0];
    order.push(pick.arn);
    left.splice(left.indexOf(pick), 1);
    const room = free.get(pick.instanceId);
    if (room) {
      room.cpu += pick.cpu;
      room.memory += pick.memory;
    }
  }
  return order;
}

/** The candidates a strategy prefers to stop: those with the highest score. */
function narrow(
  candidates: ScaleInTask[],
  left: ScaleInTask[],
  strategy: PlacementStrategy,
  instances: Map<string, ScaleInInstance>,
  free: Map<string, { cpu: number; memory: number }>,
): ScaleInTask[] {
  let score: (t: ScaleInTask) => number;
  if (strategy.type === "spread") {
    // Counted over every task still running, not only the candidates: the balance is the service's.
    const bucketOf = spreadValue(strategy.field ?? "", instances);
    const counts = new Map<string, number>();
    for (const t of left) counts.set(bucketOf(t), (counts.get(bucketOf(t)) ?? 0) + 1);
    score = (t) => counts.get(bucketOf(t)) ?? 0;
  } else if (strategy.type === "binpack") {
    const resource = strategy.field?.toLowerCase() === "cpu" ? "cpu" : "memory";
    score = (t) => (free.get(t.instanceId)?.[resource] ?? 0) + t[resource];
  } else {
    return candidates;
  }
  const best = Math.max(...candidates.map(score));
  return candidates.filter((t) => score(t) === best);
}

/** A task's value for a spread field: its instance, or the instance's attribute ("missing" when absent). */
function spreadValue(field: string, instances: Map<string, ScaleInInstance>): (t: ScaleInTask) => string {
  if (["instanceid", "host"].includes(field.toLowerCase())) return (t) => t.instanceId;
  const name = field.slice("attribute:".length);
  return (t) => {
    const attributes = instances.get(t.instanceId)?.attributes ?? {};
    // A prefix no attribute value can carry keeps "missing" apart from an empty value.
    return Object.hasOwn(attributes, name) ? `=${attributes[name] ?? ""}` : "missing";
  };
}
