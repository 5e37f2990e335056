import type { Action, ActionTable } from "../../operations/context.ts";
import type { TargetApi } from "../../protocol/handle.ts";
import { autoScalingModel } from "../../protocol/model.ts";
import { validateInput } from "../../protocol/validate.ts";
import * as activities from "./activities.ts";
import { asAutoScalingError } from "./errors.ts";
import * as policies from "./policies.ts";
import * as scheduledActions from "./scheduledActions.ts";
import * as tags from "./tags.ts";
import * as targets from "./targets.ts";

/** Each action, its InvalidParameterExceptions (from shared helpers) answered as ValidationException. */
function table(...modules: Record<string, unknown>[]): ActionTable {
  const out: ActionTable = {};
  for (const module of modules) {
    for (const [name, value] of Object.entries(module)) {
      if (typeof value !== "function" || !Object.hasOwn(autoScalingModel.operations, name)) continue;
      const action = value as Action;
      out[name] = (input, ctx) =>
        action(input, ctx).catch((error) => {
          throw asAutoScalingError(error);
        });
    }
  }
  return out;
}

/** Application Auto Scaling, answered for ECS services on Berth's endpoint (`AnyScaleFrontendService.<Op>`). */
export const autoScalingApi: TargetApi = {
  prefix: autoScalingModel.metadata.targetPrefix,
  actions: table(targets, policies, scheduledActions, activities, tags),
  validate: (operation, input) => {
    try {
      validateInput(operation, input, autoScalingModel);
    } catch (error) {
      throw asAutoScalingError(error);
    }
  },
  policyName: "application-autoscaling",
};
