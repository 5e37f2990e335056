import { loadInstances, loadServices, loadTasks, loadUtilization } from "../api/fleet.ts";
import { useSession } from "../context.ts";
import { usePoll } from "../poll.ts";
import { capacityOf, totalCapacity } from "../resources.ts";
import { href } from "../route.ts";
import { CapacityGauges } from "../ui/capacity.tsx";
import { Section, Status } from "../ui/format.tsx";
import { LiveHeading } from "../ui/live.tsx";
import { remembered } from "../utilizationHistory.ts";

/** How many of `items` fall under each key, in first-seen order. */
function countBy<T>(items: T[], key: (item: T) => string | undefined): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item) ?? "UNKNOWN";
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts];
}

const Counts = ({ counts, none }: { counts: [string, number][]; none: string }) =>
  counts.length === 0 ? (
    <p>{none}</p>
  ) : (
    <ul class="counts">
      {counts.map(([name, n]) => (
        <li key={name}>
          <strong>{n}</strong> <Status value={name} />
        </li>
      ))}
    </ul>
  );

/** One cluster at a glance: its instances by state, tasks by status, services, and capacity. */
export function ClusterView({ cluster }: { cluster: string }) {
  const { api } = useSession();
  const polled = usePoll(async () => {
    const [instances, utilization, tasks, services] = await Promise.all([
      loadInstances(api, cluster),
      loadUtilization(api, cluster).then(remembered),
      loadTasks(api, cluster),
      loadServices(api, cluster),
    ]);
    return { instances, utilization, tasks, services };
  }, `cluster:${cluster}`);
  const d = polled.data;
  return (
    <>
      <LiveHeading title={`Cluster ${cluster}`} polled={polled} />
      {d && (
        <div class="grid">
          <Section title="Container instances">
            <Counts counts={countBy(d.instances, (i) => i.status)} none="No container instances." />
            <Counts
              counts={countBy(d.instances, (i) =>
                d.utilization.get(i.containerInstanceArn ?? "")?.agentConnected ? "connected" : "disconnected",
              )}
              none=""
            />
            <a href={href("c", cluster, "instances")}>All instances</a>
          </Section>
          <Section title="Tasks">
            <Counts counts={countBy(d.tasks, (t) => t.lastStatus)} none="No tasks." />
            <a href={href("c", cluster, "tasks")}>All tasks</a>
          </Section>
          <Section title="Services">
            <ul>
              {d.services.map((s) => (
                <li key={s.serviceArn}>
                  <a href={href("c", cluster, "services", s.serviceName ?? "")}>{s.serviceName}</a> {s.runningCount}/
                  {s.desiredCount} running
                </li>
              ))}
            </ul>
            {d.services.length === 0 && <p>No services.</p>}
          </Section>
          <Section title="Capacity">
            <CapacityGauges
              capacity={totalCapacity(
                d.instances
                  .filter((i) => i.status !== "INACTIVE")
                  .map((i) => capacityOf(i, d.utilization.get(i.containerInstanceArn ?? ""))),
              )}
            />
          </Section>
        </div>
      )}
    </>
  );
}
