import type { ListedEvent } from "../../core/actions/berth/shapes.ts";

/** One ECS event as the events view lists it: what happened to which resource, in a line. */
export interface EventLine {
  time: Date;
  kind: "task" | "instance" | "service" | "deployment" | "other";
  resource: string;
  summary: string;
}

const KINDS: Record<string, EventLine["kind"]> = {
  "ECS Task State Change": "task",
  "ECS Container Instance State Change": "instance",
  "ECS Service Action": "service",
  "ECS Deployment State Change": "deployment",
};

/** The ListEvents detailType of a kind of line. */
export const detailTypeOf = (kind: EventLine["kind"]) => Object.keys(KINDS).find((type) => KINDS[type] === kind);

/**
 * A line per event from its detail, in ECS's own words: a task's status and why it stopped, an
 * instance's status and agent connection, a service action's or deployment's event name.
 */
export function eventLine(event: ListedEvent): EventLine {
  const kind = KINDS[event.detailType] ?? "other";
  let d: Record<string, unknown> = {};
  try {
    d = JSON.parse(event.detail);
  } catch {
    // A detail that is not JSON is shown as it came.
  }
  const words = (...parts: unknown[]) => parts.filter((p) => p !== undefined && p !== "").join(" ");
  const summary =
    kind === "task"
      ? words(
          `${d.lastStatus} (desired ${d.desiredStatus})`,
          d.stopCode && `· ${d.stopCode}`,
          d.stoppedReason && `· ${d.stoppedReason}`,
          exitCodes(d.containers),
        )
      : kind === "instance"
        ? words(d.status, d.agentConnected === false ? "· agent disconnected" : "· agent connected")
        : kind === "service" || kind === "deployment"
          ? words(d.eventName, d.reason && `· ${d.reason}`)
          : event.detail;
  return {
    time: typeof event.time === "number" ? new Date(event.time * 1000) : new Date(event.time),
    kind,
    resource: event.resources[0] ?? "",
    summary,
  };
}

function exitCodes(containers: unknown): string | undefined {
  if (!Array.isArray(containers)) return undefined;
  const exited = containers.filter((c) => c.exitCode !== undefined).map((c) => `${c.name} exit ${c.exitCode}`);
  return exited.length ? `· ${exited.join(", ")}` : undefined;
}
