import type { Action, ActionTable } from "../operations/context.ts";
import type { TargetApi } from "../protocol/handle.ts";
import { ecsModel } from "../protocol/model.ts";
import { validateInput } from "../protocol/validate.ts";
import * as accountSettings from "./accountSettings.ts";
import * as agent from "./agent.ts";
import * as attributes from "./attributes.ts";
import { autoScalingApi } from "./autoScaling/index.ts";
import { berthActions } from "./berth/index.ts";
import { BERTH_TARGET_PREFIX } from "./berth/shapes.ts";
import * as capacityProviders from "./capacityProviders.ts";
import * as clusters from "./clusters.ts";
import * as containerInstances from "./containerInstances.ts";
import * as serviceActions from "./services.ts";
import * as tags from "./tags.ts";
import * as taskDefinitions from "./taskDefinitions.ts";
import * as taskProtection from "./taskProtection.ts";
import * as taskSets from "./taskSets.ts";
import * as tasks from "./tasks.ts";

/** The exports of action modules that are named after an ECS operation; the rest are helpers. */
function actionsOf(...modules: Record<string, unknown>[]): ActionTable {
  const table: ActionTable = {};
  for (const module of modules) {
    for (const [name, value] of Object.entries(module)) {
      if (typeof value === "function" && Object.hasOwn(ecsModel.operations, name)) table[name] = value as Action;
    }
  }
  return table;
}

/** Every ECS action Berth answers, by its X-Amz-Target operation name. */
export const actions: ActionTable = actionsOf(
  clusters,
  capacityProviders,
  taskDefinitions,
  containerInstances,
  tasks,
  taskProtection,
  serviceActions,
  taskSets,
  agent,
  attributes,
  tags,
  accountSettings,
);

/** What the endpoint answers: ECS's actions, checked against the ECS model, Berth's own, and Application Auto Scaling for ECS services. */
export const apis: TargetApi[] = [
  { prefix: ecsModel.metadata.targetPrefix, actions, validate: validateInput, policyName: "ecs" },
  { prefix: BERTH_TARGET_PREFIX, actions: berthActions, policyName: "berth" },
  autoScalingApi,
];
