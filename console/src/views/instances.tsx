import { UpdateContainerInstancesStateCommand } from "@aws-sdk/client-ecs";
import { isRetryable } from "../../../agent/controlPlane.ts";
import type { Api } from "../api/client.ts";
import {
  loadInstances,
  loadTasks,
  loadUtilization,
  loadUtilizationHistory,
  shortId,
  taskDefinitionName,
} from "../api/fleet.ts";
import { useSession } from "../context.ts";
import { usePoll } from "../poll.ts";
import { capacityOf } from "../resources.ts";
import { href } from "../route.ts";
import { ActionButton } from "../ui/actionButton.tsx";
import { CapacityGauges } from "../ui/capacity.tsx";
import { ago, Status } from "../ui/format.tsx";
import { LiveHeading } from "../ui/live.tsx";
import { UtilizationChart } from "../ui/sparkline.tsx";
import { history, remembered, seed, unseed, unseeded } from "../utilizationHistory.ts";

/** Reads Berth's history of the instances the tab has not asked about yet, once each. */
async function seedHistories(api: Api, cluster: string, containerInstanceArns: string[]) {
  await Promise.all(
    unseeded(containerInstanceArns).map(async (arn) => {
      try {
        seed(arn, await loadUtilizationHistory(api, cluster, arn));
      } catch (error) {
        // Unreachable, throttled or failing: ask again at the next poll. Refused for good (a
        // Berth without the history, a key not allowed it): the chart has what the tab sees.
        if (isRetryable(error)) unseed(arn);
      }
    }),
  );
}

/** Each container instance: state, agent, resources left and used, attributes, its tasks; drain or activate it. */
export function InstancesView({ cluster }: { cluster: string }) {
  const { api } = useSession();
  const polled = usePoll(async () => {
    const [instances, utilization, tasks] = await Promise.all([
      loadInstances(api, cluster),
      loadUtilization(api, cluster).then(remembered),
      loadTasks(api, cluster),
    ]);
    await seedHistories(
      api,
      cluster,
      instances.map((i) => i.containerInstanceArn ?? ""),
    );
    return { instances, utilization, tasks };
  }, `instances:${cluster}`);
  const d = polled.data;
  const setState = (containerInstance: string, status: "ACTIVE" | "DRAINING") =>
    api.ecs.send(
      new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [containerInstance], status }),
    );
  return (
    <>
      <LiveHeading title={`Container instances of ${cluster}`} polled={polled} />
      {d?.instances.length === 0 && <p>No container instances: start an agent (`berth agent`).</p>}
      {d?.instances.map((instance) => {
        const arn = instance.containerInstanceArn ?? "";
        const id = shortId(arn);
        const u = d.utilization.get(arn);
        const tasks = d.tasks.filter((t) => t.containerInstanceArn === arn && t.lastStatus !== "STOPPED");
        return (
          <article key={arn} class="card" aria-label={`Container instance ${id}`}>
            <h2>
              {instance.ec2InstanceId ?? id} <Status value={instance.status} />{" "}
              <Status value={u?.agentConnected ? "connected" : "disconnected"} />
            </h2>
            <dl class="facts">
              <dt>Id</dt>
              <dd>{id}</dd>
              <dt>Last heartbeat</dt>
              <dd>{ago(u?.lastHeartbeatAt)}</dd>
              <dt>Agent</dt>
              <dd>
                {instance.versionInfo?.agentVersion ?? "—"} (
                {instance.versionInfo?.dockerVersion ?? "Docker version unknown"})
              </dd>
              <dt>Running tasks</dt>
              <dd>{instance.runningTasksCount}</dd>
              <dt>Pending tasks</dt>
              <dd>{instance.pendingTasksCount}</dd>
            </dl>
            <CapacityGauges capacity={capacityOf(instance, u)} />
            <UtilizationChart samples={history(arn)} />
            <details>
              <summary>Attributes ({instance.attributes?.length ?? 0})</summary>
              <ul class="attributes">
                {instance.attributes?.map((a) => (
                  <li key={a.name}>
                    <code>{a.name}</code>
                    {a.value !== undefined && <> = {a.value}</>}
                  </li>
                ))}
              </ul>
            </details>
            <h3>Tasks on it</h3>
            {tasks.length === 0 ? (
              <p>None.</p>
            ) : (
              <ul>
                {tasks.map((t) => (
                  <li key={t.taskArn}>
                    <a href={href("c", cluster, "tasks", shortId(t.taskArn))}>{shortId(t.taskArn)}</a>{" "}
                    {taskDefinitionName(t.taskDefinitionArn)} <Status value={t.lastStatus} />
                  </li>
                ))}
              </ul>
            )}
            <div class="buttons">
              {instance.status === "DRAINING" ? (
                <ActionButton
                  label="Activate"
                  question={`Make ${id} ACTIVE again, so tasks are placed on it?`}
                  run={() => setState(arn, "ACTIVE")}
                  onDone={polled.refresh}
                />
              ) : (
                <ActionButton
                  label="Drain"
                  danger
                  question={`Drain ${id}? No new tasks go there, and its service tasks are replaced elsewhere.`}
                  run={() => setState(arn, "DRAINING")}
                  onDone={polled.refresh}
                  disabled={instance.status !== "ACTIVE"}
                />
              )}
            </div>
          </article>
        );
      })}
    </>
  );
}
