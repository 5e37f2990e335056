import { DescribeServicesCommand, type Service, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { useEffect, useState } from "preact/hooks";
import { loadTasks, taskDefinitionName } from "../api/fleet.ts";
import { useSession } from "../context.ts";
import { usePoll } from "../poll.ts";
import { ActionButton } from "../ui/actionButton.tsx";
import { Section, Status, Time } from "../ui/format.tsx";
import { LiveHeading } from "../ui/live.tsx";
import { TaskTable } from "../ui/taskTable.tsx";
import { ServiceScaling } from "./serviceScaling.tsx";
import { TaskSets } from "./taskSets.tsx";

/**
 * One service: counts, deployments and their rollout (an EXTERNAL service's task sets), placement,
 * auto scaling, events, its tasks; scale it or force a deployment.
 */
export function ServiceView({ cluster, service }: { cluster: string; service: string }) {
  const { api } = useSession();
  const polled = usePoll(async () => {
    const [described, tasks] = await Promise.all([
      api.ecs.send(new DescribeServicesCommand({ cluster, services: [service] })),
      loadTasks(api, cluster, { serviceName: service }),
    ]);
    const failure = described.failures?.[0];
    if (failure) throw Object.assign(new Error(`${service}: ${failure.reason}`), { name: "ServiceNotFound" });
    return { service: described.services?.[0] as Service, tasks };
  }, `service:${cluster}/${service}`);
  const s = polled.data?.service;
  return (
    <>
      <LiveHeading title={`Service ${service}`} polled={polled} />
      {s && (
        <>
          <dl class="facts">
            <dt>Status</dt>
            <dd>
              <Status value={s.status} />
            </dd>
            <dt>Desired</dt>
            <dd data-testid="desired">{s.desiredCount}</dd>
            <dt>Pending</dt>
            <dd>{s.pendingCount}</dd>
            <dt>Running</dt>
            <dd data-testid="running">{s.runningCount}</dd>
            <dt>Task definition</dt>
            <dd>{taskDefinitionName(s.taskDefinition)}</dd>
            <dt>Scheduling</dt>
            <dd>{s.schedulingStrategy}</dd>
          </dl>
          <Actions cluster={cluster} service={s} onDone={polled.refresh} />
          {/* An EXTERNAL service has task sets, and no deployments. */}
          {s.deploymentController?.type === "EXTERNAL" ? (
            <TaskSets taskSets={s.taskSets ?? []} />
          ) : (
            <Section title="Deployments">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Deployment</th>
                    <th scope="col">Status</th>
                    <th scope="col">Task definition</th>
                    <th scope="col">Desired</th>
                    <th scope="col">Pending</th>
                    <th scope="col">Running</th>
                    <th scope="col">Failed</th>
                    <th scope="col">Rollout</th>
                    <th scope="col">Updated</th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {s.deployments?.map((d) => (
                    <tr key={d.id}>
                      <th scope="row">
                        <code>{d.id}</code>
                      </th>
                      <td>
                        <Status value={d.status} />
                      </td>
                      <td>{taskDefinitionName(d.taskDefinition)}</td>
                      <td>{d.desiredCount}</td>
                      <td>{d.pendingCount}</td>
                      <td>{d.runningCount}</td>
                      <td>{d.failedTasks}</td>
                      <td>
                        <Status value={d.rolloutState} /> {d.rolloutStateReason}
                      </td>
                      <td>
                        <Time at={d.updatedAt} />
                      </td>
                      <td>
                        {d.status !== "PRIMARY" && d.taskDefinition !== s.taskDefinition && (
                          <RollBack cluster={cluster} service={s} to={d.taskDefinition ?? ""} onDone={polled.refresh} />
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Section>
          )}
          <Section title="Placement and load balancing">
            <p>
              Strategy:{" "}
              {s.placementStrategy?.length
                ? s.placementStrategy.map((p) => `${p.type}${p.field ? `(${p.field})` : ""}`).join(", ")
                : "default (spread over availability zones)"}
              . Constraints:{" "}
              {s.placementConstraints?.length
                ? s.placementConstraints.map((c) => `${c.type}${c.expression ? ` ${c.expression}` : ""}`).join(", ")
                : "none"}
              .
            </p>
            {s.loadBalancers?.length ? (
              <p>
                Load balancers:{" "}
                {s.loadBalancers
                  .map((lb) => `${lb.targetGroupArn ?? lb.loadBalancerName} → ${lb.containerName}:${lb.containerPort}`)
                  .join(", ")}
              </p>
            ) : null}
          </Section>
          {/* Application Auto Scaling names the cluster by name in its resource id. */}
          <ServiceScaling cluster={s.clusterArn?.split("/").pop() ?? cluster} service={s.serviceName ?? service} />
          <Section title="Tasks">
            <TaskTable cluster={cluster} tasks={polled.data?.tasks ?? []} onChange={polled.refresh} />
          </Section>
          <Section title="Events">
            <ol class="events">
              {s.events?.slice(0, 25).map((e) => (
                <li key={e.id}>
                  <Time at={e.createdAt} /> {e.message}
                </li>
              ))}
            </ol>
          </Section>
        </>
      )}
    </>
  );
}

function Actions({ cluster, service, onDone }: { cluster: string; service: Service; onDone: () => void }) {
  const { api, permission } = useSession();
  const [count, setCount] = useState(String(service.desiredCount ?? 0));
  // The box follows the service's count as it changes (auto scaling, another client): a Scale
  // click must not set back a count the user never saw.
  useEffect(() => setCount(String(service.desiredCount ?? 0)), [service.desiredCount]);
  const desired = Number(count);
  const name = service.serviceName ?? "";
  const update = (change: { desiredCount?: number; forceNewDeployment?: boolean }) =>
    api.ecs.send(new UpdateServiceCommand({ cluster, service: name, ...change }));
  return (
    <div class="buttons actions">
      <label>
        Desired count
        <input
          type="number"
          min={0}
          step={1}
          value={count}
          disabled={!permission.canChange}
          onInput={(e) => setCount((e.currentTarget as HTMLInputElement).value)}
        />
      </label>
      <ActionButton
        label="Scale"
        question={`Set the desired count of ${name} from ${service.desiredCount} to ${count}?`}
        run={() => update({ desiredCount: desired })}
        onDone={onDone}
        disabled={count === "" || !Number.isInteger(desired) || desired === service.desiredCount}
      />
      {/* An EXTERNAL service deploys through new task sets: ECS refuses forceNewDeployment. */}
      {service.deploymentController?.type !== "EXTERNAL" && (
        <ActionButton
          label="Force new deployment"
          question={`Start a new deployment of ${name}? Every task is replaced by a new one, within the service's minimum healthy and maximum percent.`}
          run={() => update({ forceNewDeployment: true })}
          onDone={onDone}
        />
      )}
    </div>
  );
}

/**
 * Back to an older deployment's revision, as a script rolls back: UpdateService with that task
 * definition, which starts a new deployment of it (ECS keeps no other history to go back to).
 */
function RollBack({
  cluster,
  service,
  to,
  onDone,
}: {
  cluster: string;
  service: Service;
  to: string;
  onDone: () => void;
}) {
  const { api } = useSession();
  const name = service.serviceName ?? "";
  return (
    <ActionButton
      label={`Roll back to ${taskDefinitionName(to)}`}
      question={`Deploy ${taskDefinitionName(to)} to ${name} again, in place of ${taskDefinitionName(service.taskDefinition)}?`}
      run={() => api.ecs.send(new UpdateServiceCommand({ cluster, service: name, taskDefinition: to }))}
      onDone={onDone}
    />
  );
}
