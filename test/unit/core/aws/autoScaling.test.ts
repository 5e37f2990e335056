import type { AutoScalingClient, SetInstanceProtectionCommandInput } from "@aws-sdk/client-auto-scaling";
import { expect, it } from "vitest";
import { autoScalingGroups } from "../../../../core/aws/autoScaling.ts";

it("protects instances 50 at a time, SetInstanceProtection's limit, and makes no call for none", async () => {
  const calls: SetInstanceProtectionCommandInput[] = [];
  const client = { send: async (command: { input: SetInstanceProtectionCommandInput }) => calls.push(command.input) };
  const groups = autoScalingGroups(client as unknown as AutoScalingClient);
  const ids = Array.from({ length: 120 }, (_, i) => `i-${i}`);
  await groups.setInstanceProtection("hosts", ids, true);
  expect(calls.map((c) => c.InstanceIds?.length)).toEqual([50, 50, 20]);
  expect(calls.flatMap((c) => c.InstanceIds)).toEqual(ids);
  expect(calls.every((c) => c.AutoScalingGroupName === "hosts" && c.ProtectedFromScaleIn === true)).toBe(true);
  calls.length = 0;
  await groups.setInstanceProtection("hosts", [], false);
  expect(calls).toEqual([]);
});
