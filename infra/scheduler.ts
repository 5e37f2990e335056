import { agentQueues } from "./agentQueues.ts";
import { berthFunction } from "./functions.ts";
import { targetRegistrationPermissions } from "./loadBalancing.ts";
import { table } from "./table.ts";

/**
 * The service scheduler: a FIFO queue of nudges, one message group per service (so one service's
 * rounds never overlap), consumed by the scheduler function with partial batch responses.
 * Nudges carry no intent (the sweep re-sends them every minute), so a nudge that keeps failing
 * is parked in the dead-letter queue for a look rather than retried forever. A FIFO queue's DLQ
 * must be FIFO too. The visibility timeout exceeds the function's timeout, as Lambda requires.
 */
const deadLetters = new sst.aws.Queue("SchedulerDeadLetters", { fifo: true });

export const schedulerQueue = new sst.aws.Queue("SchedulerQueue", {
  fifo: true,
  visibilityTimeout: "60 seconds",
  dlq: { queue: deadLetters.arn, retry: 5 },
});

/** A round reads and writes the table, nudges agents, and may nudge its own service again (back-off). */
export const schedulerSubscription = schedulerQueue.subscribe(
  // ELBv2: a load-balanced service's tasks are registered and deregistered in its target groups.
  { ...berthFunction("scheduler", [table, schedulerQueue, agentQueues]), permissions: targetRegistrationPermissions },
  { batch: { size: 10, partialResponses: true } },
);
