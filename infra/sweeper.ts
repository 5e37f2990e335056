import { berthFunction } from "./functions.ts";
import { schedulerQueue } from "./scheduler.ts";
import { table } from "./table.ts";

/**
 * The sweep, every minute (EventBridge Scheduler's finest rate): it lists the live services and
 * nudges each, so that what no event announced (an agent gone silent, a lost nudge, a back-off
 * that ran out) is reconciled within a minute. It only reads the table and sends nudges.
 */
export const sweeper = new sst.aws.CronV2("Sweeper", {
  schedule: "rate(1 minute)",
  function: berthFunction("sweeper", [table, schedulerQueue]),
});
