import type { ActionContext } from "./context.ts";
import { reportBackground } from "./instanceQueue.ts";

/**
 * The actions' side of the service scheduler's queue (see core/notify/serviceNudger.ts): after a
 * commit that may change what a service should do, nudge it, without waiting and without ever
 * failing the request: the periodic sweep reconciles every live service anyway.
 */
export function serviceChanged(ctx: ActionContext, cluster: string, name: string): void {
  ctx.serviceNudger
    ?.nudge(cluster, name)
    .catch((error) => reportBackground(ctx, error, `nudge of service ${cluster}/${name}`));
}

/**
 * A change to the cluster's capacity (an instance registered, drained or deregistered): every
 * live service of the cluster may have tasks to start or move.
 */
export function clusterServicesChanged(ctx: ActionContext, cluster: string): void {
  if (!ctx.serviceNudger) return;
  (async () => {
    let after: string | undefined;
    do {
      const page = await ctx.store.listServices({ cluster, live: true }, { limit: 100, after });
      for (const record of page.items) serviceChanged(ctx, cluster, record.name);
      after = page.next;
    } while (after !== undefined);
  })().catch((error) => reportBackground(ctx, error, `nudges of cluster ${cluster}'s services`));
}
