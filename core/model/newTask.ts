import type { Container, Tag, Task, TaskOverride } from "@aws-sdk/client-ecs";
import { clusterArn, containerArn, taskArn } from "./arn.ts";
import type { Partition } from "./config.ts";
import { newUuid } from "./ids.ts";
import type { ContainerInstanceRecord, TaskDefinitionRecord, TaskRecord } from "./records.ts";
import type { Reservation } from "./reservation.ts";

export interface NewTask {
  partition: Partition;
  cluster: string;
  id: string;
  taskDefinition: TaskDefinitionRecord;
  /** Where it runs; none for a task that waits in PROVISIONING for its capacity provider's group to have room. */
  instance?: ContainerInstanceRecord;
  reservation: Reservation;
  overrides: TaskOverride;
  group: string;
  startedBy?: string;
  tags: Tag[];
  enableExecuteCommand: boolean;
  /** The capacity provider whose instances the task was placed on (a strategy's), if any. */
  capacityProviderName?: string;
  now: Date;
  /** The account's taskLongArnFormat (true unless disabled): the task's and its containers' ARN format. */
  longArn?: boolean;
}

const attribute = (instance: ContainerInstanceRecord | undefined, name: string) =>
  instance?.instance.attributes?.find((a) => a.name === name)?.value;

/**
 * A task as ECS describes it the moment it is placed: desired RUNNING, its containers PENDING.
 * Tasks that need a network interface (awsvpc) start in PROVISIONING, the others in PENDING.
 * Without an instance, it waits in PROVISIONING for one (waitingTasks.ts places it later).
 */
export function newTaskRecord(n: NewTask): Omit<TaskRecord, "version"> {
  const { taskDefinition: td, partition, cluster, id } = n;
  const long = n.longArn ?? true;
  const arn = taskArn(partition, cluster, id, long);
  const definition = td.taskDefinition;
  const containers = (definition.containerDefinitions ?? []).map((c): Container => {
    const override = n.overrides.containerOverrides?.find((o) => o.name === c.name);
    const memory = override?.memory ?? c.memory;
    const memoryReservation = override?.memoryReservation ?? c.memoryReservation;
    return {
      containerArn: containerArn(partition, cluster, id, newUuid(), long),
      taskArn: arn,
      name: c.name,
      image: c.image,
      lastStatus: "PENDING",
      networkInterfaces: [],
      healthStatus: c.healthCheck ? "UNKNOWN" : undefined,
      cpu: String(override?.cpu ?? c.cpu ?? 0),
      memory: memory === undefined ? undefined : String(memory),
      memoryReservation: memoryReservation === undefined ? undefined : String(memoryReservation),
    };
  });
  const task: Task = {
    attachments: [],
    attributes: [{ name: "ecs.cpu-architecture", value: attribute(n.instance, "ecs.cpu-architecture") ?? "x86_64" }],
    availabilityZone: attribute(n.instance, "ecs.availability-zone"),
    clusterArn: clusterArn(partition, cluster),
    containerInstanceArn: n.instance?.instance.containerInstanceArn,
    containers,
    cpu: n.overrides.cpu ?? definition.cpu,
    memory: n.overrides.memory ?? definition.memory,
    createdAt: n.now,
    desiredStatus: "RUNNING",
    enableExecuteCommand: n.enableExecuteCommand,
    group: n.group,
    healthStatus: "UNKNOWN",
    lastStatus: !n.instance || definition.networkMode === "awsvpc" ? "PROVISIONING" : "PENDING",
    launchType: "EC2",
    capacityProviderName: n.capacityProviderName,
    overrides: { containerOverrides: [], inferenceAcceleratorOverrides: [], ...n.overrides },
    startedBy: n.startedBy,
    tags: n.tags,
    taskArn: arn,
    taskDefinitionArn: definition.taskDefinitionArn,
    version: 1,
  };
  return {
    cluster,
    id,
    task,
    containerInstanceId: n.instance?.id,
    reservation: n.reservation,
    holdsReservation: n.instance !== undefined,
    essentialContainers: (definition.containerDefinitions ?? [])
      .filter((c) => c.essential !== false)
      .map((c) => c.name as string),
    acknowledged: false,
  };
}

/**
 * A task that waited in PROVISIONING, placed on `instance` at last: as newTaskRecord would have
 * made it there (its instance, zone and architecture, PENDING unless it needs a network interface).
 */
export function placedWaitingTask(
  record: TaskRecord,
  instance: ContainerInstanceRecord,
  networkMode: string | undefined,
): TaskRecord {
  const { waiting: _waiting, ...rest } = record;
  return {
    ...rest,
    containerInstanceId: instance.id,
    holdsReservation: true,
    task: {
      ...record.task,
      attributes: [{ name: "ecs.cpu-architecture", value: attribute(instance, "ecs.cpu-architecture") ?? "x86_64" }],
      availabilityZone: attribute(instance, "ecs.availability-zone"),
      containerInstanceArn: instance.instance.containerInstanceArn,
      lastStatus: networkMode === "awsvpc" ? "PROVISIONING" : "PENDING",
      version: (record.task.version ?? 0) + 1,
    },
  };
}
