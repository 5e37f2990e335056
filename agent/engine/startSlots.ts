import type { ContainerRuntime } from "../runtime/types.ts";

/**
 * How many container creates and starts the engine has Docker work on at once. Docker does a
 * start's work (cgroups, the bridge's veth, runc) on the host's cores whatever the number asked
 * at once, so asking for more only makes each one wait longer; too few leave it idle between
 * calls. Measured on a 2-core host (bench:service-scale, 50 tasks, two rounds at load 7–21):
 * 0 → 50 RUNNING in 16.7/22.8 s with 2 slots, 18.3/17.5 s with 4, 11.0/15.0 s with 8,
 * 14.1/18.0 s with 16, 16.2/20.7 s unbounded (one start then took 5–13 s).
 */
export const START_SLOTS = 8;

/**
 * The runtime with its creates and starts taking turns for `size` slots. A start goes before
 * any create waiting: a task whose container exists is nearer RUNNING than one that has none, so
 * a burst of tasks comes up one after another rather than all at the end. Stops, pulls and the
 * rest go straight through: a stop can wait out a 30-second timeout, and must not hold up the
 * starts of other tasks.
 */
export function withStartSlots(runtime: ContainerRuntime, size = START_SLOTS): ContainerRuntime {
  let free = size;
  const waiting = { start: [] as (() => void)[], create: [] as (() => void)[] };
  const inSlot = async <T>(kind: keyof typeof waiting, call: () => Promise<T>): Promise<T> => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting[kind].push(resolve));
    try {
      return await call();
    } finally {
      // The slot passes straight to the next in line, or is freed.
      const next = waiting.start.shift() ?? waiting.create.shift();
      if (next) next();
      else free++;
    }
  };
  const slotted: Partial<ContainerRuntime> = {
    createContainer: (spec) => inSlot("create", () => runtime.createContainer(spec)),
    startContainer: (id) => inSlot("start", () => runtime.startContainer(id)),
  };
  // Every other method is the runtime's own, called on it (a runtime may be a class instance).
  return new Proxy(runtime, {
    get: (target, key) => slotted[key as keyof ContainerRuntime] ?? Reflect.get(target, key, target),
  });
}
