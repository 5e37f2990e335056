/**
 * Managed scaling as ECS defines it: the CapacityProviderReservation metric is M / N × 100, N
 * the group's instances in service, M the instances needed to hold every task of the provider
 * (those running plus those waiting for room). The group is sized so the metric meets the
 * target capacity: N' = ⌈M × 100 / target⌉. A scale-out moves by at least the minimum and at
 * most the maximum scaling step; a scale-in is not bounded by the steps (the API reference says
 * so); both stay within the group's minimum and maximum size.
 */
export interface ScalingInput {
  /** Instances in service in the group. */
  inService: number;
  /** Instances the provider's tasks need. */
  needed: number;
  targetCapacity: number;
  minimumScalingStepSize: number;
  maximumScalingStepSize: number;
  /** The group's desired capacity now, and its bounds. */
  desiredCapacity: number;
  minSize: number;
  maxSize: number;
  /** Instances still warming up (launched, not yet counted): no further scale-out until they are (a scale-in does not wait). */
  warming: number;
  /** Instances in service that are not registered container instances: what they hold is unknown, so no scale-in while any. */
  unregistered: number;
}

export const reservation = (needed: number, inService: number) =>
  inService === 0 ? (needed === 0 ? 100 : 200) : (needed / inService) * 100;

/** The desired capacity managed scaling sets the group to. */
export function scaledCapacity(s: ScalingInput): number {
  const target = Math.ceil((s.needed * 100) / s.targetCapacity);
  let desired = s.desiredCapacity;
  if (target > s.inService) {
    if (s.warming > 0) return s.desiredCapacity;
    const step = Math.min(Math.max(target - s.inService, s.minimumScalingStepSize), s.maximumScalingStepSize);
    desired = Math.max(s.desiredCapacity, s.inService + step);
  } else if (target < s.inService && s.unregistered === 0) {
    desired = target;
  }
  return Math.min(Math.max(desired, s.minSize), s.maxSize);
}

/**
 * How many more instances tasks waiting for capacity need, as ECS estimates it for a scale-out:
 * the tasks grouped by their exact requirements, each group packed onto empty instances like the
 * group's (`capacity`, what one registers), as binpack would fill them; a task with a fixed host
 * port takes an instance of its own. Tasks no such instance holds are left out (none would take
 * them). The scale-out itself is then bounded by the scaling steps (scaledCapacity).
 */
export function instancesForWaiting(
  demands: { cpu: number; memory: number; ports: number[]; udpPorts: number[] }[],
  capacity: { cpu: number; memory: number },
): number {
  const groups = new Map<string, number>();
  for (const d of demands) {
    const key = JSON.stringify([d.cpu, d.memory, d.ports.length + d.udpPorts.length > 0]);
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  let instances = 0;
  for (const [key, count] of groups) {
    const [cpu, memory, ported] = JSON.parse(key) as [number, number, boolean];
    const perInstance = Math.min(
      cpu > 0 ? Math.floor(capacity.cpu / cpu) : count,
      memory > 0 ? Math.floor(capacity.memory / memory) : count,
      ported ? 1 : count,
    );
    if (perInstance > 0) instances += Math.ceil(count / perInstance);
  }
  return instances;
}
