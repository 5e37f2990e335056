import type { RegisterTaskDefinitionResponse, UpdateServiceResponse } from "@aws-sdk/client-ecs";
import { UpdateService } from "../actions/services.ts";
import { RegisterTaskDefinition, resolveTaskDefinition } from "../actions/taskDefinitions.ts";
import { lastSegment } from "../model/arn.ts";
import type { ActionContext } from "../operations/context.ts";
import { pinned, usesTag, withImages } from "./images.ts";
import { type DeployTrigger, DeployTriggerError } from "./trigger.ts";

/** What a trigger did: the services it updated, each with the task definition it now runs. */
export interface Deployed {
  cluster: string;
  service: string;
  taskDefinition: string;
}

/**
 * Carries out a trigger through the same actions the API runs (RegisterTaskDefinition,
 * UpdateService), so a deployment by event is checked, recorded and rolled out exactly as one
 * by `aws ecs update-service`.
 */
export async function deploy(ctx: ActionContext, trigger: DeployTrigger): Promise<Deployed[]> {
  if (trigger.kind === "imagePush") return rollPushedImage(ctx, trigger);
  if ("taskDefinition" in trigger) return [await update(ctx, trigger.cluster, trigger.service, trigger.taskDefinition)];
  const current = await describedService(ctx, trigger.cluster, trigger.service);
  const record = await resolveTaskDefinition(ctx, current);
  const containers = record.taskDefinition.containerDefinitions ?? [];
  const name = trigger.container ?? (containers.length === 1 ? containers[0].name : undefined);
  if (!name || !containers.some((c) => c.name === name)) {
    throw new DeployTriggerError(
      `Name the container to give ${trigger.image} (detail.container): one of ${containers.map((c) => c.name).join(", ")}.`,
    );
  }
  const registered = await register(ctx, record.taskDefinition, record.tags, new Map([[name, trigger.image]]));
  return [await update(ctx, trigger.cluster, trigger.service, registered)];
}

/** Every live service whose task definition runs repository:tag gets a revision pinned to the pushed digest. */
async function rollPushedImage(
  ctx: ActionContext,
  push: Extract<DeployTrigger, { kind: "imagePush" }>,
): Promise<Deployed[]> {
  const image = pinned(push.repository, push.tag, push.digest);
  // Services sharing a task definition share its new revision.
  const revisions = new Map<string, string | undefined>();
  const deployed: Deployed[] = [];
  for (const service of await ctx.store.listLiveServices()) {
    if (service.service.status !== "ACTIVE") continue;
    const arn = service.service.taskDefinition as string;
    if (!revisions.has(arn)) {
      const record = await resolveTaskDefinition(ctx, arn).catch(() => undefined);
      const images = new Map(
        (record?.taskDefinition.containerDefinitions ?? [])
          .filter((c) => c.image && c.image !== image && usesTag(c.image, push.repository, push.tag))
          .map((c) => [c.name as string, image]),
      );
      revisions.set(
        arn,
        record && images.size > 0 ? await register(ctx, record.taskDefinition, record.tags, images) : undefined,
      );
    }
    const revision = revisions.get(arn);
    if (revision) deployed.push(await update(ctx, service.cluster, service.name, revision));
  }
  return deployed;
}

async function register(ctx: ActionContext, ...args: Parameters<typeof withImages>): Promise<string> {
  const { taskDefinition } = (await RegisterTaskDefinition(withImages(...args), ctx)) as RegisterTaskDefinitionResponse;
  return taskDefinition?.taskDefinitionArn as string;
}

async function update(ctx: ActionContext, cluster: string, service: string, taskDefinition: string): Promise<Deployed> {
  const answer = (await UpdateService({ cluster, service, taskDefinition }, ctx)) as UpdateServiceResponse;
  return { cluster: lastSegment(answer.service?.clusterArn ?? cluster), service, taskDefinition };
}

async function describedService(ctx: ActionContext, cluster: string, service: string): Promise<string> {
  const record = await ctx.store.getService(lastSegment(cluster), lastSegment(service));
  if (!record) throw new DeployTriggerError(`No service ${service} in cluster ${cluster}.`);
  return record.service.taskDefinition as string;
}
