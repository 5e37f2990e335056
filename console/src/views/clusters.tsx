import { loadClusters } from "../api/fleet.ts";
import { useSession } from "../context.ts";
import { usePoll } from "../poll.ts";
import { href } from "../route.ts";
import { Status } from "../ui/format.tsx";
import { LiveHeading } from "../ui/live.tsx";

/** Every cluster with its counts, as DescribeClusters gives them. */
export function ClustersView() {
  const { api } = useSession();
  const polled = usePoll(() => loadClusters(api), "clusters");
  return (
    <>
      <LiveHeading title="Clusters" polled={polled} />
      <table>
        <thead>
          <tr>
            <th scope="col">Cluster</th>
            <th scope="col">Status</th>
            <th scope="col">Container instances</th>
            <th scope="col">Services</th>
            <th scope="col">Running tasks</th>
            <th scope="col">Pending tasks</th>
          </tr>
        </thead>
        <tbody>
          {polled.data?.map((c) => (
            <tr key={c.clusterArn}>
              <th scope="row">
                <a href={href("c", c.clusterName ?? "")}>{c.clusterName}</a>
              </th>
              <td>
                <Status value={c.status} />
              </td>
              <td>{c.registeredContainerInstancesCount}</td>
              <td>{c.activeServicesCount}</td>
              <td>{c.runningTasksCount}</td>
              <td>{c.pendingTasksCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {polled.data?.length === 0 && <p>No clusters yet: create one with CreateCluster.</p>}
    </>
  );
}
