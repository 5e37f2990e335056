import type { ServiceAutoScaling } from "../../model/autoScaling.ts";
import type { ServiceRecord } from "../../model/records.ts";
import type { ActionContext } from "../../operations/context.ts";
import { retryOnConflict } from "../../operations/retry.ts";
import { serviceChanged } from "../../operations/serviceQueue.ts";
import { put } from "../../store/port.ts";
import { objectNotFound, validation } from "./errors.ts";

/** What every request names: Application Auto Scaling's namespace, resource and dimension. */
export interface ScalableResource {
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
}

const UNSUPPORTED = "Unsupported service namespace, resource type or scalable dimension";

/** Berth scales ECS services' desired count only: any other namespace or dimension is refused, as AWS refuses a wrong pair. */
export function onlyEcsServices(input: { ServiceNamespace?: string; ScalableDimension?: string }): void {
  if (input.ServiceNamespace !== "ecs") throw validation(UNSUPPORTED);
  if (input.ScalableDimension !== undefined && input.ScalableDimension !== "ecs:service:DesiredCount") {
    throw validation(UNSUPPORTED);
  }
}

/** `service/<cluster>/<service>`, ECS's resource id format. */
export function serviceOf(resourceId: string): { cluster: string; name: string } {
  const m = /^service\/([^/]+)\/([^/]+)$/.exec(resourceId);
  if (!m)
    throw validation(
      `Unsupported resource ID: ${resourceId}. ECS service resource IDs have the form service/<cluster-name>/<service-name>.`,
    );
  return { cluster: m[1], name: m[2] };
}

export const noTarget = (r: ScalableResource) =>
  objectNotFound(
    `No scalable target registered for service namespace: ${r.ServiceNamespace}, resource ID: ${r.ResourceId}, scalable dimension: ${r.ScalableDimension}`,
  );

/** The live service a resource id names; a deleted or unknown one is refused as AWS refuses it. */
export async function liveService(ctx: ActionContext, resourceId: string): Promise<ServiceRecord> {
  const { cluster, name } = serviceOf(resourceId);
  const record = await ctx.store.getService(cluster, name);
  if (record?.service.status !== "ACTIVE") throw validation(`ECS service doesn't exist: ${resourceId}`);
  return record;
}

/**
 * Changes a service's auto scaling on the version read, again on fresh reads after a conflict
 * (the service scheduler writes the same record). `change` gets the current auto scaling
 * (absent before a target is registered) and returns the new one (absent: deregistered).
 */
export function changeAutoScaling<T>(
  ctx: ActionContext,
  resourceId: string,
  change: (
    current: ServiceAutoScaling | undefined,
    record: ServiceRecord,
  ) => { autoScaling?: ServiceAutoScaling; result: T },
): Promise<T> {
  return retryOnConflict(async () => {
    const record = await liveService(ctx, resourceId);
    const { autoScaling, result } = change(record.autoScaling, record);
    await ctx.store.commit([put("service", { ...record, autoScaling })]);
    // The service's next round applies it (a new capacity range, a policy) without waiting for the sweep.
    serviceChanged(ctx, record.cluster, record.name);
    return result;
  });
}

/** The auto scaling a request's resource has; ObjectNotFoundException without a registered target. */
export function registered(current: ServiceAutoScaling | undefined, r: ScalableResource): ServiceAutoScaling {
  if (!current) throw noTarget(r);
  return current;
}

/** Every service's auto scaling, or those of the resource ids named (unknown ones left out, as AWS does). */
export async function scaledServices(ctx: ActionContext, resourceIds?: string[]): Promise<ServiceAutoScaling[]> {
  const records = resourceIds
    ? await Promise.all(
        resourceIds.map(async (id) => {
          const { cluster, name } = serviceOf(id);
          return ctx.store.getService(cluster, name);
        }),
      )
    : await ctx.store.listLiveServices();
  return records.flatMap((r) => (r?.autoScaling && r.service.status === "ACTIVE" ? [r.autoScaling] : []));
}
