/**
 * Local mode answers for every region, as ECS's many regional endpoints would: a request's region
 * is the one its signature's credential scope names. The regions of AWS's commercial partition
 * (botocore's endpoints.json, partition `aws`), whose ARNs start with `arn:aws:` as every ARN
 * Berth mints does. A known list rather than the partition's name pattern: each region opened is
 * a store, queues and timers kept for good, so a signed request must not be able to mint more.
 */
const AWS_REGIONS = new Set([
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
]);

export const isRegionName = (name: string) => AWS_REGIONS.has(name);

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
