import { declaredProvidersEnvironment } from "./agentGroup.ts";
import { managedScalingPermissions } from "./autoScaling.ts";
import { berthFunction } from "./functions.ts";
import { schedulerQueue } from "./scheduler.ts";
import { table } from "./table.ts";

/**
 * The sweep, every minute (EventBridge Scheduler's finest rate): it records the container
 * instances whose agent connected or went silent (so their events go out), then nudges every live
 * service, so that what no event announced (a lost agent, a lost nudge, a back-off that ran out)
 * is reconciled within a minute. It reads the table, writes instance records, and sends nudges;
 * it also sizes capacity providers' Auto Scaling groups (managed scaling), after making the
 * capacity provider of the hosts' group exist when the deploy declares one (agentGroup.ts).
 */
export const sweeper = new sst.aws.CronV2("Sweeper", {
  schedule: "rate(1 minute)",
  function: {
    ...berthFunction("sweeper", [table, schedulerQueue], declaredProvidersEnvironment),
    permissions: managedScalingPermissions,
  },
});
