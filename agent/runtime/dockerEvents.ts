import type Docker from "dockerode";
import type { RuntimeEvent } from "./types.ts";

const ACTIONS: Record<string, "die" | "start" | "health" | "oom"> = { die: "die", start: "start", oom: "oom" };
const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;

interface DockerEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  id?: string;
}

/** Docker's action ("health_status: healthy" included) as one of the engine's event types. */
function toEvent(raw: DockerEvent, labelKey: string): RuntimeEvent | undefined {
  if (raw.Type !== "container" || !raw.Action) return undefined;
  const type = raw.Action.startsWith("health_status") ? "health" : ACTIONS[raw.Action];
  const attributes = raw.Actor?.Attributes ?? {};
  // Only Berth's containers: Docker puts the container's labels among the event's attributes.
  if (!type || !(labelKey in attributes)) return undefined;
  return { type, containerId: raw.Actor?.ID ?? raw.id ?? "", labels: attributes };
}

/**
 * Follows Docker's event stream. When the stream ends or fails (dockerd restarted, socket gone),
 * it sends "interrupted" (again at each failed attempt) and reconnects with a doubling backoff;
 * once reconnected it sends "resync", because events that happened during the gap are lost and
 * only a full re-read of the containers is trustworthy.
 */
export function watchEvents(docker: Docker, labelKey: string, onEvent: (event: RuntimeEvent) => void) {
  let closed = false;
  let current: NodeJS.ReadableStream | undefined;
  let timer: NodeJS.Timeout | undefined;
  let backoff = MIN_BACKOFF_MS;

  const connect = async (afterGap: boolean) => {
    try {
      const stream = await docker.getEvents({ filters: { type: ["container"], label: [labelKey] } });
      if (closed) return destroy(stream);
      current = stream;
      backoff = MIN_BACKOFF_MS;
      if (afterGap) onEvent({ type: "resync" });
      let buffered = "";
      stream.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("utf8");
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) {
          const event = line.trim() ? parse(line, labelKey) : undefined;
          if (event) onEvent(event);
        }
      });
      const retry = (error: unknown = new Error("the stream ended")) => {
        if (current !== stream) return;
        current = undefined;
        onEvent({ type: "interrupted", error });
        schedule();
      };
      stream.on("end", () => retry());
      stream.on("close", () => retry());
      stream.on("error", retry);
    } catch (error) {
      onEvent({ type: "interrupted", error });
      schedule();
    }
  };

  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => void connect(true), backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  };

  void connect(false);
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      if (current) destroy(current);
      current = undefined;
    },
  };
}

function parse(line: string, labelKey: string): RuntimeEvent | undefined {
  try {
    return toEvent(JSON.parse(line) as DockerEvent, labelKey);
  } catch {
    return undefined;
  }
}

const destroy = (stream: NodeJS.ReadableStream) => (stream as unknown as { destroy(): void }).destroy();
