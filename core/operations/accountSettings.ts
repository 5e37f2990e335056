import type { Setting, SettingName } from "@aws-sdk/client-ecs";
import { ACCOUNT_SETTINGS, AWS_MANAGED_SETTINGS, rootPrincipal } from "../model/accountSettings.ts";
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

/** Whether new resources of a type get long ARNs: unless the account's setting for it is disabled. */
export const usesLongArns = async (
  ctx: ActionContext,
  name: "taskLongArnFormat" | "serviceLongArnFormat" | "containerInstanceLongArnFormat",
) => (await effectiveSetting(ctx, name)).value !== "disabled";
