import type { QueueReader } from "../notify/instanceNotifier.ts";
import { inBackground, reportBackground } from "./background.ts";
import type { ActionContext } from "./context.ts";

/**
 * The actions' side of the agents' wake-up queues (see core/notify/instanceNotifier.ts). Queue work happens
 * after the store's commit and never fails the request: the commit is the truth, and the agent
 * re-syncs from the store when a heartbeat's digest shows a change, whatever happens to its queue.
 */

/** After a commit that changes what should run on an instance: nudge its agent, without waiting. */
export function instanceChanged(ctx: ActionContext, cluster: string, instanceId: string): void {
  ctx.onInstanceChanged?.(cluster, instanceId);
  if (ctx.notifier) inBackground(ctx, ctx.notifier.nudge(cluster, instanceId), `nudge of ${instanceId}`);
}

/** Registration: create the instance's queue (DiscoverPollEndpoint creates it too, should this fail). */
export async function openInstanceQueue(
  ctx: ActionContext,
  cluster: string,
  instanceId: string,
  reader: QueueReader,
): Promise<void> {
  await ctx.notifier
    ?.queueFor(cluster, instanceId, reader)
    .catch((error) => reportBackground(ctx, error, `queue creation for ${instanceId}`));
}

/** Deregistration: nobody will listen to the queue any more. */
export async function closeInstanceQueue(ctx: ActionContext, cluster: string, instanceId: string): Promise<void> {
  await ctx.notifier
    ?.remove(cluster, instanceId)
    .catch((error) => reportBackground(ctx, error, `queue deletion for ${instanceId}`));
}
