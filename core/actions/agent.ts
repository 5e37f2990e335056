import type {
  DiscoverPollEndpointRequest,
  DiscoverPollEndpointResponse,
  SubmitContainerStateChangeRequest,
  SubmitContainerStateChangeResponse,
  SubmitTaskStateChangeRequest,
  SubmitTaskStateChangeResponse,
} from "@aws-sdk/client-ecs";
import type { TaskRecord } from "../model/records.ts";
import { advanceTask, type ContainerReport, essentialExit, requestStop, updateContainer } from "../model/taskState.ts";
import type { ActionContext } from "../operations/context.ts";
import { activeCluster, findContainerInstance, idInCluster } from "../operations/lookup.ts";
import { updateTask } from "../operations/updateTask.ts";
import { clientException, invalidParameter } from "../protocol/errors.ts";

/**
 * The calls a container instance's agent makes. The agent alone reports the known status of its
 * tasks and containers; the control plane derives the rest (an essential container that exits
 * stops its task).
 */
/**
 * `endpoint` is the URL of the instance's wake-up queue (created here if it is missing, e.g. after
 * the embedded queue server of local mode restarted), which the agent long-polls. Without a
 * registered instance or without queues, it is the control plane's URL, like the others.
 */
export async function DiscoverPollEndpoint(
  input: DiscoverPollEndpointRequest,
  ctx: ActionContext,
): Promise<DiscoverPollEndpointResponse> {
  // The model lists no ClusterNotFoundException for this action: ClientException, which it lists.
  const cluster = await activeCluster(ctx, input.cluster, () => clientException("Cluster not found."));
  const controlPlane = ctx.endpoint ?? `https://ecs.${ctx.partition.region}.amazonaws.com`;
  const instance = input.containerInstance
    ? await findContainerInstance(ctx, cluster.name, input.containerInstance)
    : undefined;
  const live = instance && instance.instance.status !== "INACTIVE";
  const endpoint =
    live && ctx.notifier
      ? await ctx.notifier.queueFor(cluster.name, instance.id, { ec2InstanceId: instance.instance.ec2InstanceId })
      : controlPlane;
  return { endpoint, telemetryEndpoint: controlPlane, serviceConnectEndpoint: controlPlane };
}

export async function SubmitTaskStateChange(
  input: SubmitTaskStateChangeRequest,
  ctx: ActionContext,
): Promise<SubmitTaskStateChangeResponse> {
  const containers = (input.containers ?? []).map((c) => ({ ...c, containerName: c.containerName ?? "" }));
  await applyReports(ctx, input.cluster, input.task, containers, (record) => {
    if (!input.status) return record;
    const task = advanceTask(
      record.task,
      {
        status: input.status,
        reason: input.reason,
        pullStartedAt: input.pullStartedAt,
        pullStoppedAt: input.pullStoppedAt,
        executionStoppedAt: input.executionStoppedAt,
      },
      ctx.now(),
    );
    return task ? { ...record, task } : record;
  });
  return { acknowledgment: "ACK" };
}

export async function SubmitContainerStateChange(
  input: SubmitContainerStateChangeRequest,
  ctx: ActionContext,
): Promise<SubmitContainerStateChangeResponse> {
  const report = { ...input, containerName: input.containerName ?? "" };
  await applyReports(ctx, input.cluster, input.task, [report], (record) => record);
  return { acknowledgment: "ACK" };
}

async function applyReports(
  ctx: ActionContext,
  clusterRef: string | undefined,
  taskRef: string | undefined,
  containers: ContainerReport[],
  thenTask: (record: TaskRecord) => TaskRecord,
) {
  await updateReportedTask(ctx, clusterRef, taskRef, (record) => {
    let task = record.task;
    for (const report of containers) {
      task = updateContainer(task, report) ?? task;
      const stop = essentialExit(task, record.essentialContainers, report.containerName);
      if (stop) task = requestStop(task, stop, ctx.now(), true) ?? task;
    }
    const next = thenTask({ ...record, task });
    const changed = next.task !== record.task || !record.acknowledged;
    return changed ? { ...next, acknowledged: true } : undefined;
  });
}

/**
 * updateTask for a task an agent reports on, named by id or ARN in a cluster named by its
 * agent: a task that is not there is an InvalidParameterException, as ECS answers.
 */
export async function updateReportedTask(
  ctx: ActionContext,
  clusterRef: string | undefined,
  taskRef: string | undefined,
  change: (record: TaskRecord) => TaskRecord | undefined,
): Promise<void> {
  const cluster = (await activeCluster(ctx, clusterRef)).name;
  const id = taskRef && idInCluster(taskRef, cluster, "task");
  const updated = id && (await updateTask(ctx, cluster, id, change));
  if (!updated) throw invalidParameter("The referenced task was not found.");
}
