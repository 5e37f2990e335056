import type { Logger } from "../agent/log.ts";
import { type ContainerRuntime, TASK_ARN_LABEL } from "../agent/runtime/types.ts";
import { percentile } from "./stats.ts";

/**
 * Where a service's scale-up spends its time, per task: a runtime that wraps the agent's own and
 * notes when each task's container create and start began and ended, and a logger that notes when
 * the agent's syncs read the tasks placed on it and when the control plane took each report (the
 * agent's debug lines). All times are milliseconds since `origin` (performance.now()).
 */
export function taskTimeline(runtime: ContainerRuntime, log: Logger) {
  let origin = 0;
  const at = () => performance.now() - origin;
  const taskOf = new Map<string, string>();
  const marks = new Map<string, Record<string, number>>();
  const mark = (arn: string | undefined, what: string, t = at()) => {
    if (!arn) return;
    const m = marks.get(arn) ?? {};
    m[what] ??= t;
    marks.set(arn, m);
  };
  const syncs: { t: number; tasks: number }[] = [];
  let busy = 0;
  let peak = 0;
  const timed = async <T>(arn: string | undefined, what: string, call: () => Promise<T>): Promise<T> => {
    mark(arn, `${what} begun`);
    peak = Math.max(peak, ++busy);
    try {
      return await call();
    } finally {
      busy--;
      mark(arn, `${what} done`);
    }
  };

  /** Pulls and image checks name no task: their durations only. */
  const imageCalls: Record<string, number[]> = { pull: [], "image check": [] };
  const timedImage = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    const begun = performance.now();
    try {
      return await call();
    } finally {
      imageCalls[what].push(performance.now() - begun);
    }
  };

  const traced: ContainerRuntime = {
    ...runtime,
    imagePresent: (image) => timedImage("image check", () => runtime.imagePresent(image)),
    pullImage: (image) => timedImage("pull", () => runtime.pullImage(image)),
    async createContainer(spec) {
      const arn = spec.Labels?.[TASK_ARN_LABEL];
      const id = await timed(arn, "create", () => runtime.createContainer(spec));
      if (arn) taskOf.set(id, arn);
      return id;
    },
    startContainer: (id) => timed(taskOf.get(id), "start", () => runtime.startContainer(id)),
  };

  const tracedLog: Logger = {
    ...log,
    debug(message) {
      const sync = /^sync: (\d+) task/.exec(message);
      if (sync) syncs.push({ t: at(), tasks: Number(sync[1]) });
      const sent = /^reported (\S+) (\S+)$/.exec(message);
      if (sent) mark(sent[1], `${sent[2]} reported`);
    },
  };

  return {
    runtime: traced,
    log: tracedLog,
    /** Times from now on. */
    begin() {
      origin = performance.now();
      marks.clear();
      syncs.length = 0;
      peak = 0;
      for (const calls of Object.values(imageCalls)) calls.length = 0;
    },
    /** One line per step: when the first, median and last task got there, in seconds. */
    summary(): string[] {
      const steps = [
        "create begun",
        "create done",
        "start begun",
        "start done",
        "PENDING reported",
        "RUNNING reported",
      ];
      const s = (ms: number) => `${(ms / 1000).toFixed(2)}`.padStart(6);
      const lines = steps.map((step) => {
        const times = [...marks.values()]
          .flatMap((m) => (m[step] === undefined ? [] : [m[step]]))
          .sort((a, b) => a - b);
        return `    ${step.padEnd(18)} first ${s(times[0])}  median ${s(percentile(times, 50))}  last ${s(times.at(-1) ?? Number.NaN)}  (${times.length} tasks)`;
      });
      const durations = (what: string) =>
        [...marks.values()]
          .flatMap((m) => (m[`${what} done`] === undefined ? [] : [m[`${what} done`] - m[`${what} begun`]]))
          .sort((a, b) => a - b);
      const d = (what: string) => {
        const x = imageCalls[what]?.sort((a, b) => a - b) ?? durations(what);
        return `${what} p50 ${Math.round(percentile(x, 50))} ms, p90 ${Math.round(percentile(x, 90))} ms`;
      };
      const firstSeen = syncs.find((x) => x.tasks > 0);
      return [
        `    syncs read: ${syncs.map((x) => `${s(x.t).trim()} s (${x.tasks})`).join(", ") || "none"}${firstSeen ? "" : " — none saw a task"}`,
        ...lines,
        `    Docker calls: ${d("image check")}, ${d("pull")} (${imageCalls.pull.length} pulls)`,
        `                  ${d("create")}, ${d("start")}; at most ${peak} creates and starts at once`,
      ];
    },
  };
}
