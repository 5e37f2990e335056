import { useState } from "preact/hooks";
import type { ListEventsResponse } from "../../../core/actions/berth/shapes.ts";
import { shortId } from "../api/fleet.ts";
import { useSession } from "../context.ts";
import { detailTypeOf, type EventLine, eventLine } from "../events.ts";
import { usePoll } from "../poll.ts";
import { href } from "../route.ts";
import { Time } from "../ui/format.tsx";
import { LiveHeading } from "../ui/live.tsx";

const KIND_LABELS: [EventLine["kind"] | "all", string][] = [
  ["all", "All events"],
  ["task", "Tasks"],
  ["instance", "Container instances"],
  ["service", "Service actions"],
  ["deployment", "Deployments"],
];

/** A link to the resource an event is about, where the console has a page for it. */
function ResourceLink({ cluster, line }: { cluster: string; line: EventLine }) {
  const id = shortId(line.resource);
  if (line.kind === "task") return <a href={href("c", cluster, "tasks", id)}>task {id.slice(0, 12)}</a>;
  if (line.kind === "service" || line.kind === "deployment")
    return <a href={href("c", cluster, "services", id)}>service {id}</a>;
  if (line.kind === "instance") return <a href={href("c", cluster, "instances")}>instance {id.slice(0, 12)}</a>;
  return <>{line.resource}</>;
}

const PAGE_SIZE = 500;

/**
 * The ECS events Berth published for the cluster (ListEvents: Berth keeps them a day, in local
 * mode and on AWS alike), newest first, filterable by kind (ListEvents' detailType) and by text.
 * Each ListEvents call reads a bounded number of stored events, so a kind that is rare among
 * the latest can come back with few lines and a nextToken: "Show older events" follows it, one
 * more page at each press, every page read again at each poll. A Berth from before ListEvents
 * kept them on AWS answers UnknownOperationException, and the page says so.
 */
export function EventsView({ cluster }: { cluster: string }) {
  const { api } = useSession();
  const [kind, setKind] = useState<EventLine["kind"] | "all">("all");
  const [pages, setPages] = useState(1);
  const [text, setText] = useState("");
  const polled = usePoll(async () => {
    const detailType = kind === "all" ? undefined : detailTypeOf(kind);
    const lines: EventLine[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < pages; page++) {
      const answer = await api.berth<ListEventsResponse>("ListEvents", {
        cluster,
        detailType,
        maxResults: PAGE_SIZE,
        nextToken,
      });
      lines.push(...answer.events.map(eventLine));
      nextToken = answer.nextToken;
      if (nextToken === undefined) break;
    }
    return { lines, more: nextToken !== undefined };
  }, `events:${cluster}:${kind}:${pages}`);
  const unsupported = (polled.error as { name?: string } | undefined)?.name === "UnknownOperationException";
  const needle = text.trim().toLowerCase();
  const lines = (polled.data?.lines ?? []).filter(
    (l) =>
      (kind === "all" || l.kind === kind) && (!needle || `${l.resource} ${l.summary}`.toLowerCase().includes(needle)),
  );
  return (
    <>
      <LiveHeading title={`Events of ${cluster}`} polled={unsupported ? { ...polled, error: undefined } : polled} />
      {unsupported ? (
        <p>This Berth keeps no events to list (it predates ListEvents on AWS): see EventBridge's rules and targets.</p>
      ) : (
        <>
          <div class="buttons filters">
            <label>
              Show{" "}
              <select
                value={kind}
                onChange={(e) => {
                  setKind((e.currentTarget as HTMLSelectElement).value as typeof kind);
                  setPages(1);
                }}
              >
                {KIND_LABELS.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Containing{" "}
              <input type="search" value={text} onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)} />
            </label>
            <span>
              {lines.length} of {polled.data?.lines.length ?? 0}
            </span>
          </div>
          <table>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">About</th>
                <th scope="col">What happened</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l, i) => (
                <tr key={`${l.time.getTime()}-${l.resource}-${i}`}>
                  <td>
                    <Time at={l.time} />
                  </td>
                  <td>
                    <ResourceLink cluster={cluster} line={l} />
                  </td>
                  <td>{l.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {polled.data?.more && (
            <p class="buttons">
              <button type="button" onClick={() => setPages((n) => n + 1)}>
                Show older events
              </button>
            </p>
          )}
        </>
      )}
    </>
  );
}
