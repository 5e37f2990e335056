import type { Setting, SettingName, Tag } from "@aws-sdk/client-ecs";
import { ACCOUNT_SETTINGS, AWS_MANAGED_SETTINGS, rootPrincipal } from "../model/accountSettings.ts";
import { invalidParameter } from "../protocol/errors.ts";
import type { ActionContext } from "./context.ts";

/**
 * A setting as it applies to a principal: its own value if it set one, else the account's (the
 * root user's, which PutAccountSettingDefault sets), else ECS's initial value. `principalArn` is
 * whose value it is; ECS's initial values are shown as the root's.
 */
export async function effectiveSetting(
  ctx: ActionContext,
  name: SettingName,
  principalArn = rootPrincipal(ctx.partition),
): Promise<Setting> {
  const root = rootPrincipal(ctx.partition);
  for (const principal of principalArn === root ? [root] : [principalArn, root]) {
    const own = (await ctx.store.getAccountSettings(principal))?.settings.find((s) => s.name === name);
    if (own) return own;
  }
  return settingOf(name, ACCOUNT_SETTINGS[name].initial, root);
}

/** A setting as ECS shows it: whether AWS or the user manages it in `type`. */
export const settingOf = (name: SettingName, value: string, principalArn: string): Setting => ({
  name,
  value,
  principalArn,
  type: AWS_MANAGED_SETTINGS.includes(name) ? "aws_managed" : "user",
});

/** The account settings that choose the ARN format of new resources of a type. */
const FORMAT_SETTINGS = {
  task: "taskLongArnFormat",
  service: "serviceLongArnFormat",
  "container instance": "containerInstanceLongArnFormat",
} as const;

/** Whether new resources of a type get long ARNs: unless the account's setting for it is disabled. */
export const usesLongArns = async (ctx: ActionContext, resource: keyof typeof FORMAT_SETTINGS) =>
  (await effectiveSetting(ctx, FORMAT_SETTINGS[resource])).value !== "disabled";

/**
 * What ECS refuses to a resource created with a short ARN: tags, tag propagation and ECS managed
 * tags, in ECS's words ("... must be enabled to add tags to the service", "... to propagate
 * tags", "... to work with ECS managed tags", quoted in hashicorp/terraform-provider-aws#6486,
 * cloudposse/terraform-aws-ecs-alb-service-task#39 and aws-samples/aws-cdk-examples#108; for a
 * task or container instance's own tags the service's sentence is followed, naming the resource).
 */
export function checkTagging(
  longArn: boolean,
  resource: keyof typeof FORMAT_SETTINGS,
  request: { tags?: Tag[]; propagateTags?: string; enableECSManagedTags?: boolean },
): void {
  if (longArn) return;
  const refuse = (what: string) =>
    invalidParameter(
      `The new ARN and resource ID format must be enabled to ${what}. Opt in to the new format and try again.`,
    );
  if (request.tags?.length) throw refuse(`add tags to the ${resource}`);
  if (request.propagateTags !== undefined && request.propagateTags !== "NONE") throw refuse("propagate tags");
  if (request.enableECSManagedTags) throw refuse("work with ECS managed tags");
}
