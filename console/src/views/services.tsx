import { loadServices, taskDefinitionName } from "../api/fleet.ts";
import { useSession } from "../context.ts";
import { usePoll } from "../poll.ts";
import { href } from "../route.ts";
import { Status } from "../ui/format.tsx";
import { LiveHeading } from "../ui/live.tsx";

/** The cluster's services: counts and how their newest deployment is doing. */
export function ServicesView({ cluster }: { cluster: string }) {
  const { api } = useSession();
  const polled = usePoll(() => loadServices(api, cluster), `services:${cluster}`);
  return (
    <>
      <LiveHeading title={`Services of ${cluster}`} polled={polled} />
      <table>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Status</th>
            <th scope="col">Task definition</th>
            <th scope="col">Desired</th>
            <th scope="col">Pending</th>
            <th scope="col">Running</th>
            <th scope="col">Rollout</th>
          </tr>
        </thead>
        <tbody>
          {polled.data?.map((s) => {
            const primary = s.deployments?.find((d) => d.status === "PRIMARY");
            return (
              <tr key={s.serviceArn}>
                <th scope="row">
                  <a href={href("c", cluster, "services", s.serviceName ?? "")}>{s.serviceName}</a>
                </th>
                <td>
                  <Status value={s.status} />
                </td>
                <td>{taskDefinitionName(s.taskDefinition)}</td>
                <td>{s.desiredCount}</td>
                <td>{s.pendingCount}</td>
                <td>{s.runningCount}</td>
                <td>
                  <Status value={primary?.rolloutState} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {polled.data?.length === 0 && <p>No services in {cluster}: create one with CreateService.</p>}
    </>
  );
}
