import type { PlacementConstraint } from "@aws-sdk/client-ecs";
import type { ContainerInstanceRecord, TaskDefinitionRecord } from "../model/records.ts";
import { planPlacement } from "../placement/plan.ts";

const NOTHING = { cpu: 0, memory: 0, ports: [], udpPorts: [] };

/**
 * The instances a DAEMON service belongs on: ACTIVE ones whose attributes satisfy the service's
 * and the task definition's memberOf constraints and the definition's required attributes. Asked
 * of placement itself (for a task that needs no resources), so that the rules are the ones
 * RunTask applies. The agent's connection is left out: a task is not stopped because its agent
 * missed a few beats (lost instances are the caller's business), and it is placed only where the
 * agent is connected anyway.
 */
export function daemonInstances(
  instances: ContainerInstanceRecord[],
  constraints: PlacementConstraint[],
  taskDefinition: TaskDefinitionRecord,
): string[] {
  const definition = taskDefinition.taskDefinition;
  const memberOf = [...constraints, ...((definition.placementConstraints ?? []) as PlacementConstraint[])].filter(
    (c) => c.type === "memberOf",
  );
  return instances
    .filter((record) => {
      const connected = { ...record, instance: { ...record.instance, agentConnected: true } };
      const plan = planPlacement([{ record: connected, tasks: [] }], {
        demand: NOTHING,
        count: 1,
        group: "",
        taskDefinitionArn: definition.taskDefinitionArn as string,
        constraints: memberOf,
        strategies: [],
        random: Math.random,
        requiredAttributes: definition.requiresAttributes,
      });
      return plan.placements.length === 1;
    })
    .map((record) => record.id);
}
