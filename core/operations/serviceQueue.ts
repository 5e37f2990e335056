import { everyItem } from "../store/paging.ts";
import { inBackground } from "./background.ts";
import type { ActionContext } from "./context.ts";

/**
 * The actions' side of the service scheduler's queue (see core/notify/serviceNudger.ts): after a
 * commit that may change what a service should do, nudge it, without waiting (background.ts) and
 * without ever failing the request: the periodic sweep reconciles every live service anyway.
 */
export function serviceChanged(ctx: ActionContext, cluster: string, name: string): void {
  if (ctx.serviceNudger)
    inBackground(ctx, ctx.serviceNudger.nudge(cluster, name), `nudge of service ${cluster}/${name}`);
}

/**
 * A change to the cluster's capacity (an instance registered, drained or deregistered): every
 * live service of the cluster may have tasks to start or move.
 */
export function clusterServicesChanged(ctx: ActionContext, cluster: string): void {
  if (!ctx.serviceNudger) return;
  const nudges = async () => {
    for await (const record of everyItem((page) => ctx.store.listServices({ cluster, live: true }, page))) {
      serviceChanged(ctx, cluster, record.name);
    }
  };
  inBackground(ctx, nudges(), `nudges of cluster ${cluster}'s services`);
}
