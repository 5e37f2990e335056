import type {
  DeleteAccountSettingRequest,
  DeleteAccountSettingResponse,
  ListAccountSettingsRequest,
  ListAccountSettingsResponse,
  PutAccountSettingDefaultRequest,
  PutAccountSettingDefaultResponse,
  PutAccountSettingRequest,
  PutAccountSettingResponse,
  Setting,
  SettingName,
} from "@aws-sdk/client-ecs";
import { ACCOUNT_SETTINGS, AWS_MANAGED_SETTINGS, rootPrincipal, SETTING_NAMES } from "../model/accountSettings.ts";
import { effectiveSetting, settingOf } from "../operations/accountSettings.ts";
import type { ActionContext } from "../operations/context.ts";
import { retryOnConflict } from "../operations/retry.ts";
import { invalidParameter } from "../protocol/errors.ts";
import { put } from "../store/port.ts";
import { nextToken, pageInMemory, pageRequest } from "./pagination.ts";

/**
 * ECS's account settings, per principal (a user, a role, or the root user, whose settings are the
 * account's defaults). Every Berth caller is the account's root user (its keys belong to the
 * account), so a request without principalArn reads and writes the account's defaults; a
 * principalArn given is kept apart, and falls back to them. Settings that change what Berth does:
 * containerInsights (a new cluster's default) and the long ARN formats of tasks (and their
 * containers), services and container instances (short ARNs for new ones while disabled). The
 * others are kept and listed.
 */
export async function PutAccountSetting(
  input: PutAccountSettingRequest,
  ctx: ActionContext,
): Promise<PutAccountSettingResponse> {
  const name = input.name as SettingName;
  const value = checkedValue(name, input.value as string);
  return { setting: await setSetting(ctx, input.principalArn ?? rootPrincipal(ctx.partition), name, value) };
}

/** The account's default: the root user's setting. */
export const PutAccountSettingDefault = (
  input: PutAccountSettingDefaultRequest,
  ctx: ActionContext,
): Promise<PutAccountSettingDefaultResponse> =>
  PutAccountSetting({ ...input, principalArn: rootPrincipal(ctx.partition) }, ctx);

export async function DeleteAccountSetting(
  input: DeleteAccountSettingRequest,
  ctx: ActionContext,
): Promise<DeleteAccountSettingResponse> {
  const name = input.name as SettingName;
  if (AWS_MANAGED_SETTINGS.includes(name)) throw managedByAws(name);
  const principalArn = input.principalArn ?? rootPrincipal(ctx.partition);
  // Answers with the setting removed; with none set, with the setting as it applies.
  const removed = await retryOnConflict(async () => {
    const record = await ctx.store.getAccountSettings(principalArn);
    const own = record?.settings.find((s) => s.name === name);
    if (!record || !own) return undefined;
    const settings = record.settings.filter((s) => s.name !== name);
    await ctx.store.commit([put("accountSettings", { ...record, settings })]);
    return own;
  });
  return { setting: removed ?? (await effectiveSetting(ctx, name, principalArn)) };
}

export async function ListAccountSettings(
  input: ListAccountSettingsRequest,
  ctx: ActionContext,
): Promise<ListAccountSettingsResponse> {
  if (input.value !== undefined && input.name === undefined) {
    throw invalidParameter("value can only be given with name.");
  }
  const page = pageRequest(input, 10);
  const principalArn = input.principalArn ?? rootPrincipal(ctx.partition);
  const names = input.name ? [input.name] : SETTING_NAMES;
  let settings: Setting[];
  if (input.effectiveSettings) {
    settings = [];
    for (const name of names) settings.push(await effectiveSetting(ctx, name, principalArn));
  } else {
    const own = (await ctx.store.getAccountSettings(principalArn))?.settings ?? [];
    settings = own.filter((s) => names.includes(s.name as SettingName));
  }
  if (input.value !== undefined) settings = settings.filter((s) => s.value === input.value);
  const result = pageInMemory(settings, (s) => s.name as string, page);
  return { settings: result.items, nextToken: nextToken(result) };
}

/** The value, if the setting takes it and the account may set it. */
function checkedValue(name: SettingName, value: string): string {
  if (AWS_MANAGED_SETTINGS.includes(name)) throw managedByAws(name);
  const { values } = ACCOUNT_SETTINGS[name];
  if (!values.includes(value)) {
    throw invalidParameter(`Invalid value '${value}' for account setting ${name}. Valid values: ${values.join(", ")}.`);
  }
  return value;
}

const managedByAws = (name: SettingName) =>
  invalidParameter(`The ${name} account setting is managed by AWS and cannot be changed.`);

async function setSetting(ctx: ActionContext, principalArn: string, name: SettingName, value: string) {
  const setting = settingOf(name, value, principalArn);
  await retryOnConflict(async () => {
    const record = await ctx.store.getAccountSettings(principalArn);
    const settings = [...(record?.settings ?? []).filter((s) => s.name !== name), setting];
    await ctx.store.commit([put("accountSettings", record ? { ...record, settings } : { principalArn, settings })]);
  });
  return setting;
}
