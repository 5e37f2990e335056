import { type NetworkBinding, StopTaskCommand, type Task } from "@aws-sdk/client-ecs";
import { shortId, taskDefinitionName } from "../api/fleet.ts";
import { useSession } from "../context.ts";
import { href } from "../route.ts";
import { ActionButton } from "./actionButton.tsx";
import { Status, Time } from "./format.tsx";

/**
 * A port a container bound on its host, as a link: `0.0.0.0` means every address of the host,
 * which from the browser's side is the host it reached Berth on.
 */
export function bindingUrl(bindIP: string | undefined, hostPort: number) {
  const host = !bindIP || bindIP === "0.0.0.0" || bindIP === "::" ? location.hostname : bindIP;
  return `http://${host.includes(":") ? `[${host}]` : host}:${hostPort}/`;
}

/**
 * The host ports a container bound, one per port and protocol (Docker reports IPv4 and IPv6
 * bindings of the same port separately); links while the container runs.
 */
function Bindings({ bindings = [], live }: { bindings?: NetworkBinding[]; live: boolean }) {
  const seen = new Map<string, NetworkBinding>();
  for (const b of bindings) if (b.hostPort) seen.set(`${b.hostPort}/${b.protocol ?? "tcp"}`, b);
  return (
    <>
      {[...seen].map(([key, b]) => {
        const text = `:${b.hostPort}→${b.containerPort}${b.protocol === "udp" ? "/udp" : ""}`;
        return live && b.protocol !== "udp" ? (
          <a key={key} href={bindingUrl(b.bindIP, b.hostPort ?? 0)} target="_blank" rel="noreferrer">
            {text}
          </a>
        ) : (
          <span key={key}>{text}</span>
        );
      })}
    </>
  );
}

/** Each container's state, exit code, health and bound ports, compactly, for one table cell. */
export function Containers({ task }: { task: Task }) {
  return (
    <ul class="containers">
      {task.containers?.map((c) => (
        <li key={c.name}>
          <strong>{c.name}</strong> <Status value={c.lastStatus} />
          {c.exitCode !== undefined && <span class="exit"> exit {c.exitCode}</span>}
          {c.healthStatus && c.healthStatus !== "UNKNOWN" && <Status value={c.healthStatus} />}
          <Bindings bindings={c.networkBindings} live={c.lastStatus === "RUNNING"} />
          {c.reason && <span class="reason"> {c.reason}</span>}
        </li>
      ))}
    </ul>
  );
}

/** Tasks, newest first, with a Stop button on those not stopped yet. */
export function TaskTable({ cluster, tasks, onChange }: { cluster: string; tasks: Task[]; onChange: () => void }) {
  const { api } = useSession();
  if (tasks.length === 0) return <p>No tasks.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Task</th>
          <th scope="col">Task definition</th>
          <th scope="col">Status</th>
          <th scope="col">Health</th>
          <th scope="col">Containers</th>
          <th scope="col">Stopped because</th>
          <th scope="col">Created</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((t) => {
          const id = shortId(t.taskArn);
          return (
            <tr key={t.taskArn}>
              <th scope="row">
                <a href={href("c", cluster, "tasks", id)}>{id.slice(0, 12)}</a>
              </th>
              <td>{taskDefinitionName(t.taskDefinitionArn)}</td>
              <td>
                <Status value={t.lastStatus} />
                {t.desiredStatus !== t.lastStatus && <> → {t.desiredStatus}</>}
              </td>
              <td>
                <Status value={t.healthStatus} />
              </td>
              <td>
                <Containers task={t} />
              </td>
              <td>
                {t.stopCode && <code>{t.stopCode}</code>} {t.stoppedReason}
              </td>
              <td>
                <Time at={t.createdAt} />
              </td>
              <td>
                {t.desiredStatus !== "STOPPED" && (
                  <ActionButton
                    label="Stop"
                    danger
                    question={`Stop task ${id}? Its containers get SIGTERM, then SIGKILL after their stop timeout.`}
                    run={() =>
                      api.ecs.send(
                        new StopTaskCommand({ cluster, task: t.taskArn, reason: "Stopped from the console" }),
                      )
                    }
                    onDone={onChange}
                  />
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
