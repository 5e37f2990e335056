import { DescribeTasksCommand, StopTaskCommand, type Task } from "@aws-sdk/client-ecs";
import { shortId, taskDefinitionName } from "../api/fleet.ts";
import { useSession } from "../context.ts";
import { usePoll } from "../poll.ts";
import { href } from "../route.ts";
import { ActionButton } from "../ui/actionButton.tsx";
import { Section, Status, Time } from "../ui/format.tsx";
import { LiveHeading } from "../ui/live.tsx";
import { Containers } from "../ui/taskTable.tsx";

/** The lifecycle steps ECS records on a task, in order. */
const TIMELINE: [keyof Task, string][] = [
  ["createdAt", "Created"],
  ["pullStartedAt", "Pull started"],
  ["pullStoppedAt", "Pulled"],
  ["startedAt", "Running"],
  ["stoppingAt", "Stopping"],
  ["executionStoppedAt", "Containers stopped"],
  ["stoppedAt", "Stopped"],
];

/** One task: its timeline, containers with exit codes and ports, why it stopped; stop it. */
export function TaskView({ cluster, task }: { cluster: string; task: string }) {
  const { api } = useSession();
  const polled = usePoll(async () => {
    const r = await api.ecs.send(new DescribeTasksCommand({ cluster, tasks: [task] }));
    const failure = r.failures?.[0];
    if (failure) throw Object.assign(new Error(`${task}: ${failure.reason}`), { name: "TaskNotFound" });
    return r.tasks?.[0] as Task;
  }, `task:${cluster}/${task}`);
  const t = polled.data;
  const service = t?.group?.startsWith("service:") ? t.group.slice("service:".length) : undefined;
  return (
    <>
      <LiveHeading title={`Task ${task}`} polled={polled} />
      {t && (
        <>
          <dl class="facts">
            <dt>Status</dt>
            <dd>
              <Status value={t.lastStatus} /> (desired <Status value={t.desiredStatus} />)
            </dd>
            <dt>Health</dt>
            <dd>
              <Status value={t.healthStatus} />
            </dd>
            <dt>Task definition</dt>
            <dd>
              <a href={href("task-definitions", taskDefinitionName(t.taskDefinitionArn).replace(/:\d+$/, ""))}>
                {taskDefinitionName(t.taskDefinitionArn)}
              </a>
            </dd>
            <dt>Service</dt>
            <dd>{service ? <a href={href("c", cluster, "services", service)}>{service}</a> : "—"}</dd>
            <dt>Container instance</dt>
            <dd>{shortId(t.containerInstanceArn)}</dd>
            <dt>Stop code</dt>
            <dd data-testid="stop-code">{t.stopCode ?? "—"}</dd>
            <dt>Stopped reason</dt>
            <dd>{t.stoppedReason ?? "—"}</dd>
          </dl>
          <Section title="Timeline">
            <ol class="timeline">
              {TIMELINE.filter(([key]) => t[key]).map(([key, label]) => (
                <li key={key}>
                  {label} <Time at={t[key] as Date} />
                </li>
              ))}
            </ol>
          </Section>
          <Section title="Containers">
            <Containers task={t} />
          </Section>
          {t.desiredStatus !== "STOPPED" && (
            <div class="buttons">
              <ActionButton
                label="Stop"
                danger
                question={`Stop task ${task}?`}
                run={() => api.ecs.send(new StopTaskCommand({ cluster, task, reason: "Stopped from the console" }))}
                onDone={polled.refresh}
              />
            </div>
          )}
        </>
      )}
    </>
  );
}
