import type { AccountSettingsRecord } from "../../../model/records.ts";

/** A principal's account settings: one item each, only ever read by its principal's ARN. */
export const accountSettingsKey = (principalArn: string) => ({
  pk: `ACCOUNTSETTINGS#${principalArn}`,
  sk: "ACCOUNTSETTINGS",
});

export const accountSettingsAttributes = (r: Omit<AccountSettingsRecord, "version">) =>
  accountSettingsKey(r.principalArn);
