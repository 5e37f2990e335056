import type {
  DescribeScalingActivitiesRequest,
  DescribeScalingActivitiesResponse,
} from "@aws-sdk/client-application-auto-scaling";
import type { ActionContext } from "../../operations/context.ts";
import { pageOf } from "./paging.ts";
import { onlyEcsServices, scaledServices } from "./resource.ts";

/** The scaling activities Berth's scaler recorded, newest first (each service keeps its latest 50). */
export async function DescribeScalingActivities(
  input: DescribeScalingActivitiesRequest,
  ctx: ActionContext,
): Promise<DescribeScalingActivitiesResponse> {
  onlyEcsServices(input);
  const services = await scaledServices(ctx, input.ResourceId === undefined ? undefined : [input.ResourceId]);
  // Newest first: the key counts down from the far future; activities of one moment keep their
  // service's order (newest first), by their place counted from its oldest, which stays put as
  // newer ones arrive (a cursor stays valid).
  const keyed = services.flatMap((s) =>
    s.activities.map((activity, i) => ({
      activity,
      key: [
        String(9e15 - (activity.StartTime?.getTime() ?? 0)).padStart(16, "0"),
        activity.ResourceId,
        String(1e6 - (s.activities.length - i)).padStart(7, "0"),
      ].join("#"),
    })),
  );
  const page = pageOf(keyed, (k) => k.key, input);
  return { ScalingActivities: page.items.map((k) => k.activity), NextToken: page.NextToken };
}
