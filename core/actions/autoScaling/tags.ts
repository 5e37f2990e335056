import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  TagResourceRequest,
  TagResourceResponse,
  UntagResourceRequest,
  UntagResourceResponse,
} from "@aws-sdk/client-application-auto-scaling";
import type { ServiceAutoScaling } from "../../model/autoScaling.ts";
import type { ActionContext } from "../../operations/context.ts";
import { EcsError } from "../../protocol/errors.ts";
import { changeAutoScaling, scaledServices } from "./resource.ts";

/** A scalable target has at most 50 tags, as on AWS. */
const MAX_TAGS = 50;

/**
 * Tags on scalable targets (Terraform's aws_appautoscaling_target reads them back), by the
 * target's ARN. Scaling policies and scheduled actions cannot be tagged on AWS either.
 */
export async function TagResource(input: TagResourceRequest, ctx: ActionContext): Promise<TagResourceResponse> {
  const arn = input.ResourceARN as string;
  const resourceId = (await targetOf(ctx, arn)).target.ResourceId as string;
  return changeAutoScaling(ctx, resourceId, (current) => {
    const scaling = current?.target.ScalableTargetARN === arn ? current : notFound(arn);
    const tags = { ...scaling.tags, ...input.Tags };
    if (Object.keys(tags).length > MAX_TAGS) {
      throw new EcsError("TooManyTagsException", `A scalable target can have at most ${MAX_TAGS} tags.`, 400, {
        ResourceName: arn,
      });
    }
    return { autoScaling: { ...scaling, tags }, result: {} };
  });
}

export async function UntagResource(input: UntagResourceRequest, ctx: ActionContext): Promise<UntagResourceResponse> {
  const arn = input.ResourceARN as string;
  const resourceId = (await targetOf(ctx, arn)).target.ResourceId as string;
  return changeAutoScaling(ctx, resourceId, (current) => {
    const scaling = current?.target.ScalableTargetARN === arn ? current : notFound(arn);
    const tags = Object.fromEntries(
      Object.entries(scaling.tags ?? {}).filter(([key]) => !input.TagKeys?.includes(key)),
    );
    return { autoScaling: { ...scaling, tags }, result: {} };
  });
}

export async function ListTagsForResource(
  input: ListTagsForResourceRequest,
  ctx: ActionContext,
): Promise<ListTagsForResourceResponse> {
  return { Tags: (await targetOf(ctx, input.ResourceARN as string)).tags ?? {} };
}

async function targetOf(ctx: ActionContext, arn: string): Promise<ServiceAutoScaling> {
  return (await scaledServices(ctx)).find((s) => s.target.ScalableTargetARN === arn) ?? notFound(arn);
}

function notFound(arn: string): never {
  throw new EcsError("ResourceNotFoundException", `No scalable target found for ARN: ${arn}`, 400, {
    ResourceName: arn,
  });
}
