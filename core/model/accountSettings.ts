import type { SettingName } from "@aws-sdk/client-ecs";
import type { Partition } from "./config.ts";

/**
 * ECS's account settings: the values each name accepts and the value an account has until someone
 * sets one (the developer guide's "Amazon ECS account settings": long ARN formats on, Container
 * Insights off, tag-on-create authorization on, Fargate retirement after 7 days, non-blocking log
 * driver mode since June 2025). `guardDutyActivate` is managed by AWS: listed, never set.
 */
export const ACCOUNT_SETTINGS: Record<SettingName, { values: readonly string[]; initial: string }> = {
  serviceLongArnFormat: { values: ["enabled", "disabled"], initial: "enabled" },
  taskLongArnFormat: { values: ["enabled", "disabled"], initial: "enabled" },
  containerInstanceLongArnFormat: { values: ["enabled", "disabled"], initial: "enabled" },
  awsvpcTrunking: { values: ["enabled", "disabled"], initial: "disabled" },
  containerInsights: { values: ["enabled", "disabled", "enhanced"], initial: "disabled" },
  fargateFIPSMode: { values: ["enabled", "disabled"], initial: "disabled" },
  tagResourceAuthorization: { values: ["on", "off"], initial: "on" },
  fargateTaskRetirementWaitPeriod: { values: ["0", "7", "14"], initial: "7" },
  guardDutyActivate: { values: ["on", "off"], initial: "off" },
  defaultLogDriverMode: { values: ["blocking", "non-blocking"], initial: "non-blocking" },
  fargateEventWindows: { values: ["enabled", "disabled"], initial: "disabled" },
};

export const SETTING_NAMES = Object.keys(ACCOUNT_SETTINGS) as SettingName[];

/** The settings AWS manages: read-only to the account. */
export const AWS_MANAGED_SETTINGS: readonly SettingName[] = ["guardDutyActivate"];

/**
 * The account's root user: whose settings are the account's defaults (PutAccountSettingDefault),
 * and who every Berth caller is, since Berth's access keys belong to the account, not to IAM
 * users or roles.
 */
export const rootPrincipal = (p: Partition) => `arn:aws:iam::${p.accountId}:root`;
