/**
 * Local mode answers for every region, as ECS's many regional endpoints would: a request's region
 * is the one its signature's credential scope names. The regions of AWS's commercial partition
 * (the `aws` partition's region pattern in botocore's endpoints.json), whose ARNs start with
 * `arn:aws:` as every ARN Berth mints does: `us-east-1`, `eu-west-1`, a region launched later.
 */
const AWS_PARTITION_REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d+$/;

export const isRegionName = (name: string) => AWS_PARTITION_REGION.test(name);

/**
 * One control plane per region met, opened once: the first request for a region opens it, and
 * any requests that arrive meanwhile wait for the same one.
 */
export function regionRegistry<Plane extends { close(): Promise<void> }>(open: (region: string) => Promise<Plane>) {
  const planes = new Map<string, Promise<Plane>>();
  return {
    has: (region: string) => planes.has(region),
    get(region: string): Promise<Plane> {
      let plane = planes.get(region);
      if (!plane) {
        plane = open(region);
        planes.set(region, plane);
        // A region that failed to open is tried again by its next request.
        plane.catch(() => planes.delete(region));
      }
      return plane;
    },
    regions: () => [...planes.keys()],
    async close() {
      const opened = await Promise.allSettled(planes.values());
      planes.clear();
      for (const result of opened) if (result.status === "fulfilled") await result.value.close();
    },
  };
}
