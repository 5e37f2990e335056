import type { TargetApi } from "../../protocol/handle.ts";
import { autoScalingModel } from "../../protocol/model.ts";
import { apiTable, modelValidator } from "../apiTable.ts";
import * as activities from "./activities.ts";
import { asAutoScalingError } from "./errors.ts";
import * as policies from "./policies.ts";
import * as scheduledActions from "./scheduledActions.ts";
import * as tags from "./tags.ts";
import * as targets from "./targets.ts";

/** Application Auto Scaling, answered for ECS services on Berth's endpoint (`AnyScaleFrontendService.<Op>`). */
export const autoScalingApi: TargetApi = {
  prefix: autoScalingModel.metadata.targetPrefix,
  actions: apiTable(autoScalingModel, asAutoScalingError, targets, policies, scheduledActions, activities, tags),
  validate: modelValidator(autoScalingModel, asAutoScalingError),
  policyName: "application-autoscaling",
};
